import {
  type BridgeMessage,
  encodeMessage,
  Framer,
  PROTOCOL_VERSION,
  type RawFrame,
  ReliableChannel,
} from "@acs/bridge-protocol";
import type { MemoryTransport } from "@acs/serial-transport";

/**
 * A bridge board on a memory line that speaks the bridge protocol (hello, welcome,
 * heartbeats, acknowledged sequenced frames) and sends card frames as fast as the edge
 * acknowledges them: no Wiegand timing, for streams far too long to play as pulses.
 */
export class CardBoard {
  readonly bootId = (Math.random() * 0x100000000) >>> 0;
  /** Card frames acknowledged by the edge. */
  acknowledged = 0;
  sessions = 0;
  private readonly line: MemoryTransport;
  private readonly framer: Framer;
  private readonly channel: ReliableChannel;
  private readonly startedAt = performance.now();
  private edgeSession: number | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private topUpScheduled = false;
  private feeding:
    | { next: number; count: number; bits: (i: number) => string; done: () => void }
    | undefined;

  constructor(line: MemoryTransport) {
    this.line = line;
    this.framer = new Framer({ frame: (frame) => this.onFrame(frame), error: () => {} });
    this.channel = new ReliableChannel({
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
        now: () => performance.now(),
      },
      write: (bytes) => this.line.write(bytes),
      // Relay, feedback and reader configuration: taken (acknowledged), nothing to model.
      deliver: () => undefined,
    });
  }

  get welcomed(): boolean {
    return this.edgeSession !== undefined;
  }

  async plugIn(): Promise<void> {
    this.line.present = true;
    await this.line.open({ data: (chunk) => this.receive(chunk), closed: () => {} });
    this.heartbeat = setInterval(() => this.beat(), 100);
    this.sendHello();
  }

  unplug(): void {
    clearInterval(this.heartbeat);
    this.channel.stop();
  }

  /**
   * Sends `count` card frames (bits of frame i from `bits(i)`), keeping the edge's window
   * full; resolves when the edge has acknowledged every one of them.
   */
  feed(count: number, bits: (i: number) => string): Promise<void> {
    if (this.feeding) throw new Error("already feeding");
    return new Promise<void>((resolve) => {
      this.feeding = {
        next: 0,
        count,
        bits,
        done: () => {
          this.feeding = undefined;
          resolve();
        },
      };
      this.topUp();
    });
  }

  private receive(bytes: Uint8Array): void {
    const before = this.channel.depth;
    this.framer.push(bytes);
    this.acknowledged += Math.max(0, before - this.channel.depth);
    // Top up on the next turn, so the edge's timers and I/O get their turn too.
    if (this.feeding && !this.topUpScheduled) {
      this.topUpScheduled = true;
      setImmediate(() => {
        this.topUpScheduled = false;
        this.topUp();
      });
    }
  }

  private topUp(): void {
    const f = this.feeding;
    if (!f) return;
    // The edge's go-back-N window is 8 frames; a few more wait here, renumbered on a reset.
    while (f.next < f.count && this.channel.depth < 16) {
      this.channel.send({
        kind: "card",
        port: 0,
        bits: f.bits(f.next++),
        endReason: "max-bits",
        boardTimeMs: this.uptimeMs(),
        durationUs: 13_000,
      });
    }
    if (f.next === f.count && this.channel.depth === 0) f.done();
  }

  private onFrame(frame: RawFrame): void {
    const message = this.channel.take(frame);
    if (!message) return;
    if (message.kind === "hello-request") this.sendHello();
    else if (
      message.kind === "welcome" &&
      message.bootId === this.bootId &&
      message.edgeSession !== this.edgeSession
    ) {
      this.edgeSession = message.edgeSession;
      this.sessions++;
      this.channel.reset();
    }
  }

  private beat(): void {
    this.send({
      kind: "heartbeat",
      uptimeMs: this.uptimeMs(),
      inputs: 0,
      relays: 0,
      tamper: false,
      rxBadCrc: 0,
      rxGarbageBytes: 0,
      pulsesRejected: 0,
    });
  }

  private sendHello(): void {
    this.send({
      kind: "hello",
      protocolVersion: PROTOCOL_VERSION,
      boardId: 4711,
      firmware: { major: 1, minor: 4, patch: 0 },
      bootId: this.bootId,
      readerPorts: 1,
      relays: 2,
      inputs: 4,
      model: "CARD-FEEDER",
    });
  }

  private send(message: BridgeMessage): void {
    this.line.write(encodeMessage(message));
  }

  private uptimeMs(): number {
    return Math.floor(performance.now() - this.startedAt) >>> 0;
  }
}
