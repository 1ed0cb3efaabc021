import type { DecodedCard, WiegandError } from "@acs/wiegand";

/** A card read at a reader: the reader's place on its bus (bridge port or OSDP address). */
export interface CardRead {
  readonly port: number;
  readonly bits: string;
  readonly card: DecodedCard;
  /** CLOCK_MONOTONIC µs when the read reached the edge. */
  readonly receivedAtUs: number;
}

export interface CardUnreadable {
  readonly port: number;
  readonly bits: string;
  readonly error: WiegandError;
  readonly receivedAtUs: number;
}

export type LedSignal = "off" | "red" | "green" | "amber";

/**
 * What a door needs from the bus its lock, contact and reader are on. `address` names the
 * device on a multi-drop bus (an OSDP PD); a bridge board has only one and ignores it.
 */
export interface DoorIoBus {
  pulseRelay(relay: number, ms: number, address?: number): void;
  setRelay(relay: number, on: boolean, address?: number): void;
  feedback(port: number, led: LedSignal, buzzer: boolean, durationMs?: number): void;
}
