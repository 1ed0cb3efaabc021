/** Frame type codes (docs/bridge-protocol.md §4). Bit 7 set: sent by the edge. */
export const FrameType = {
  HELLO: 0x01,
  HEARTBEAT: 0x02,
  ACK: 0x03,
  NAK: 0x04,
  CARD: 0x10,
  INPUT: 0x11,
  RELAY_STATE: 0x12,
  HELLO_REQUEST: 0x81,
  WELCOME: 0x82,
  EDGE_HEARTBEAT: 0x83,
  RELAY: 0x90,
  FEEDBACK: 0x91,
  CONFIGURE_READER: 0x92,
} as const;

export const PROTOCOL_VERSION = 1;

export type CardEndReason = "max-bits" | "gap";
export type RelayCause = "command" | "pulse-end" | "max-on" | "fail-safe";
export type RelayAction = "off" | "on" | "pulse";
export type LedColor = "off" | "red" | "green" | "amber";
/** Why a receiver consumed a sequenced frame without acting on it (§5.3). */
export type NakReason = "unknown-type" | "bad-payload" | "out-of-range";

export interface FirmwareVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface HelloMessage {
  readonly kind: "hello";
  readonly protocolVersion: number;
  readonly boardId: number;
  readonly firmware: FirmwareVersion;
  /** Random per boot: a new value tells the edge the board restarted. */
  readonly bootId: number;
  readonly readerPorts: number;
  readonly relays: number;
  readonly inputs: number;
  readonly model: string;
}

export interface HeartbeatMessage {
  readonly kind: "heartbeat";
  readonly uptimeMs: number;
  /** Debounced input states, bit n = input n active. */
  readonly inputs: number;
  /** Relay states, bit n = relay n energised. */
  readonly relays: number;
  readonly tamper: boolean;
  readonly rxBadCrc: number;
  readonly rxGarbageBytes: number;
  readonly pulsesRejected: number;
}

export interface AckMessage {
  readonly kind: "ack";
  readonly ackSeq: number;
}

export interface NakMessage {
  readonly kind: "nak";
  readonly nakSeq: number;
  readonly reason: NakReason;
}

export interface CardMessage {
  readonly kind: "card";
  readonly port: number;
  /** '0'/'1', first bit on the wire first. */
  readonly bits: string;
  readonly endReason: CardEndReason;
  /** Board uptime (ms, wraps at 2^32) when the frame ended. */
  readonly boardTimeMs: number;
  /** From the first to the last D-pulse of the card. */
  readonly durationUs: number;
}

export interface InputMessage {
  readonly kind: "input";
  readonly input: number;
  readonly active: boolean;
  readonly boardTimeMs: number;
}

export interface RelayStateMessage {
  readonly kind: "relay-state";
  readonly relay: number;
  readonly on: boolean;
  readonly cause: RelayCause;
  readonly boardTimeMs: number;
}

export interface HelloRequestMessage {
  readonly kind: "hello-request";
}

export interface WelcomeMessage {
  readonly kind: "welcome";
  /** Echo of the HELLO's bootId: a WELCOME for an earlier boot is ignored. */
  readonly bootId: number;
  /** Random per edge link start: a new value restarts sequence numbering (§5.1). */
  readonly edgeSession: number;
  readonly heartbeatMs: number;
  /** Relays drop when the edge is silent this long; 0 disables. */
  readonly failSafeMs: number;
}

export interface EdgeHeartbeatMessage {
  readonly kind: "edge-heartbeat";
}

export interface RelayMessage {
  readonly kind: "relay";
  readonly relay: number;
  readonly action: RelayAction;
  /** Pulse length; 0 for on/off. */
  readonly durationMs: number;
}

export interface FeedbackMessage {
  readonly kind: "feedback";
  readonly port: number;
  readonly led: LedColor;
  readonly buzzer: boolean;
  /** Revert to idle (red, silent) after this long; 0 = steady. */
  readonly durationMs: number;
}

export interface ConfigureReaderMessage {
  readonly kind: "configure-reader";
  readonly port: number;
  /** Longest format the reader accepts: the frame ends at once at this count; 0 = unknown. */
  readonly maxBits: number;
  /** Upper bound of the end-of-frame gap. */
  readonly gapCapMs: number;
}

export type BoardMessage =
  | HelloMessage
  | HeartbeatMessage
  | CardMessage
  | InputMessage
  | RelayStateMessage;
export type EdgeMessage =
  | HelloRequestMessage
  | WelcomeMessage
  | EdgeHeartbeatMessage
  | RelayMessage
  | FeedbackMessage
  | ConfigureReaderMessage;
export type LinkMessage = AckMessage | NakMessage;
export type BridgeMessage = BoardMessage | EdgeMessage | LinkMessage;

/** Kinds carried with a sequence number, acknowledged and retransmitted (§5). */
export type SequencedMessage =
  | CardMessage
  | InputMessage
  | RelayStateMessage
  | RelayMessage
  | FeedbackMessage
  | ConfigureReaderMessage;

const SEQUENCED = new Set<BridgeMessage["kind"]>([
  "card",
  "input",
  "relay-state",
  "relay",
  "feedback",
  "configure-reader",
]);

export function isSequenced(message: BridgeMessage): message is SequencedMessage {
  return SEQUENCED.has(message.kind);
}
