import {
  type BridgeMessage,
  type BridgeProtocolError,
  type EdgeMessage,
  encodeMessage,
  type HelloMessage,
  type LedColor,
  PROTOCOL_VERSION,
  QueueFullError,
  type RawFrame,
  ReliableChannel,
  type SequencedMessage,
} from "@acs/bridge-protocol";
import type { ByteTransport } from "@acs/serial-transport";
import { decode, type Format, longestBits, WiegandError } from "@acs/wiegand";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { TypedEmitter } from "../../typed-emitter.js";
import type { BoardHealth, BoardLinkState, BridgeBusEvents } from "./bridge-events.js";
import { BridgeLine } from "./bridge-line.js";
import { ThrottledErrorLog } from "./error-log.js";

export interface BridgeReaderConfig {
  readonly port: number;
  /** Formats the reader accepts, in priority order. */
  readonly formats: readonly Format[];
  readonly gapCapMs?: number;
}

export interface BridgeBusOptions {
  readonly transport: ByteTransport;
  readonly clock: Clock;
  readonly log: Logger;
  readonly readers: readonly BridgeReaderConfig[];
  readonly heartbeatMs?: number;
  /** Silence after which the board is offline; default 4 heartbeats. */
  readonly silentAfterMs?: number;
  readonly reconnectMs?: number;
  readonly helloRetryMs?: number;
  /** A partial frame older than this is dropped as truncated. */
  readonly frameTimeoutMs?: number;
  /** A relay or feedback command not delivered within this is dropped, never late. */
  readonly commandTtlMs?: number;
  readonly failSafeMs?: number;
  readonly randomU32?: () => number;
}

export interface BridgeBusStats {
  readonly frames: number;
  readonly garbageBytes: number;
  readonly badCrc: number;
  readonly badLength: number;
  readonly truncated: number;
  readonly refusedFrames: number;
  readonly cards: number;
  readonly unreadableCards: number;
  readonly sessions: number;
  readonly boardRestarts: number;
  readonly retransmitted: number;
  readonly reconnects: number;
}

/**
 * Edge driver of one Wiegand + door I/O bridge board (docs/bridge-protocol.md).
 * It keeps a session with the board, decodes card frames with each reader's formats,
 * reports inputs and relay changes, sends relay and LED commands, notices a silent or
 * unplugged board and picks it up again when it returns, without being restarted.
 */
export class BridgeBus extends TypedEmitter<BridgeBusEvents> {
  private readonly options: BridgeBusOptions;
  private readonly log: Logger;
  private readonly errors: ThrottledErrorLog;
  private readonly line: BridgeLine;
  private readonly channel: ReliableChannel;
  private readonly readers = new Map<number, BridgeReaderConfig>();
  private readonly heartbeatMs: number;
  private readonly silentAfterMs: number;
  private state: BoardLinkState = "disconnected";
  private session: { bootId: number; edgeSession: number; hello: HelloMessage } | undefined;
  private lastBoard: HelloMessage | undefined;
  private lastRxAt = 0;
  private health: BoardHealth;
  private running = false;
  private heartbeatTimer: unknown;
  private counters = {
    refusedFrames: 0,
    cards: 0,
    unreadableCards: 0,
    sessions: 0,
    boardRestarts: 0,
  };

  constructor(options: BridgeBusOptions) {
    super();
    this.options = options;
    this.heartbeatMs = options.heartbeatMs ?? 250;
    this.silentAfterMs = options.silentAfterMs ?? this.heartbeatMs * 4;
    this.log = options.log.child({ bus: "bridge", device: options.transport.name });
    this.errors = new ThrottledErrorLog(this.log, () => options.clock.now());
    for (const reader of options.readers) this.readers.set(reader.port, reader);
    this.health = {
      state: "disconnected",
      board: undefined,
      tamper: false,
      uptimeMs: undefined,
      boardRxBadCrc: 0,
      boardRxGarbageBytes: 0,
      pulsesRejected: 0,
    };
    this.line = new BridgeLine(
      {
        transport: options.transport,
        clock: options.clock,
        ...(options.reconnectMs === undefined ? {} : { reconnectMs: options.reconnectMs }),
        ...(options.frameTimeoutMs === undefined ? {} : { frameTimeoutMs: options.frameTimeoutMs }),
      },
      {
        opened: () => this.onOpened(),
        closed: (error) => this.onClosed(error),
        openFailed: (error) =>
          this.errors.warn("OPEN_FAILED", { err: error.message }, "bridge device unavailable"),
        heard: () => {
          this.lastRxAt = this.options.clock.now();
        },
        frame: (frame) => this.onFrame(frame),
        protocolError: (error) => this.onProtocolError(error),
      },
    );
    this.channel = new ReliableChannel({
      timers: options.clock,
      write: (bytes) => this.write(bytes),
      deliver: (message) => this.onSequenced(message),
      refused: (error) => this.onProtocolError(error),
      nakked: (message, reason) => this.commandFailed(message, `refused by the board: ${reason}`),
      expired: (message) => this.commandFailed(message, "expired before the board could take it"),
    });
  }

  get linkState(): BoardLinkState {
    return this.state;
  }

  get boardHealth(): BoardHealth {
    return this.health;
  }

  stats(): BridgeBusStats {
    return {
      ...this.line.stats,
      ...this.counters,
      reconnects: this.line.reconnects,
      retransmitted: this.channel.stats.retransmitted,
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.line.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.heartbeatTimer !== undefined) this.options.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.channel.stop();
    await this.line.stop();
    this.setState("disconnected");
  }

  /** Energises a relay (the lock strike) for `ms`. */
  pulseRelay(relay: number, ms: number): void {
    this.command({ kind: "relay", relay, action: "pulse", durationMs: Math.min(ms, 0xffff) });
  }

  setRelay(relay: number, on: boolean): void {
    this.command({ kind: "relay", relay, action: on ? "on" : "off", durationMs: 0 });
  }

  feedback(port: number, led: LedColor, buzzer: boolean, durationMs = 0): void {
    this.command({ kind: "feedback", port, led, buzzer, durationMs });
  }

  private command(message: SequencedMessage): void {
    try {
      this.channel.send(message, this.options.commandTtlMs ?? 1000);
      // A lock command does not wait for the rest of the turn's frames to be gathered.
      if (message.kind === "relay") this.line.flush();
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      this.commandFailed(message, err.message);
    }
  }

  private commandFailed(message: SequencedMessage, reason: string): void {
    this.log.warn({ command: message.kind, reason }, "board command failed");
    this.emit("commandFailed", message, reason);
  }

  private armHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) return;
    const tick = () => {
      this.heartbeatTimer = undefined;
      if (!this.running || !this.line.isOpen) return;
      this.checkSilence();
      this.send(this.session ? { kind: "edge-heartbeat" } : { kind: "hello-request" });
      this.heartbeatTimer = this.options.clock.setTimeout(
        tick,
        this.session ? this.heartbeatMs : (this.options.helloRetryMs ?? 500),
      );
    };
    this.heartbeatTimer = this.options.clock.setTimeout(tick, this.heartbeatMs);
  }

  private checkSilence(): void {
    if (this.options.clock.now() - this.lastRxAt <= this.silentAfterMs) return;
    if (this.state === "online") {
      // Drop the session: queued commands that expire meanwhile are never executed late,
      // and the board's unacknowledged events come back renumbered in the next one.
      this.session = undefined;
      this.channel.pause();
      this.log.warn(
        { silentMs: Math.round(this.options.clock.now() - this.lastRxAt) },
        "board silent",
      );
      this.setState("offline");
    }
  }

  private onFrame(frame: RawFrame): void {
    if (frame.seq !== 0 && !this.session) this.send({ kind: "hello-request" });
    const message = this.channel.take(frame);
    if (message) this.onUnsequenced(message);
  }

  private onUnsequenced(message: BridgeMessage): void {
    switch (message.kind) {
      case "hello":
        this.onHello(message);
        return;
      case "heartbeat":
        this.health = {
          ...this.health,
          tamper: message.tamper,
          uptimeMs: message.uptimeMs,
          boardRxBadCrc: message.rxBadCrc,
          boardRxGarbageBytes: message.rxGarbageBytes,
          pulsesRejected: message.pulsesRejected,
        };
        if (this.session) this.setState("online");
        else this.send({ kind: "hello-request" });
        return;
      default:
        this.unexpected(message.kind);
    }
  }

  private onHello(hello: HelloMessage): void {
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      this.errors.warn(
        "PROTOCOL_VERSION",
        { version: hello.protocolVersion },
        "board speaks an unsupported protocol version",
      );
      return;
    }
    if (this.session?.bootId === hello.bootId) {
      this.sendWelcome(this.session.edgeSession, hello.bootId);
      return;
    }
    const restarted = this.lastBoard !== undefined && this.lastBoard.bootId !== hello.bootId;
    if (restarted) this.counters.boardRestarts++;
    const edgeSession = (this.options.randomU32 ?? defaultRandomU32)();
    this.session = { bootId: hello.bootId, edgeSession, hello };
    this.lastBoard = hello;
    this.counters.sessions++;
    this.sendWelcome(edgeSession, hello.bootId);
    this.channel.reset();
    for (const reader of this.readers.values()) {
      if (reader.port >= hello.readerPorts) {
        this.log.error({ reader: reader.port }, "reader port not present on the board");
        continue;
      }
      this.channel.send({
        kind: "configure-reader",
        port: reader.port,
        maxBits: Math.min(longestBits(reader.formats), 255),
        gapCapMs: reader.gapCapMs ?? 20,
      });
    }
    this.log.info(
      {
        boardId: hello.boardId,
        firmware: `${hello.firmware.major}.${hello.firmware.minor}.${hello.firmware.patch}`,
        model: hello.model,
        restarted,
      },
      "board session started",
    );
    this.health = {
      ...this.health,
      board: {
        boardId: hello.boardId,
        firmware: hello.firmware,
        bootId: hello.bootId,
        model: hello.model,
        readerPorts: hello.readerPorts,
        relays: hello.relays,
        inputs: hello.inputs,
      },
    };
    this.setState("online", true);
  }

  private sendWelcome(edgeSession: number, bootId: number): void {
    this.send({
      kind: "welcome",
      bootId,
      edgeSession,
      heartbeatMs: this.heartbeatMs,
      failSafeMs: this.options.failSafeMs ?? 0,
    });
  }

  private onSequenced(message: SequencedMessage): undefined | "out-of-range" | "bad-payload" {
    const receivedAtUs = this.options.clock.monotonicUs();
    switch (message.kind) {
      case "card":
        return this.onCard(message, receivedAtUs);
      case "input":
        this.emit("input", {
          input: message.input,
          active: message.active,
          boardTimeMs: message.boardTimeMs,
          receivedAtUs,
        });
        return undefined;
      case "relay-state":
        this.emit("relay", {
          relay: message.relay,
          on: message.on,
          cause: message.cause,
          boardTimeMs: message.boardTimeMs,
        });
        return undefined;
      default:
        this.unexpected(message.kind);
        return "bad-payload";
    }
  }

  private onCard(
    message: SequencedMessage & { kind: "card" },
    receivedAtUs: number,
  ): undefined | "out-of-range" {
    const reader = this.readers.get(message.port);
    if (!reader) {
      this.errors.warn(
        "UNKNOWN_READER",
        { reader: message.port },
        "card from an unconfigured reader port",
      );
      return "out-of-range";
    }
    const base = {
      port: message.port,
      bits: message.bits,
      endReason: message.endReason,
      boardTimeMs: message.boardTimeMs,
      receivedAtUs,
    };
    try {
      const card = decode(message.bits, reader.formats);
      this.counters.cards++;
      this.emit("card", { ...base, card, durationUs: message.durationUs });
    } catch (err) {
      if (!(err instanceof WiegandError)) throw err;
      this.counters.unreadableCards++;
      this.errors.warn(
        err.code,
        { reader: message.port, bitLength: message.bits.length, err: err.message },
        "unreadable card",
      );
      this.emit("unreadable", { ...base, error: err });
    }
    return undefined;
  }

  private unexpected(kind: string): void {
    this.counters.refusedFrames++;
    this.errors.warn("UNEXPECTED_FRAME", { kind }, "frame not meant for the edge");
  }

  private onProtocolError(error: BridgeProtocolError): void {
    if (error.code === "UNKNOWN_TYPE" || error.code === "BAD_PAYLOAD")
      this.counters.refusedFrames++;
    this.errors.warn(
      error.code,
      { bytes: error.bytes.length, err: error.message },
      "bad bytes on the bridge line",
    );
    this.emit("protocolError", error);
  }

  private setState(state: BoardLinkState, force = false): void {
    if (this.state === state && !force) return;
    this.state = state;
    this.health = { ...this.health, state };
    this.emit("health", this.health);
  }

  private onOpened(): void {
    this.lastRxAt = this.options.clock.now();
    this.setState("connecting");
    this.log.info("bridge line open");
    this.send({ kind: "hello-request" });
    this.armHeartbeat();
  }

  private onClosed(error: Error | undefined): void {
    this.session = undefined;
    this.channel.pause();
    this.log.warn({ err: error?.message }, "bridge device closed");
    this.setState("disconnected");
  }

  private send(message: EdgeMessage): void {
    this.write(encodeMessage(message));
  }

  private write(bytes: Uint8Array): void {
    this.line.write(bytes);
  }
}

function defaultRandomU32(): number {
  return (Math.random() * 0x100000000) >>> 0;
}
