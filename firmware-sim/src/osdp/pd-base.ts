import { NAK_CODES } from "@acs/osdp";
import type { SimClock } from "../clock.js";
import { DEFAULT_EVENT_QUEUE_CAPACITY, EventQueue } from "./event-queue.js";
import type { Capability, Command, PdApplication, PdIdentification, Reply } from "./osdp-types.js";
import { ACK, type LedColorName, nak } from "./spec.js";

/** A change on something a person sees or hears at the device, or on a relay. */
export type PdOutputEvent =
  | {
      readonly event: "led";
      readonly reader: number;
      readonly led: number;
      readonly color: LedColorName;
      readonly atUs: number;
    }
  | {
      readonly event: "buzzer";
      readonly reader: number;
      readonly on: boolean;
      readonly atUs: number;
    }
  | {
      readonly event: "text";
      readonly reader: number;
      /** The row's characters, trailing blanks removed. */
      readonly text: string;
      readonly atUs: number;
    }
  | {
      readonly event: "relay";
      readonly output: number;
      readonly on: boolean;
      readonly atUs: number;
    };

export interface PdBaseOptions {
  readonly clock: SimClock;
  /** Answers osdp_ID. A made-up vendor, model 1, serial 1, firmware 1.0.0 by default. */
  readonly identification?: PdIdentification;
  /** Every effective output change (LED colour, buzzer, text, relay), as it happens. */
  readonly onOutput?: (event: PdOutputEvent) => void;
  /** Events kept for the CP before new ones are refused. Default 64. */
  readonly eventQueueCapacity?: number;
}

export const DEFAULT_IDENTIFICATION: PdIdentification = Object.freeze({
  vendorCode: Uint8Array.of(0x0a, 0xc5, 0x51),
  model: 1,
  version: 1,
  serialNumber: 1,
  firmware: Object.freeze({ major: 1, minor: 0, build: 0 }),
});

/**
 * What every simulated PD shares: identification, capabilities, the event queue, and the local
 * status (tamper and power) answered to osdp_LSTAT and reported by LSTATR on change.
 */
export abstract class PdBase implements PdApplication {
  readonly identification: PdIdentification;
  readonly capabilities: readonly Capability[];
  protected readonly clock: SimClock;
  readonly #events: EventQueue;
  readonly #onOutput: (event: PdOutputEvent) => void;
  #tamper = false;
  #powerFailure = false;

  protected constructor(options: PdBaseOptions, capabilities: readonly Capability[]) {
    this.clock = options.clock;
    this.identification = options.identification ?? DEFAULT_IDENTIFICATION;
    this.capabilities = Object.freeze(capabilities.map((c) => Object.freeze({ ...c })));
    this.#events = new EventQueue(options.eventQueueCapacity ?? DEFAULT_EVENT_QUEUE_CAPACITY);
    this.#onOutput = options.onOutput ?? (() => {});
  }

  /**
   * A command for the device. POLL, ID and CAP belong to the link layer, but are answered
   * sensibly here too (ACK, PDID, PDCAP) should one arrive; anything the device does not
   * implement is NAKed 0x03.
   */
  handle(command: Command): Reply {
    switch (command.kind) {
      case "poll":
        return ACK;
      case "id":
        return { kind: "pdid", ...this.identification };
      case "cap":
        return { kind: "pdcap", capabilities: this.capabilities };
      case "lstat":
        return this.#localStatus();
      case "acurxsize":
        // The CP's receive limit: every reply of these devices fits a single message.
        return ACK;
      default:
        return this.handleDevice(command) ?? nak(NAK_CODES.UNKNOWN_COMMAND);
    }
  }

  nextEvent(): Reply | undefined {
    return this.#events.shift();
  }

  /** The tamper switch. A change queues LSTATR; true when the state changed. */
  setTamper(active: boolean): boolean {
    if (this.#tamper === active) return false;
    this.#tamper = active;
    this.queueEvent(this.#localStatus());
    return true;
  }

  /** Mains power lost (true) or restored. A change queues LSTATR; true when it changed. */
  setPowerFailure(failed: boolean): boolean {
    if (this.#powerFailure === failed) return false;
    this.#powerFailure = failed;
    this.queueEvent(this.#localStatus());
    return true;
  }

  get tamper(): boolean {
    return this.#tamper;
  }

  get powerFailure(): boolean {
    return this.#powerFailure;
  }

  /** Events waiting for a POLL. */
  get pendingEvents(): number {
    return this.#events.size;
  }

  /** Events refused because the queue was full. */
  get eventOverflows(): number {
    return this.#events.overflows;
  }

  get eventQueueCapacity(): number {
    return this.#events.capacity;
  }

  /** Cancels every timer; outputs keep their state and nothing more is reported. */
  abstract stop(): void;

  /** The device's own commands; undefined for one it does not implement (NAK 0x03). */
  protected abstract handleDevice(command: Command): Reply | undefined;

  /** Queues an event reply for the CP; false when the queue was full and it was refused. */
  protected queueEvent(event: Reply): boolean {
    return this.#events.push(event);
  }

  protected output(event: PdOutputEvent): void {
    this.#onOutput(event);
  }

  #localStatus(): Reply {
    return { kind: "lstatr", tamper: this.#tamper ? 1 : 0, power: this.#powerFailure ? 1 : 0 };
  }
}
