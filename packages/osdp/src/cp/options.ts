import type { OsdpError } from "../errors.js";
import type { Reply } from "../messages/types.js";
import type { CommandRequest, PdConfig, PdLink } from "./pd-link.js";

// The Control Panel's configuration and the shapes its modules share. Kept apart from the
// scheduler so the handshake and life-cycle modules can take them without a cycle.

/** Time as the CP needs it; the edge's clock fits. */
export interface OsdpClock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Where the CP's bytes go: the RS-485 port. Received bytes come back through `receive`. */
export interface OsdpLine {
  write(bytes: Uint8Array): void;
  /** COMSET moved the bus to another baud rate. */
  setBaudRate?(baudRate: number): void;
}

export interface PdInfo {
  readonly identification: NonNullable<PdLink["identification"]>;
  readonly capabilities: PdLink["capabilities"];
  readonly secure: boolean;
}

export interface ControlPanelHandlers {
  online?(address: number, info: PdInfo): void;
  offline?(address: number, reason: string): void;
  /** An unsolicited reply to a POLL: card data, keypad, biometrics, status changes. */
  event?(address: number, reply: Reply): void;
  /** Something wrong on the bus; address when it can be attributed to a PD. */
  error?(error: OsdpError, address: number | undefined): void;
  /** A PD took its own key (KEYSET) in install mode. */
  keyInstalled?(address: number): void;
}

export interface ControlPanelOptions {
  readonly line: OsdpLine;
  readonly clock: OsdpClock;
  readonly random: (length: number) => Uint8Array;
  readonly baudRate: number;
  readonly pds: readonly PdConfig[];
  readonly handlers?: ControlPanelHandlers;
  /** Refuse to run a PD outside the secure channel (production). Default true. */
  readonly requireSecure?: boolean;
  /** Allow the default key SCBK-D for PDs configured with `install`. Default false. */
  readonly allowInstallMode?: boolean;
  /** The PD's reply time allowance (the specification's REPLY_DELAY is 200 ms). */
  readonly replyTimeoutMs?: number;
  /** Tries after the first before a PD is taken offline. */
  readonly retries?: number;
  /** Reply bytes to allow wire time for, beyond the command's. */
  readonly replyAllowanceBytes?: number;
  readonly probeMinMs?: number;
  readonly probeMaxMs?: number;
  /** Send the 0xFF mark before SOM (v2.2). Default true. */
  readonly mark?: boolean;
  readonly maxPacket?: number;
}

/** What a command in flight is for: an init step, a poll, or a caller's command. */
export type Step = "probe" | "id" | "cap" | "chlng" | "scrypt" | "keyset" | "poll" | "command";

/** The one command in flight on the bus, kept for its retries and its reply. */
export interface Transaction {
  readonly link: PdLink;
  readonly step: Step;
  readonly code: number;
  readonly bytes: Uint8Array;
  readonly sequence: number;
  readonly request: CommandRequest | undefined;
  attempts: number;
  timer: unknown;
}
