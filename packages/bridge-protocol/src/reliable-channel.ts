import { decodeMessage, encodeMessage } from "./codec.js";
import { BridgeProtocolError } from "./errors.js";
import type { RawFrame } from "./frame.js";
import {
  type BridgeMessage,
  isSequenced,
  type NakReason,
  type SequencedMessage,
} from "./messages.js";
import { FIRST_SEQ, nextSeq, prevSeq, seqDistance } from "./sequence.js";

/** Timers are injected so the protocol stays pure and tests run on fake time. */
export interface LinkTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
}

export interface ReliableChannelOptions {
  readonly timers: LinkTimers;
  /** Puts the bytes of one frame on the line. */
  write(bytes: Uint8Array): void;
  /** An in-order sequenced message arrived; return a reason to refuse (NAK) it. */
  deliver(message: SequencedMessage): NakReason | undefined;
  /** A frame could not be decoded (`seq` 0: unsequenced, dropped; else in order and NAK'd). */
  refused?(error: BridgeProtocolError, seq: number): void;
  /** The peer refused a message we sent. */
  nakked?(message: SequencedMessage, reason: NakReason): void;
  /** A queued message expired before it could be sent in a session. */
  expired?(message: SequencedMessage): void;
  /** Unacknowledged frames in flight (go-back-N window). */
  readonly window?: number;
  readonly retransmitMs?: number;
  /** Messages held while the peer is away; beyond this `send` refuses. */
  readonly maxQueue?: number;
}

interface Outgoing {
  readonly message: SequencedMessage;
  readonly expiresAt: number | undefined;
  seq: number;
  bytes: Uint8Array | undefined;
}

export class QueueFullError extends Error {
  readonly code = "QUEUE_FULL";
  constructor(depth: number) {
    super(`link queue full (${depth} messages)`);
    this.name = "QueueFullError";
  }
}

/**
 * Go-back-N delivery of sequenced messages over the bridge line (§5.2): in order,
 * each once per session, retransmitted until acknowledged. While paused (no session
 * with the peer) messages wait in the queue; `reset()` starts a new session and
 * renumbers what was not acknowledged, so nothing queued is lost to a restart.
 */
export class ReliableChannel {
  private readonly options: ReliableChannelOptions;
  private readonly window: number;
  private readonly retransmitMs: number;
  private readonly maxQueue: number;
  private readonly inFlight: Outgoing[] = [];
  private readonly waiting: Outgoing[] = [];
  private txSeq = FIRST_SEQ;
  private rxExpected = FIRST_SEQ;
  private rxAny = false;
  private paused = true;
  private timer: unknown;
  readonly stats = { sent: 0, retransmitted: 0, delivered: 0, duplicates: 0, outOfOrder: 0 };

  constructor(options: ReliableChannelOptions) {
    this.options = options;
    this.window = options.window ?? 8;
    this.retransmitMs = options.retransmitMs ?? 50;
    this.maxQueue = options.maxQueue ?? 1024;
  }

  /** Messages not yet acknowledged by the peer. */
  get depth(): number {
    return this.inFlight.length + this.waiting.length;
  }

  send(message: SequencedMessage, ttlMs?: number): void {
    if (this.depth >= this.maxQueue) throw new QueueFullError(this.depth);
    const expiresAt = ttlMs === undefined ? undefined : this.options.timers.now() + ttlMs;
    this.waiting.push({ message, expiresAt, seq: 0, bytes: undefined });
    this.pump();
  }

  /** A new session: both directions number from 1 again; unacknowledged messages are resent. */
  reset(): void {
    this.clearTimer();
    const pending = [...this.inFlight, ...this.waiting];
    this.inFlight.length = 0;
    this.waiting.length = 0;
    this.txSeq = FIRST_SEQ;
    this.rxExpected = FIRST_SEQ;
    this.rxAny = false;
    this.paused = false;
    for (const out of pending) {
      out.seq = 0;
      out.bytes = undefined;
      this.waiting.push(out);
    }
    this.pump();
  }

  /** The peer is away: hold everything, keep the queue. */
  pause(): void {
    this.paused = true;
    this.clearTimer();
  }

  stop(): void {
    this.pause();
  }

  /**
   * Takes a CRC-checked frame off the line. Sequenced frames and ACK/NAK belong to the
   * channel; any other message is returned for the caller to act on; one that cannot be
   * decoded goes to `refused`.
   */
  take(frame: RawFrame): BridgeMessage | undefined {
    if (frame.seq !== 0) {
      this.receive(frame);
      return undefined;
    }
    let message: BridgeMessage;
    try {
      message = decodeMessage(frame);
    } catch (err) {
      if (!(err instanceof BridgeProtocolError)) throw err;
      this.options.refused?.(err, 0);
      return undefined;
    }
    if (message.kind === "ack") this.acknowledged(message.ackSeq);
    else if (message.kind === "nak") this.refusedByPeer(message.nakSeq, message.reason);
    else return message;
    return undefined;
  }

  /** A CRC-checked frame with a non-zero sequence number. */
  receive(frame: RawFrame): void {
    if (this.paused) return;
    if (frame.seq !== this.rxExpected) {
      if (seqDistance(frame.seq, this.rxExpected) <= 127) this.stats.duplicates++;
      else this.stats.outOfOrder++;
      if (this.rxAny) this.writeLink({ kind: "ack", ackSeq: prevSeq(this.rxExpected) });
      return;
    }
    const seq = frame.seq;
    this.rxExpected = nextSeq(seq);
    this.rxAny = true;
    let reason: NakReason | undefined;
    try {
      const message = decodeMessage(frame);
      if (isSequenced(message)) {
        this.stats.delivered++;
        reason = this.options.deliver(message);
      } else {
        reason = "bad-payload";
      }
    } catch (err) {
      if (!(err instanceof BridgeProtocolError)) throw err;
      reason = err.code === "UNKNOWN_TYPE" ? "unknown-type" : "bad-payload";
      this.options.refused?.(err, seq);
    }
    if (reason === undefined) this.writeLink({ kind: "ack", ackSeq: seq });
    else this.writeLink({ kind: "nak", nakSeq: seq, reason });
  }

  /** Cumulative acknowledgement: everything up to and including `seq`. */
  acknowledged(seq: number): void {
    this.release(seq, undefined);
  }

  /** The peer consumed `seq` (and all before it) but refused `seq` itself. */
  refusedByPeer(seq: number, reason: NakReason): void {
    this.release(seq, reason);
  }

  private release(seq: number, reason: NakReason | undefined): void {
    const front = this.inFlight[0];
    if (!front) return;
    const count = seqDistance(front.seq, seq) + 1;
    if (count > this.inFlight.length) return;
    const done = this.inFlight.splice(0, count);
    if (reason !== undefined) {
      const refused = done[done.length - 1];
      if (refused) this.options.nakked?.(refused.message, reason);
    }
    this.clearTimer();
    this.pump();
  }

  private pump(): void {
    if (this.paused) return;
    const now = this.options.timers.now();
    while (this.inFlight.length < this.window && this.waiting.length > 0) {
      const out = this.waiting.shift() as Outgoing;
      if (out.expiresAt !== undefined && out.expiresAt < now) {
        this.options.expired?.(out.message);
        continue;
      }
      out.seq = this.txSeq;
      this.txSeq = nextSeq(this.txSeq);
      out.bytes = encodeMessage(out.message, out.seq);
      this.inFlight.push(out);
      this.stats.sent++;
      this.options.write(out.bytes);
    }
    this.armTimer();
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.inFlight.length === 0) return;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      this.retransmit();
    }, this.retransmitMs);
  }

  private retransmit(): void {
    if (this.paused) return;
    for (const out of this.inFlight) {
      this.stats.retransmitted++;
      this.options.write(out.bytes as Uint8Array);
    }
    this.armTimer();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private writeLink(
    message: { kind: "ack"; ackSeq: number } | { kind: "nak"; nakSeq: number; reason: NakReason },
  ): void {
    this.options.write(encodeMessage(message));
  }
}
