import { CAPABILITY } from "../codes.js";
import { OsdpError } from "../errors.js";
import { Framer } from "../framer.js";
import { decodeReply, encodeCommand } from "../messages/index.js";
import type { Command, Reply } from "../messages/types.js";
import { decodePacket, encodePacket, type Packet, SCS } from "../packet.js";
import { nextSequence } from "../pd/peripheral.js";
import { BusStatistics } from "./bus-stats.js";
import {
  acceptInitialRmac,
  acceptKeyset,
  answerClientCryptogram,
  beginChallenge,
  type HandshakeFrame,
} from "./handshake.js";
import { PdLifecycle, type UrgentItem } from "./lifecycle.js";
import type { ControlPanelOptions, Step, Transaction } from "./options.js";
import { type CommandRequest, PdLink } from "./pd-link.js";

export type {
  ControlPanelHandlers,
  ControlPanelOptions,
  OsdpClock,
  OsdpLine,
  PdInfo,
} from "./options.js";

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
  private readonly urgent: UrgentItem[] = [];
  private readonly lifecycle: PdLifecycle;
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
    this.lifecycle = new PdLifecycle(options, this.urgent, (err, address) =>
      this.report(err, address),
    );
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
      const next = this.urgent.shift() as UrgentItem;
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
    const frame = beginChallenge(link, keyType, this.o.random);
    if (frame) this.transmitHandshake(link, frame);
    else this.lifecycle.goOnline(link);
  }

  private transmitHandshake(link: PdLink, frame: HandshakeFrame): void {
    this.transmit(link, frame.step, frame.code, frame.data, undefined, frame.security);
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
    this.lifecycle.goOffline(link, `no reply to ${txn.step} after ${txn.attempts} tries`);
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
      if (txn.step === "chlng" || txn.step === "scrypt")
        this.lifecycle.goOffline(txn.link, err.message);
      else this.lifecycle.restartSession(txn);
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
      this.lifecycle.onNak(txn, reply.errorCode);
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
        if (!link.config.scbk && !this.secureRequired) this.lifecycle.goOnline(link);
        else if (!security || (security.compliance & 0x01) === 0) {
          this.lifecycle.goOffline(link, "the PD does not support the secure channel");
        }
        return;
      }
      case "chlng": {
        const next = answerClientCryptogram(link, reply, this.lifecycle.installAllowed(link));
        // Undefined: the PD's own key failed; the next turn tries SCBK-D.
        if (next) this.transmitHandshake(link, next);
        return;
      }
      case "scrypt": {
        const next = acceptInitialRmac(link, reply, packet);
        if (next) this.transmitHandshake(link, next);
        else this.lifecycle.goOnline(link);
        return;
      }
      case "keyset":
        acceptKeyset(link, reply);
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

  private requeue(txn: Transaction): void {
    if (txn.request) txn.link.queue.unshift(txn.request);
  }

  private emitEvent(link: PdLink, reply: Reply): void {
    if (STATUS_EVENTS.has(reply.kind)) this.o.handlers?.event?.(link.address, reply);
  }

  private report(err: unknown, address: number | undefined): void {
    if (!(err instanceof OsdpError)) throw err;
    this.o.handlers?.error?.(err, address);
  }
}
