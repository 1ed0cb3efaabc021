import { NAK_CODES } from "../codes.js";
import { OsdpError } from "../errors.js";
import { decodeCommand, encodeReply } from "../messages/index.js";
import type { Command, Reply } from "../messages/types.js";
import { BROADCAST, decodePacket, encodePacket, type Packet, SCS } from "../packet.js";
import {
  clientCryptogram,
  DEFAULT_SCBK,
  deriveSessionKeys,
  type SessionKeys,
  serverCryptogram,
} from "../secure/crypto.js";
import { SecureSession } from "../secure/session.js";
import type { PdApplication } from "./application.js";

export interface PeripheralOptions {
  address: number;
  app: PdApplication;
  /** The PD's own secure channel base key; undefined until a CP has set one (KEYSET). */
  scbk?: Uint8Array;
  /** Accepts a handshake with the default key SCBK-D (install mode). */
  installMode: boolean;
  /** Refuses every command but POLL, ID, CAP and the handshake outside the secure channel. */
  requireSecure: boolean;
  /** 8 bytes identifying the PD in CCRYPT (the cUID). */
  clientUid: Uint8Array;
  random(length: number): Uint8Array;
  /** A new SCBK arrived by KEYSET: keep it, it is the key of the next session. */
  onKeyChange?(scbk: Uint8Array): void;
  /** COMSET: the reply has been sent with the old settings; switch after it. */
  onComset?(address: number, baudRate: number): void;
  /** Something wrong arrived; counted and logged by the owner. */
  onError?(error: OsdpError): void;
}

export interface PeripheralStats {
  commands: number;
  replays: number;
  naks: number;
  badMac: number;
  sessions: number;
}

interface PendingHandshake {
  readonly keys: SessionKeys;
  readonly rndA: Uint8Array;
  readonly rndB: Uint8Array;
  readonly keyType: number;
}

const CLEAR_ALLOWED = new Set(["poll", "id", "cap"]);

/**
 * The link layer of one OSDP Peripheral Device: addressing, sequence numbers and reply
 * replay, the secure channel, KEYSET and COMSET. What the device does is its
 * PdApplication's business. `receive` takes a verified frame and returns the reply bytes,
 * or undefined when the frame is not for this PD.
 */
export class PeripheralDevice {
  readonly stats: PeripheralStats = { commands: 0, replays: 0, naks: 0, badMac: 0, sessions: 0 };
  private readonly o: PeripheralOptions;
  private address: number;
  private scbk: Uint8Array | undefined;
  private session: SecureSession | undefined;
  private handshake: PendingHandshake | undefined;
  private lastSequence = -1;
  private lastReply: Uint8Array | undefined;
  /** An event reply sent but not yet known to have arrived: sent again after a reset. */
  private inFlightEvent: Reply | undefined;
  private requeuedEvent: Reply | undefined;
  private afterReply: (() => void) | undefined;

  constructor(options: PeripheralOptions) {
    this.o = options;
    this.address = options.address;
    this.scbk = options.scbk;
  }

  get currentAddress(): number {
    return this.address;
  }

  get secure(): boolean {
    return this.session !== undefined;
  }

  /** The reply to a frame (SOM..check), or undefined when it is not addressed to us. */
  receive(frame: Uint8Array, marked = true): Uint8Array | undefined {
    let packet: Packet;
    try {
      packet = decodePacket(frame);
    } catch (err) {
      this.report(err);
      return undefined;
    }
    if (packet.reply) return undefined;
    if (packet.address !== this.address && packet.address !== BROADCAST) return undefined;
    this.stats.commands++;
    const { sequence } = packet;
    if (sequence === 0) {
      // Sequence 0 restarts the link: a new session, and an unconfirmed event goes again.
      this.resetLink();
    } else if (sequence === this.lastSequence && this.lastReply) {
      this.stats.replays++;
      return this.lastReply;
    } else if (this.lastSequence >= 0 && sequence !== nextSequence(this.lastSequence)) {
      this.report(
        new OsdpError("WRONG_SEQUENCE", `sequence ${sequence} after ${this.lastSequence}`),
      );
      return this.reply(packet, marked, nak(NAK_CODES.SEQUENCE), false);
    }
    if (this.inFlightEvent && sequence !== 0) this.inFlightEvent = undefined;
    this.lastSequence = sequence;
    const bytes = this.process(packet, marked);
    this.lastReply = bytes;
    const after = this.afterReply;
    this.afterReply = undefined;
    if (after) queueMicrotask(after);
    return bytes;
  }

  private process(packet: Packet, marked: boolean): Uint8Array {
    const type = packet.security?.type;
    if (type === SCS.CHLNG) return this.challenge(packet, marked);
    if (type === SCS.SCRYPT) return this.serverCryptogram(packet, marked);
    if (type !== undefined && type !== SCS.COMMAND_MAC && type !== SCS.COMMAND_ENCRYPTED) {
      this.report(new OsdpError("BAD_SECURITY_BLOCK", `unexpected SCS_${type.toString(16)}`));
      return this.reply(packet, marked, nak(NAK_CODES.SECURITY), false);
    }
    let data = packet.data;
    const secured = type !== undefined;
    if (secured) {
      if (!this.session) {
        this.report(new OsdpError("NOT_SECURE", "secure command without a session"));
        return this.reply(packet, marked, nak(NAK_CODES.SECURITY), false);
      }
      try {
        data = this.session.open("command", packet);
      } catch (err) {
        // A bad MAC ends the session; the CP must start over with a new challenge.
        if (err instanceof OsdpError && err.code === "BAD_MAC") this.stats.badMac++;
        this.report(err);
        this.session = undefined;
        return this.reply(packet, marked, nak(NAK_CODES.SECURITY), false);
      }
    } else if (this.session) {
      // A command in clear text ends the secure channel (Annex D).
      this.session = undefined;
    }
    let command: Command;
    try {
      command = decodeCommand(packet.code, data);
    } catch (err) {
      this.report(err);
      const code =
        err instanceof OsdpError && err.code === "UNKNOWN_CODE"
          ? NAK_CODES.UNKNOWN_COMMAND
          : NAK_CODES.COMMAND_LENGTH;
      return this.reply(packet, marked, nak(code), secured);
    }
    if (!secured && this.o.requireSecure && !CLEAR_ALLOWED.has(command.kind)) {
      return this.reply(packet, marked, nak(NAK_CODES.ENCRYPTION_REQUIRED), false);
    }
    return this.reply(packet, marked, this.execute(command, secured), secured);
  }

  private execute(command: Command, secured: boolean): Reply {
    switch (command.kind) {
      case "poll": {
        const event = this.requeuedEvent ?? this.o.app.nextEvent();
        this.requeuedEvent = undefined;
        this.inFlightEvent = event;
        return event ?? { kind: "ack" };
      }
      case "id":
        return { kind: "pdid", ...this.o.app.identification };
      case "cap":
        return { kind: "pdcap", capabilities: this.o.app.capabilities };
      case "keyset":
        if (!secured) return nak(NAK_CODES.SECURITY);
        if (command.keyType !== 0x01 || command.key.length !== 16)
          return nak(NAK_CODES.UNABLE_TO_PROCESS);
        this.scbk = command.key.slice();
        this.o.onKeyChange?.(this.scbk);
        return { kind: "ack" };
      case "comset": {
        const { address, baudRate } = command;
        if (address > 0x7e || ![9600, 19200, 38400, 57600, 115200, 230400].includes(baudRate))
          return { kind: "com", address: this.address, baudRate: 0 };
        this.afterReply = () => {
          this.address = address;
          this.o.onComset?.(address, baudRate);
        };
        return { kind: "com", address, baudRate };
      }
      case "chlng":
      case "scrypt":
        // Handshake commands only count inside their security block.
        return nak(NAK_CODES.SECURITY);
      default:
        return this.o.app.handle(command);
    }
  }

  private challenge(packet: Packet, marked: boolean): Uint8Array {
    this.session = undefined;
    this.handshake = undefined;
    const keyType = packet.security?.data[0] ?? 0x01;
    const key = keyType === 0x00 ? (this.o.installMode ? DEFAULT_SCBK : undefined) : this.scbk;
    if (!key || packet.data.length !== 8) {
      this.report(
        new OsdpError(
          "NOT_SECURE",
          !key
            ? `handshake with ${keyType === 0 ? "the default key outside install mode" : "a key this PD does not have"}`
            : "CHLNG without an 8-byte RND.A",
        ),
      );
      return this.reply(packet, marked, nak(NAK_CODES.SECURITY), false);
    }
    const rndA = packet.data.slice();
    const rndB = this.o.random(8);
    const keys = deriveSessionKeys(key, rndA);
    this.handshake = { keys, rndA, rndB, keyType };
    const reply: Reply = {
      kind: "ccrypt",
      clientUid: this.o.clientUid,
      rndB,
      clientCryptogram: clientCryptogram(keys.enc, rndA, rndB),
    };
    const { code, data } = encodeReply(reply);
    return this.encode(packet, marked, code, data, { type: SCS.CCRYPT, keyType });
  }

  private serverCryptogram(packet: Packet, marked: boolean): Uint8Array {
    const pending = this.handshake;
    this.handshake = undefined;
    const expected = pending
      ? serverCryptogram(pending.keys.enc, pending.rndA, pending.rndB)
      : undefined;
    if (!pending || !expected || !equalBytes(expected, packet.data)) {
      this.report(new OsdpError("BAD_CRYPTOGRAM", "server cryptogram does not verify"));
      return this.reply(packet, marked, nak(NAK_CODES.SECURITY), false);
    }
    const session = new SecureSession(pending.keys, packet.data);
    this.session = session;
    this.stats.sessions++;
    const { code, data } = encodeReply({ kind: "rmac_i", initialRmac: session.initialRmac });
    return this.encode(packet, marked, code, data, { type: SCS.RMAC_I, keyType: 0x01 });
  }

  private reply(packet: Packet, marked: boolean, reply: Reply, secured: boolean): Uint8Array {
    if (reply.kind === "nak") this.stats.naks++;
    const { code, data } = encodeReply(reply);
    if (secured && this.session) {
      return this.session.seal(
        "reply",
        { address: this.address, reply: true, sequence: packet.sequence, crc: packet.crc },
        code,
        data,
        marked,
      );
    }
    return this.encode(packet, marked, code, data);
  }

  private encode(
    packet: Packet,
    marked: boolean,
    code: number,
    data: Uint8Array,
    security?: { type: number; keyType: number },
  ): Uint8Array {
    return encodePacket(
      {
        address: this.address,
        reply: true,
        sequence: packet.sequence,
        crc: packet.crc,
        ...(security
          ? { security: { type: security.type, data: Uint8Array.of(security.keyType) } }
          : {}),
      },
      code,
      data,
      { mark: marked },
    );
  }

  private resetLink(): void {
    this.session = undefined;
    this.handshake = undefined;
    this.lastReply = undefined;
    if (this.inFlightEvent) this.requeuedEvent = this.inFlightEvent;
    this.inFlightEvent = undefined;
  }

  private report(err: unknown): void {
    if (err instanceof OsdpError) this.o.onError?.(err);
    else throw err;
  }
}

/** 1, 2, 3, 1, ...: 0 is only ever the reset. */
export function nextSequence(sequence: number): number {
  return sequence >= 3 ? 1 : sequence + 1;
}

function nak(errorCode: number): Reply {
  return { kind: "nak", errorCode, data: new Uint8Array(0) };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
