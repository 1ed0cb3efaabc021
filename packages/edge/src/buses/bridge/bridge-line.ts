import {
  type BridgeProtocolError,
  Framer,
  type FramerStats,
  type RawFrame,
} from "@acs/bridge-protocol";
import type { ByteTransport } from "@acs/serial-transport";
import type { Clock } from "../../clock.js";

export interface BridgeLineHandlers {
  opened(): void;
  /** The device went away; the line reopens it by itself. */
  closed(error: Error | undefined): void;
  openFailed(error: Error): void;
  /** Bytes arrived (before they are framed): the board is alive. */
  heard(): void;
  frame(frame: RawFrame): void;
  protocolError(error: BridgeProtocolError): void;
}

export interface BridgeLineOptions {
  readonly transport: ByteTransport;
  readonly clock: Clock;
  readonly reconnectMs?: number;
  /** A partial frame older than this is dropped as truncated. */
  readonly frameTimeoutMs?: number;
}

/**
 * The serial line to a bridge board: opens the device and reopens it when it returns,
 * frames what arrives (dropping stale partial frames), and sends. Everything the frames of
 * one received chunk make the edge send leaves in one write: one system call and one
 * wake-up of the line instead of several; `flush()` sends at once (a lock command).
 */
export class BridgeLine {
  readonly framer: Framer;
  private readonly options: BridgeLineOptions;
  private readonly handlers: BridgeLineHandlers;
  private running = false;
  private open = false;
  private corked = 0;
  private held: Uint8Array[] = [];
  private timers: { reconnect?: unknown; frame?: unknown } = {};
  reconnects = 0;

  constructor(options: BridgeLineOptions, handlers: BridgeLineHandlers) {
    this.options = options;
    this.handlers = handlers;
    this.framer = new Framer({
      frame: (frame) => handlers.frame(frame),
      error: (error) => handlers.protocolError(error),
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  get stats(): FramerStats {
    return this.framer.stats;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const handle of Object.values(this.timers)) {
      if (handle !== undefined) this.options.clock.clearTimeout(handle);
    }
    this.timers = {};
    this.open = false;
    this.held = [];
    await this.options.transport.close();
  }

  write(bytes: Uint8Array): void {
    if (!this.open) return;
    if (this.corked > 0) {
      this.held.push(bytes);
      return;
    }
    this.options.transport.write(bytes);
  }

  /** Sends what this turn has gathered so far. */
  flush(): void {
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    if (!this.open) return;
    if (held.length === 1) {
      this.options.transport.write(held[0] as Uint8Array);
      return;
    }
    const out = new Uint8Array(held.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of held) {
      out.set(b, at);
      at += b.length;
    }
    this.options.transport.write(out);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    try {
      await this.options.transport.open({
        data: (chunk) => this.onData(chunk),
        closed: (error) => this.onClosed(error),
      });
    } catch (err) {
      this.handlers.openFailed(err as Error);
      this.scheduleReconnect();
      return;
    }
    if (!this.running) {
      await this.options.transport.close();
      return;
    }
    this.open = true;
    this.framer.reset();
    this.handlers.opened();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.timers.reconnect !== undefined) return;
    this.timers.reconnect = this.options.clock.setTimeout(() => {
      this.timers.reconnect = undefined;
      this.reconnects++;
      void this.connect();
    }, this.options.reconnectMs ?? 500);
  }

  private onClosed(error: Error | undefined): void {
    this.open = false;
    this.held = [];
    if (!this.running) return;
    this.handlers.closed(error);
    this.scheduleReconnect();
  }

  private onData(chunk: Uint8Array): void {
    this.handlers.heard();
    this.corked++;
    try {
      this.framer.push(chunk);
    } finally {
      this.corked--;
      if (this.corked === 0) this.flush();
    }
    if (this.timers.frame !== undefined) {
      this.options.clock.clearTimeout(this.timers.frame);
      this.timers.frame = undefined;
    }
    if (this.framer.pending > 0) {
      this.timers.frame = this.options.clock.setTimeout(() => {
        this.timers.frame = undefined;
        this.framer.expire();
      }, this.options.frameTimeoutMs ?? 50);
    }
  }
}
