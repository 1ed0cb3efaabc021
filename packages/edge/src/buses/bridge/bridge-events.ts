import type {
  BridgeProtocolError,
  CardEndReason,
  FirmwareVersion,
  RelayCause,
  SequencedMessage,
} from "@acs/bridge-protocol";
import type { DecodedCard, WiegandError } from "@acs/wiegand";

export interface CardReadEvent {
  readonly port: number;
  readonly bits: string;
  readonly card: DecodedCard;
  readonly endReason: CardEndReason;
  readonly boardTimeMs: number;
  readonly durationUs: number;
  /** CLOCK_MONOTONIC µs when the frame was decoded. */
  readonly receivedAtUs: number;
}

export interface CardUnreadableEvent {
  readonly port: number;
  readonly bits: string;
  readonly error: WiegandError;
  readonly endReason: CardEndReason;
  readonly boardTimeMs: number;
  readonly receivedAtUs: number;
}

export interface InputEvent {
  readonly input: number;
  readonly active: boolean;
  readonly boardTimeMs: number;
  readonly receivedAtUs: number;
}

export interface RelayEvent {
  readonly relay: number;
  readonly on: boolean;
  readonly cause: RelayCause;
  readonly boardTimeMs: number;
}

export interface BoardIdentity {
  readonly boardId: number;
  readonly firmware: FirmwareVersion;
  readonly bootId: number;
  readonly model: string;
  readonly readerPorts: number;
  readonly relays: number;
  readonly inputs: number;
}

/** disconnected: the device is closed or missing; connecting: open, no session yet; offline: a session went silent. */
export type BoardLinkState = "disconnected" | "connecting" | "online" | "offline";

export interface BoardHealth {
  readonly state: BoardLinkState;
  readonly board: BoardIdentity | undefined;
  readonly tamper: boolean;
  readonly uptimeMs: number | undefined;
  /** What the board itself counted on its receive side, from its last heartbeat. */
  readonly boardRxBadCrc: number;
  readonly boardRxGarbageBytes: number;
  readonly pulsesRejected: number;
}

export interface BridgeBusEvents {
  card(event: CardReadEvent): void;
  unreadable(event: CardUnreadableEvent): void;
  input(event: InputEvent): void;
  relay(event: RelayEvent): void;
  health(health: BoardHealth): void;
  /** Bad bytes on the line: counted and logged, the stream resynchronises. */
  protocolError(error: BridgeProtocolError): void;
  /** A command the board refused or that expired before the board could get it. */
  commandFailed(command: SequencedMessage, reason: string): void;
}
