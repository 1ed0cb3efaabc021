import {
  type BoardMessage,
  type BridgeMessage,
  type BridgeProtocolError,
  encodeMessage,
  type FirmwareVersion,
  Framer,
  type LinkTimers,
  type NakReason,
  PROTOCOL_VERSION,
  QueueFullError,
  type RawFrame,
  ReliableChannel,
  type SequencedMessage,
} from "@acs/bridge-protocol";
import { InputDebouncer } from "../bridge/input-debouncer.js";
import { type FeedbackState, ReaderFeedback } from "../bridge/reader-feedback.js";
import { RelayBank, type RelayCause } from "../bridge/relay-bank.js";
import {
  type WiegandFrame,
  type WiegandLine,
  WiegandReceiver,
  type WiegandReject,
} from "../bridge/wiegand-receiver.js";
import type { SimClock, TimerHandle } from "../clock.js";

export interface BridgeBoardOptions {
  readonly clock: SimClock;
  /** Puts bytes on the serial line. */
  readonly write: (bytes: Uint8Array) => void;
  readonly boardId: number;
  readonly firmware: FirmwareVersion;
  readonly model: string;
  readonly readerPorts: number;
  readonly relays: number;
  readonly inputs: number;
  readonly maxOnMs?: number;
  readonly debounceMs?: number;
  readonly heartbeatMs?: number;
  readonly helloRetryMs?: number;
  readonly randomU32: () => number;
  readonly observer?: BridgeBoardObserver;
}

/** What a test (through the control channel) can watch on the board. */
export interface BridgeBoardObserver {
  relay?(relay: number, on: boolean, cause: RelayCause, atUs: number): void;
  feedback?(port: number, state: FeedbackState, atUs: number): void;
  input?(input: number, active: boolean, atUs: number): void;
  card?(port: number, frame: WiegandFrame): void;
  pulseRejected?(port: number, reject: WiegandReject): void;
  session?(edgeSession: number): void;
  /** An event could not be queued for the edge (queue full): the board lost it. */
  overflow?(message: SequencedMessage): void;
}

/**
 * The firmware of a Wiegand + door I/O bridge board (docs/bridge-protocol.md): the
 * pulse decoders, inputs, relays and reader feedback models joined to the edge through
 * the framed, acknowledged serial protocol.
 */
export class BridgeBoard {
  readonly bootId: number;
  readonly counters = { rxBadCrc: 0, rxGarbageBytes: 0, pulsesRejected: 0, overflow: 0 };
  private readonly options: BridgeBoardOptions;
  private readonly clock: SimClock;
  private readonly bootUs: number;
  private readonly framer: Framer;
  private readonly channel: ReliableChannel;
  private readonly receivers: WiegandReceiver[];
  private readonly debouncer: InputDebouncer;
  private readonly relays: RelayBank;
  private readonly feedback: ReaderFeedback;
  private edgeSession: number | undefined;
  private heartbeatMs: number;
  private failSafeMs = 0;
  private lastEdgeRxUs: number;
  private timers: { hello?: TimerHandle; heartbeat?: TimerHandle; frame?: TimerHandle } = {};
  /** Per reader port: a card is being received; resolvers waiting for it to end. */
  private readonly receiving: boolean[];
  private readonly idleWaiters: Array<Array<() => void>>;
  private running = false;

  constructor(options: BridgeBoardOptions) {
    this.options = options;
    this.clock = options.clock;
    this.bootUs = this.clock.nowUs();
    this.lastEdgeRxUs = this.bootUs;
    this.bootId = options.randomU32();
    this.heartbeatMs = options.heartbeatMs ?? 250;
    const observer = options.observer ?? {};
    this.receiving = Array.from({ length: options.readerPorts }, () => false);
    this.idleWaiters = Array.from({ length: options.readerPorts }, () => []);
    this.framer = new Framer({
      frame: (frame) => this.onFrame(frame),
      error: (error) => this.countRxError(error),
    });
    const timers: LinkTimers = {
      setTimeout: (fn, ms) => this.clock.setTimeout(fn, ms),
      clearTimeout: (handle) => this.clock.clearTimeout(handle as TimerHandle),
      now: () => this.clock.nowUs() / 1000,
    };
    this.channel = new ReliableChannel({
      timers,
      write: (bytes) => options.write(bytes),
      deliver: (message) => this.onCommand(message),
      refused: (error) => this.countRxError(error),
    });
    this.receivers = Array.from(
      { length: options.readerPorts },
      (_, port) =>
        new WiegandReceiver(
          { clock: this.clock },
          (frame) => {
            this.queue({
              kind: "card",
              port,
              bits: frame.bits,
              endReason: frame.endReason,
              boardTimeMs: this.boardTimeMs(frame.endedAtUs),
              durationUs: Math.round(frame.lastPulseUs - frame.firstPulseUs),
            });
            this.frameEnded(port);
            observer.card?.(port, frame);
          },
          (reject) => {
            if (reject.reason === "overflow") this.frameEnded(port);
            this.counters.pulsesRejected++;
            observer.pulseRejected?.(port, reject);
          },
        ),
    );
    this.debouncer = new InputDebouncer(
      {
        inputs: options.inputs,
        clock: this.clock,
        ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
      },
      (input, active, atUs) => {
        observer.input?.(input, active, atUs);
        this.queue({ kind: "input", input, active, boardTimeMs: this.boardTimeMs(atUs) });
      },
    );
    this.relays = new RelayBank(
      {
        relays: Array.from({ length: options.relays }, () => ({
          maxOnMs: options.maxOnMs ?? 30_000,
        })),
        clock: this.clock,
      },
      (relay, on, cause, atUs) => {
        observer.relay?.(relay, on, cause, atUs);
        this.queue({ kind: "relay-state", relay, on, cause, boardTimeMs: this.boardTimeMs(atUs) });
      },
    );
    this.feedback = new ReaderFeedback(
      { ports: options.readerPorts, clock: this.clock },
      (port, state, atUs) => observer.feedback?.(port, state, atUs),
    );
  }

  /** Boots: announces itself and starts its heartbeat. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.sendHello();
    this.armHello();
    this.armHeartbeat();
  }

  stop(): void {
    this.running = false;
    for (const handle of Object.values(this.timers)) {
      if (handle !== undefined) this.clock.clearTimeout(handle);
    }
    this.timers = {};
    this.channel.stop();
    for (const receiver of this.receivers) receiver.stop();
    this.debouncer.stop();
    this.relays.stop();
    this.feedback.stop();
  }

  get welcomed(): boolean {
    return this.edgeSession !== undefined;
  }

  /** Events not yet acknowledged by the edge. */
  get queueDepth(): number {
    return this.channel.depth;
  }

  /** Bytes from the serial line. */
  receive(bytes: Uint8Array): void {
    this.lastEdgeRxUs = this.clock.nowUs();
    this.framer.push(bytes);
    if (this.timers.frame !== undefined) this.clock.clearTimeout(this.timers.frame);
    this.timers.frame = undefined;
    if (this.framer.pending > 0) {
      this.timers.frame = this.clock.setTimeout(() => {
        this.timers.frame = undefined;
        this.framer.expire();
      }, 50);
    }
  }

  /** A D0 (line 0) or D1 (line 1) pulse on a reader port, timestamped as it happened. */
  pulse(port: number, line: WiegandLine, atUs: number, widthUs: number): void {
    const receiver = this.receivers[port];
    if (!receiver) throw new RangeError(`reader port ${port} does not exist`);
    this.receiving[port] = true;
    receiver.pulse(line, atUs, widthUs);
  }

  /** Connects a reader's wire (a playing pulse train) to the port's receiver; undefined disconnects. */
  attachWire(port: number, deliverDue: ((untilUs: number) => void) | undefined): void {
    const receiver = this.receivers[port];
    if (receiver) receiver.beforeGapEnd = deliverDue;
  }

  /** Resolves once the card being received on `port` has ended (at once when none is). */
  whenIdle(port: number): Promise<void> {
    if (!this.receiving[port]) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters[port]?.push(resolve));
  }

  private frameEnded(port: number): void {
    this.receiving[port] = false;
    const waiters = this.idleWaiters[port] ?? [];
    this.idleWaiters[port] = [];
    for (const resolve of waiters) resolve();
  }

  /** The raw electrical level of an input (door contact, request-to-exit, tamper). */
  setInput(input: number, active: boolean): void {
    this.debouncer.set(input, active);
  }

  relayStates(): readonly boolean[] {
    return this.relays.state();
  }

  inputStates(): readonly boolean[] {
    return this.debouncer.state();
  }

  feedbackStates(): readonly FeedbackState[] {
    return this.feedback.state();
  }

  private boardTimeMs(atUs: number): number {
    return Math.floor((atUs - this.bootUs) / 1000) >>> 0;
  }

  private queue(message: BoardMessage & SequencedMessage): void {
    try {
      this.channel.send(message);
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      this.counters.overflow++;
      this.options.observer?.overflow?.(message);
    }
  }

  private send(message: BridgeMessage): void {
    this.options.write(encodeMessage(message));
  }

  private sendHello(): void {
    const o = this.options;
    this.send({
      kind: "hello",
      protocolVersion: PROTOCOL_VERSION,
      boardId: o.boardId,
      firmware: o.firmware,
      bootId: this.bootId,
      readerPorts: o.readerPorts,
      relays: o.relays,
      inputs: o.inputs,
      model: o.model,
    });
  }

  private armHello(): void {
    const retry = () => {
      this.timers.hello = undefined;
      if (!this.running || this.welcomed) return;
      this.sendHello();
      this.timers.hello = this.clock.setTimeout(retry, this.options.helloRetryMs ?? 500);
    };
    this.timers.hello = this.clock.setTimeout(retry, this.options.helloRetryMs ?? 500);
  }

  private armHeartbeat(): void {
    const beat = () => {
      this.timers.heartbeat = undefined;
      if (!this.running) return;
      this.checkFailSafe();
      const inputs = this.debouncer.state();
      this.send({
        kind: "heartbeat",
        uptimeMs: this.boardTimeMs(this.clock.nowUs()),
        inputs: bitmask(inputs),
        relays: bitmask(this.relays.state()),
        tamper: inputs[2] ?? false,
        rxBadCrc: this.counters.rxBadCrc,
        rxGarbageBytes: this.counters.rxGarbageBytes,
        pulsesRejected: this.counters.pulsesRejected,
      });
      this.timers.heartbeat = this.clock.setTimeout(beat, this.heartbeatMs);
    };
    this.timers.heartbeat = this.clock.setTimeout(beat, this.heartbeatMs);
  }

  private checkFailSafe(): void {
    if (this.failSafeMs <= 0) return;
    if (this.clock.nowUs() - this.lastEdgeRxUs > this.failSafeMs * 1000)
      this.relays.allOff("fail-safe");
  }

  private onFrame(frame: RawFrame): void {
    const message = this.channel.take(frame);
    if (!message) return;
    switch (message.kind) {
      case "hello-request":
        this.sendHello();
        return;
      case "welcome":
        if (message.bootId !== this.bootId || message.edgeSession === this.edgeSession) return;
        this.edgeSession = message.edgeSession;
        this.heartbeatMs = Math.max(message.heartbeatMs, 10);
        this.failSafeMs = message.failSafeMs;
        this.channel.reset();
        this.options.observer?.session?.(message.edgeSession);
        return;
      default:
        // Heartbeats only prove the edge is there, which receive() already noted.
        return;
    }
  }

  private onCommand(message: SequencedMessage): NakReason | undefined {
    switch (message.kind) {
      case "relay":
        if (message.relay >= this.options.relays) return "out-of-range";
        if (message.action === "pulse") this.relays.pulse(message.relay, message.durationMs);
        else this.relays.set(message.relay, message.action === "on");
        return undefined;
      case "feedback":
        if (message.port >= this.options.readerPorts) return "out-of-range";
        this.feedback.set(message.port, {
          led: message.led,
          buzzer: message.buzzer,
          ...(message.durationMs > 0 ? { durationMs: message.durationMs } : {}),
        });
        return undefined;
      case "configure-reader": {
        const receiver = this.receivers[message.port];
        if (!receiver || message.maxBits > 128 || message.gapCapMs < 1) return "out-of-range";
        receiver.configure({ maxBits: message.maxBits, gapCapMs: message.gapCapMs });
        return undefined;
      }
      default:
        return "bad-payload";
    }
  }

  private countRxError(error: BridgeProtocolError): void {
    if (error.code === "GARBAGE") this.counters.rxGarbageBytes += error.bytes.length;
    else if (error.code === "BAD_CRC") this.counters.rxBadCrc++;
  }
}

function bitmask(states: readonly boolean[]): number {
  let mask = 0;
  for (let i = 0; i < states.length && i < 16; i++) if (states[i]) mask |= 1 << i;
  return mask;
}
