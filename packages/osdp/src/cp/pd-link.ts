import type { Capability, PdIdentification, Reply } from "../messages/types.js";
import type { SessionKeys } from "../secure/crypto.js";
import type { SecureSession } from "../secure/session.js";

/** How the CP reaches one PD on its bus. */
export interface PdConfig {
  readonly address: number;
  /** The PD's own secure channel base key (16 bytes). */
  readonly scbk?: Uint8Array;
  /**
   * Install mode: a PD without its own key yet is reached with SCBK-D, and the CP gives it
   * `scbk` with KEYSET. Only when the bus allows install mode.
   */
  readonly install?: boolean;
}

export type PdState = "offline" | "initialising" | "online";

export interface PdStats {
  online: boolean;
  commands: number;
  replies: number;
  retries: number;
  timeouts: number;
  naks: number;
  badMac: number;
  wrongSequence: number;
  sessions: number;
  offlineCount: number;
  /** Monotonic ms of the last good reply. */
  lastReplyMs: number | undefined;
}

export interface CommandRequest {
  readonly code: number;
  readonly data: Uint8Array;
  /** Resolves with the decoded reply; rejects with an OsdpError (NAK, TIMEOUT, offline). */
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/** The CP's view of one PD: link state, sequence, secure session, queued commands. */
export class PdLink {
  readonly config: PdConfig;
  readonly stats: PdStats = {
    online: false,
    commands: 0,
    replies: 0,
    retries: 0,
    timeouts: 0,
    naks: 0,
    badMac: 0,
    wrongSequence: 0,
    sessions: 0,
    offlineCount: 0,
    lastReplyMs: undefined,
  };
  state: PdState = "offline";
  /** The sequence of the next new command; 0 restarts the PD's link. */
  sequence = 0;
  crc = true;
  session: SecureSession | undefined;
  handshake:
    | { keys: SessionKeys; rndA: Uint8Array; keyType: number; serverCryptogram?: Uint8Array }
    | undefined;
  identification: PdIdentification | undefined;
  capabilities: readonly Capability[] = [];
  /** Whether the PD answered the handshake under SCBK-D (install mode) this time. */
  usingDefaultKey = false;
  /** Next monotonic ms at which an offline PD is probed again. */
  nextProbeMs = 0;
  probeBackoffMs = 0;
  readonly queue: CommandRequest[] = [];

  constructor(config: PdConfig) {
    this.config = config;
  }

  get address(): number {
    return this.config.address;
  }
}
