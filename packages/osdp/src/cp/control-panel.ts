import { CAPABILITY, NAK_CODES } from "../codes.js";
import { OsdpError } from "../errors.js";
import { Framer } from "../framer.js";
import { decodeReply, encodeCommand } from "../messages/index.js";
import type { Command, Reply } from "../messages/types.js";
import { decodePacket, encodePacket, type Packet, SCS } from "../packet.js";
import { nextSequence } from "../pd/peripheral.js";
import {
  clientCryptogram,
  DEFAULT_SCBK,
  deriveSessionKeys,
  serverCryptogram,
} from "../secure/crypto.js";
import { SecureSession } from "../secure/session.js";
import { BusStatistics } from "./bus-stats.js";
import { type CommandRequest, type PdConfig, PdLink } from "./pd-link.js";

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

type Step = "probe" | "id" | "cap" | "chlng" | "scrypt" | "keyset" | "poll" | "command";

interface Transaction {
  readonly link: PdLink;
  readonly step: Step;
  readonly code: number;
  readonly bytes: Uint8Array;
  readonly sequence: number;
  readonly request: CommandRequest | undefined;
  attempts: number;
  timer: unknown;
}

const STATUS_EVENTS = new Set<Reply["kind"]>([
  "raw",
  "fmt",
  "keypad",
  "bioreadr",
  "biomatchr",
  "lstatr",
  "istatr",
  "ostatr",
  "rstatr",
  "mfgrep",
]);

const empty = new Uint8Array(0);

/**
 * The Control Panel of one RS-485 bus: one command in flight at a time, the PDs polled in
 * turn, urgent commands (a lock or LED after a decision) sent before the next poll, each
 * PD brought online with ID, CAP and the secure channel, and taken offline after its
 * retries run out, then probed with growing intervals until it returns.
 */
export class ControlPanel {
  readonly bus: BusStatistics;
  private readonly o: ControlPanelOptions;
  private readonly links: PdLink[];
  private readonly byAddress = new Map<number, PdLink>();
  private readonly framer: Framer;
  private readonly urgent: Array<{ link: PdLink; request: CommandRequest }> = [];
  private inFlight: Transaction | undefined;
  private turn = 0;
  private idleTimer: unknown;
  private running = false;
  /** While COMSET moves the bus, only its own commands go out: no poll at a mixed rate. */
  private changingBaud = false;
  private baudRate: number;

  constructor(options: ControlPanelOptions) {
    this.o = options;
    this.baudRate = options.baudRate;
    this.bus = new BusStatistics(options.clock, options.baudRate);
    this.links = options.pds.map((pd) => new PdLink(pd));
    for (const link of this.links) {
      if (this.byAddress.has(link.address)) {
        throw new OsdpError("BAD_HEADER", `PD address ${link.address} configured twice`);
      }
      if (link.address < 0 || link.address > 0x7e) {
        throw new OsdpError("BAD_HEADER", `PD address ${link.address} outside 0..126`);
      }
      if (this.secureRequired && !link.config.scbk) {
        throw new OsdpError(
          "NOT_SECURE",
          `PD ${link.address} has no key and clear text is not allowed`,
        );
      }
      this.byAddress.set(link.address, link);
    }
    this.framer = new Framer(
      {
        frame: (frame) => this.onFrame(frame.bytes),
        error: (err) => {
          this.bus.framingError(err.code);
          this.report(err, this.inFlight?.link.address);
        },
      },
      options.maxPacket === undefined ? {} : { maxPacket: options.maxPacket },
    );
  }

  private get secureRequired(): boolean {
    return this.o.requireSecure ?? true;
  }

  start(): void {
    this.running = true;
    this.bus.start();
    this.pump();
  }

  stop(): void {
    this.running = false;
    if (this.inFlight) this.o.clock.clearTimeout(this.inFlight.timer);
    if (this.idleTimer !== undefined) this.o.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const failure = new OsdpError("TIMEOUT", "the control panel stopped");
    this.inFlight?.request?.reject(failure);
    this.inFlight = undefined;
    for (const { request } of this.urgent.splice(0)) request.reject(failure);
    for (const link of this.links)
      for (const request of link.queue.splice(0)) request.reject(failure);
  }

  /** Bytes from the line. */
  receive(chunk: Uint8Array): void {
    this.bus.received(chunk.length);
    this.framer.push(chunk);
  }

  pd(address: number): PdLink | undefined {
    return this.byAddress.get(address);
  }

  get pds(): readonly PdLink[] {
    return this.links;
  }

  /**
   * Sends a command to an online PD and resolves with its reply. `urgent` puts it before
   * the next poll of any PD: the lock and LED commands that follow a decision.
   */
  send(address: number, command: Command, options: { urgent?: boolean } = {}): Promise<Reply> {
    const link = this.byAddress.get(address);
    if (!link)
      return Promise.reject(new OsdpError("WRONG_ADDRESS", `no PD ${address} on this bus`));
    if (link.state === "offline") {
      return Promise.reject(new OsdpError("TIMEOUT", `PD ${address} is offline`));
    }
    const { code, data } = encodeCommand(command);
    return new Promise<Reply>((resolve, reject) => {
      const request: CommandRequest = { code, data, resolve, reject };
      if (options.urgent) this.urgent.push({ link, request });
      else link.queue.push(request);
      this.pump();
    });
  }

  get currentBaudRate(): number {
    return this.baudRate;
  }

  /**
   * Moves the whole bus to another baud rate with osdp_COMSET: every online PD is told at
   * the old rate (each switches after its osdp_COM), then the CP's line follows. Polling
   * pauses meanwhile, so no PD is asked at a rate it has left. A PD that refuses keeps the
   * old rate; the bus then stays where it was and the error says which PD.
   */
  async changeBaudRate(baudRate: number): Promise<void> {
    if (baudRate === this.baudRate) return;
    this.changingBaud = true;
    try {
      for (const link of this.links) {
        if (link.state !== "online") continue;
        const reply = await this.send(
          link.address,
          { kind: "comset", address: link.address, baudRate },
          { urgent: true },
        );
        if (reply.kind !== "com" || reply.baudRate !== baudRate) {
          throw new OsdpError("NAK", `PD ${link.address} refused ${baudRate} baud`);
        }
      }
      this.baudRate = baudRate;
      this.bus.setBaudRate(baudRate);
      this.o.line.setBaudRate?.(baudRate);
    } finally {
      this.changingBaud = false;
      this.pump();
    }
  }

  // -- scheduling -------------------------------------------------------------------

  private pump(): void {
    if (!this.running || this.inFlight) return;
    if (this.idleTimer !== undefined) {
      this.o.clock.clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    while (this.urgent.length > 0) {
      const next = this.urgent.shift() as { link: PdLink; request: CommandRequest };
      if (next.link.state !== "online") {
        // Re-establishing its session: first in line once it is back.
        next.link.queue.unshift(next.request);
        continue;
      }
      this.transmit(next.link, "command", next.request.code, next.request.data, next.request);
      return;
    }
    if (this.changingBaud) return;
    const now = this.o.clock.now();
    let earliestProbe = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.links.length; i++) {
      const index = (this.turn + i) % this.links.length;
      const link = this.links[index] as PdLink;
      if (link.state === "offline" && now < link.nextProbeMs) {
        earliestProbe = Math.min(earliestProbe, link.nextProbeMs);
        continue;
      }
      this.turn = index + 1;
      if (this.turn >= this.links.length) {
        this.turn = 0;
        this.bus.cycleCompleted();
      }
      this.serve(link);
      return;
    }
    if (Number.isFinite(earliestProbe)) {
      this.idleTimer = this.o.clock.setTimeout(
        () => {
          this.idleTimer = undefined;
          this.pump();
        },
        Math.max(1, earliestProbe - now),
      );
    }
  }

  private serve(link: PdLink): void {
    if (link.state === "offline") {
      link.state = "initialising";
      link.sequence = 0;
      link.session = undefined;
      link.handshake = undefined;
      link.crc = true;
      this.transmit(link, "probe", 0x60, empty);
      return;
    }
    if (link.state === "initialising") {
      this.continueInit(link);
      return;
    }
    const request = link.queue.shift();
    if (request) this.transmit(link, "command", request.code, request.data, request);
    else this.transmit(link, "poll", 0x60, empty);
  }

  private continueInit(link: PdLink): void {
    if (!link.identification) this.transmit(link, "id", 0x61, Uint8Array.of(0));
    else if (link.capabilities.length === 0) this.transmit(link, "cap", 0x62, Uint8Array.of(0));
    else this.challenge(link, link.usingDefaultKey ? 0x00 : 0x01);
  }

  private challenge(link: PdLink, keyType: number): void {
    const key = keyType === 0x00 ? DEFAULT_SCBK : link.config.scbk;
    if (!key) {
      this.goOnline(link);
      return;
    }
    const rndA = this.o.random(8);
    link.handshake = { keys: deriveSessionKeys(key, rndA), rndA, keyType };
    link.session = undefined;
    this.transmit(link, "chlng", 0x76, rndA, undefined, {
      type: SCS.CHLNG,
      data: Uint8Array.of(keyType),
    });
  }

  private transmit(
    link: PdLink,
    step: Step,
    code: number,
    data: Uint8Array,
    request?: CommandRequest,
    security?: { type: number; data: Uint8Array },
  ): void {
    const sequence = link.sequence;
    const header = { address: link.address, reply: false, sequence, crc: link.crc };
    const mark = this.o.mark ?? true;
    const bytes =
      link.session && !security
        ? link.session.seal("command", header, code, data, mark)
        : encodePacket(security ? { ...header, security } : header, code, data, { mark });
    const txn: Transaction = {
      link,
      step,
      code,
      bytes,
      sequence,
      request,
      attempts: 0,
      timer: undefined,
    };
    this.inFlight = txn;
    link.stats.commands++;
    this.send1(txn);
  }

  private send1(txn: Transaction): void {
    txn.attempts++;
    this.bus.sent(txn.bytes.length);
    this.o.line.write(txn.bytes);
    const wire = (bytes: number) => (bytes * 10_000) / this.baudRate;
    const timeout =
      wire(txn.bytes.length) +
      (this.o.replyTimeoutMs ?? 200) +
      wire(this.o.replyAllowanceBytes ?? 256);
    txn.timer = this.o.clock.setTimeout(() => this.onTimeout(txn), Math.ceil(timeout));
  }

  private onTimeout(txn: Transaction): void {
    if (this.inFlight !== txn) return;
    const { link } = txn;
    link.stats.timeouts++;
    this.framer.expire();
    // An offline PD gets one try per probe: its retries would only hold up the others.
    const retries = txn.step === "probe" ? 0 : (this.o.retries ?? 2);
    if (txn.attempts <= retries) {
      link.stats.retries++;
      this.send1(txn);
      return;
    }
    this.inFlight = undefined;
    this.goOffline(link, `no reply to ${txn.step} after ${txn.attempts} tries`);
    this.pump();
  }

  // -- replies ----------------------------------------------------------------------

  private onFrame(bytes: Uint8Array): void {
    let packet: Packet;
    try {
      packet = decodePacket(bytes);
    } catch (err) {
      this.report(err, this.inFlight?.link.address);
      return;
    }
    if (!packet.reply) return; // our own command echoed by a two-wire transceiver
    const txn = this.inFlight;
    if (!txn) {
      this.report(
        new OsdpError("WRONG_SEQUENCE", "a reply with no command in flight"),
        packet.address,
      );
      return;
    }
    if (packet.address !== txn.link.address) {
      this.report(
        new OsdpError(
          "WRONG_ADDRESS",
          `PD ${packet.address} answered a command to ${txn.link.address}`,
        ),
        txn.link.address,
      );
      return;
    }
    if (packet.sequence !== txn.sequence) {
      txn.link.stats.wrongSequence++;
      this.report(
        new OsdpError(
          "WRONG_SEQUENCE",
          `reply sequence ${packet.sequence}, expected ${txn.sequence}`,
        ),
        txn.link.address,
      );
      return;
    }
    this.o.clock.clearTimeout(txn.timer);
    this.inFlight = undefined;
    txn.link.stats.replies++;
    txn.link.stats.lastReplyMs = this.o.clock.now();
    try {
      this.handleReply(txn, packet);
    } catch (err) {
      if (!(err instanceof OsdpError)) throw err;
      this.report(err, txn.link.address);
      // A handshake that fails (a wrong key) is retried with the offline PD's backoff.
      if (txn.step === "chlng" || txn.step === "scrypt") this.goOffline(txn.link, err.message);
      else this.restartSession(txn);
    }
    this.pump();
  }

  private handleReply(txn: Transaction, packet: Packet): void {
    const { link } = txn;
    // The exchange is complete at the link level, whatever its content: the PD has moved on.
    link.sequence = nextSequence(txn.sequence);
    let data = packet.data;
    const secureReply =
      packet.security?.type === SCS.REPLY_MAC || packet.security?.type === SCS.REPLY_ENCRYPTED;
    if (link.session && secureReply) {
      try {
        data = link.session.open("reply", packet);
      } catch (err) {
        if (err instanceof OsdpError && err.code === "BAD_MAC") link.stats.badMac++;
        throw err;
      }
    } else if (link.session && !(txn.step === "keyset" && packet.code === 0x40)) {
      // Only a NAK may come in clear inside a session (the PD dropped it); some readers
      // also answer KEYSET with a clear ACK.
      if (packet.code !== 0x41) {
        throw new OsdpError("NOT_SECURE", "a clear-text reply inside the secure channel");
      }
      link.session = undefined;
    } else if (secureReply) {
      throw new OsdpError("NOT_SECURE", "a secure reply without a session");
    }
    const reply = decodeReply(packet.code, data);
    if (reply.kind === "busy") {
      // The PD will take the command later: it goes again, on the next turn.
      this.requeue(txn);
      return;
    }
    if (reply.kind === "nak") {
      this.onNak(txn, reply.errorCode);
      return;
    }
    switch (txn.step) {
      case "probe":
        return;
      case "id":
        if (reply.kind !== "pdid")
          throw new OsdpError("BAD_PAYLOAD", `ID answered with ${reply.kind}`);
        link.identification = reply;
        return;
      case "cap": {
        if (reply.kind !== "pdcap")
          throw new OsdpError("BAD_PAYLOAD", `CAP answered with ${reply.kind}`);
        link.capabilities = reply.capabilities;
        const check = reply.capabilities.find((c) => c.functionCode === CAPABILITY.CHECK_CHARACTER);
        link.crc = check ? check.compliance !== 0 : true;
        const security = reply.capabilities.find(
          (c) => c.functionCode === CAPABILITY.COMMUNICATION_SECURITY,
        );
        if (!link.config.scbk && !this.secureRequired) this.goOnline(link);
        else if (!security || (security.compliance & 0x01) === 0) {
          this.goOffline(link, "the PD does not support the secure channel");
        }
        return;
      }
      case "chlng":
        this.onClientCryptogram(link, reply);
        return;
      case "scrypt":
        this.onInitialRmac(link, reply, packet);
        return;
      case "keyset":
        if (reply.kind !== "ack")
          throw new OsdpError("BAD_PAYLOAD", `KEYSET answered with ${reply.kind}`);
        link.usingDefaultKey = false;
        link.session = undefined;
        this.o.handlers?.keyInstalled?.(link.address);
        return;
      case "poll":
        if (reply.kind !== "ack") this.emitEvent(link, reply);
        return;
      case "command":
        txn.request?.resolve(reply);
        return;
    }
  }

  private onClientCryptogram(link: PdLink, reply: Reply): void {
    const pending = link.handshake;
    if (reply.kind !== "ccrypt" || !pending) {
      throw new OsdpError("BAD_PAYLOAD", `CHLNG answered with ${reply.kind}`);
    }
    const expected = clientCryptogram(pending.keys.enc, pending.rndA, reply.rndB);
    if (!sameBytes(expected, reply.clientCryptogram)) {
      link.handshake = undefined;
      if (pending.keyType === 0x01 && this.installAllowed(link)) {
        link.usingDefaultKey = true;
        return;
      }
      throw new OsdpError(
        "BAD_CRYPTOGRAM",
        "the PD's client cryptogram does not verify: wrong key",
      );
    }
    const cryptogram = serverCryptogram(pending.keys.enc, pending.rndA, reply.rndB);
    link.handshake = { ...pending, serverCryptogram: cryptogram };
    this.transmit(link, "scrypt", 0x77, cryptogram, undefined, {
      type: SCS.SCRYPT,
      data: Uint8Array.of(pending.keyType),
    });
  }

  private onInitialRmac(link: PdLink, reply: Reply, packet: Packet): void {
    const pending = link.handshake;
    const cryptogram = pending?.serverCryptogram;
    link.handshake = undefined;
    if (reply.kind !== "rmac_i" || !pending || !cryptogram || packet.security?.data[0] !== 0x01) {
      throw new OsdpError("BAD_CRYPTOGRAM", "the PD refused the server cryptogram");
    }
    const session = new SecureSession(pending.keys, cryptogram);
    if (!sameBytes(session.initialRmac, reply.initialRmac)) {
      throw new OsdpError("BAD_MAC", "the PD's initial R-MAC does not verify");
    }
    link.session = session;
    link.stats.sessions++;
    if (link.usingDefaultKey && link.config.scbk) {
      const { code, data } = encodeCommand({
        kind: "keyset",
        keyType: 0x01,
        key: link.config.scbk,
      });
      this.transmit(link, "keyset", code, data);
      return;
    }
    this.goOnline(link);
  }

  private onNak(txn: Transaction, errorCode: number): void {
    const { link } = txn;
    link.stats.naks++;
    const error = new OsdpError(
      "NAK",
      `PD ${link.address} answered ${txn.step} with NAK 0x${errorCode.toString(16).padStart(2, "0")}`,
    );
    this.report(error, link.address);
    if (errorCode === NAK_CODES.SEQUENCE) {
      this.restartLink(txn, "sequence lost");
      return;
    }
    if (errorCode === NAK_CODES.SECURITY || errorCode === NAK_CODES.ENCRYPTION_REQUIRED) {
      if (txn.step === "chlng" && link.handshake?.keyType === 0x01 && this.installAllowed(link)) {
        // The PD has no key of its own yet: enrol it with the default key.
        link.usingDefaultKey = true;
        link.handshake = undefined;
        return;
      }
      if (txn.step === "chlng" || txn.step === "scrypt") {
        this.goOffline(link, "the PD refused the secure channel");
        return;
      }
      this.restartSession(txn);
      return;
    }
    if (txn.step === "command") txn.request?.reject(error);
    else if (txn.step !== "poll") this.goOffline(link, `NAK to ${txn.step}`);
  }

  private installAllowed(link: PdLink): boolean {
    return (this.o.allowInstallMode ?? false) && (link.config.install ?? false);
  }

  /** The session broke (bad MAC, a PD that lost it): a new handshake, the command again. */
  private restartSession(txn: Transaction): void {
    const { link } = txn;
    link.session = undefined;
    link.handshake = undefined;
    if (link.state === "online") link.state = "initialising";
    if (txn.request) link.queue.unshift(txn.request);
  }

  private restartLink(txn: Transaction, reason: string): void {
    const { link } = txn;
    this.report(
      new OsdpError("WRONG_SEQUENCE", `PD ${link.address}: ${reason}; restarting its link`),
      link.address,
    );
    link.sequence = 0;
    link.session = undefined;
    if (txn.request) link.queue.unshift(txn.request);
    link.state = "initialising";
    link.identification = undefined;
    link.capabilities = [];
  }

  private requeue(txn: Transaction): void {
    if (txn.request) txn.link.queue.unshift(txn.request);
  }

  private goOnline(link: PdLink): void {
    link.state = "online";
    link.stats.online = true;
    link.probeBackoffMs = 0;
    this.o.handlers?.online?.(link.address, {
      identification: link.identification as NonNullable<PdLink["identification"]>,
      capabilities: link.capabilities,
      secure: link.session !== undefined,
    });
  }

  private goOffline(link: PdLink, reason: string): void {
    const wasOnline = link.state === "online";
    link.state = "offline";
    link.stats.online = false;
    link.session = undefined;
    link.handshake = undefined;
    link.identification = undefined;
    link.capabilities = [];
    link.usingDefaultKey = false;
    const min = this.o.probeMinMs ?? 500;
    link.probeBackoffMs = Math.min(
      this.o.probeMaxMs ?? 8000,
      link.probeBackoffMs ? link.probeBackoffMs * 2 : min,
    );
    link.nextProbeMs = this.o.clock.now() + link.probeBackoffMs;
    const failure = new OsdpError("TIMEOUT", `PD ${link.address} went offline: ${reason}`);
    for (const request of link.queue.splice(0)) request.reject(failure);
    for (let i = this.urgent.length - 1; i >= 0; i--) {
      const item = this.urgent[i];
      if (item?.link === link) {
        this.urgent.splice(i, 1);
        item.request.reject(failure);
      }
    }
    if (wasOnline) {
      link.stats.offlineCount++;
      this.o.handlers?.offline?.(link.address, reason);
    }
  }

  private emitEvent(link: PdLink, reply: Reply): void {
    if (STATUS_EVENTS.has(reply.kind)) this.o.handlers?.event?.(link.address, reply);
  }

  private report(err: unknown, address: number | undefined): void {
    if (!(err instanceof OsdpError)) throw err;
    this.o.handlers?.error?.(err, address);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
