import { randomBytes } from "node:crypto";
import {
  type BusSnapshot,
  type Command,
  ControlPanel,
  type OsdpError,
  type PdConfig,
  type PdInfo,
  type PdStats,
  type Reply,
} from "@acs/osdp";
import type { ByteTransport } from "@acs/serial-transport";
import { decode, type Format, WiegandError } from "@acs/wiegand";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { TypedEmitter } from "../../typed-emitter.js";
import { ThrottledErrorLog } from "../bridge/error-log.js";
import type { CardRead, CardUnreadable, DoorIoBus, LedSignal } from "../reader-bus.js";
import { rawBits } from "./raw-card.js";

export interface OsdpReaderConfig {
  readonly address: number;
  /** Formats the reader accepts, in priority order. */
  readonly formats: readonly Format[];
}

export interface OsdpBusOptions {
  readonly transport: ByteTransport;
  readonly clock: Clock;
  readonly log: Logger;
  readonly baudRate: number;
  readonly pds: readonly PdConfig[];
  readonly readers: readonly OsdpReaderConfig[];
  readonly requireSecure: boolean;
  readonly allowInstallMode: boolean;
  readonly replyTimeoutMs?: number;
  readonly retries?: number;
  readonly reconnectMs?: number;
  /** How often the bus's and each PD's statistics are reported (0: never). */
  readonly statsIntervalMs?: number;
  readonly random?: (length: number) => Uint8Array;
}

export interface PdHealthEvent {
  readonly address: number;
  readonly state: "online" | "offline";
  readonly secure: boolean;
  readonly reason?: string;
  readonly info?: PdInfo;
}

export interface OsdpBusEvents {
  card(event: CardRead): void;
  unreadable(event: CardUnreadable): void;
  input(event: { address: number; input: number; active: boolean; receivedAtUs: number }): void;
  tamper(event: { address: number; active: boolean }): void;
  pd(event: PdHealthEvent): void;
  /** Replies no one asked for that a component listens to (BIOMATCHR, BIOREADR, KEYPAD). */
  reply(address: number, reply: Reply): void;
  commandFailed(command: string, reason: string, address: number): void;
  keyInstalled(address: number): void;
  stats(stats: OsdpBusStats): void;
}

export interface OsdpBusStats {
  readonly bus: BusSnapshot;
  readonly pds: Readonly<Record<number, PdStats & { state: string }>>;
  readonly cards: number;
  readonly unreadableCards: number;
  readonly commandsFailed: number;
  readonly reconnects: number;
}

const OSDP_COLOR: Record<LedSignal, number> = { off: 0, red: 1, green: 2, amber: 3 };

/**
 * An RS-485 bus of OSDP peripheral devices, driven by the edge as Control Panel: card
 * reads become the same card events a bridge board gives, inputs and tamper are tracked
 * per PD, and lock and LED commands go before the next poll.
 */
export class OsdpBus extends TypedEmitter<OsdpBusEvents> implements DoorIoBus {
  readonly panel: ControlPanel;
  private readonly o: OsdpBusOptions;
  private readonly log: Logger;
  private readonly errors: ThrottledErrorLog;
  private readonly readers = new Map<number, OsdpReaderConfig>();
  private readonly inputs = new Map<number, readonly number[]>();
  private readonly tampered = new Map<number, boolean>();
  private running = false;
  private open = false;
  private reconnectTimer: unknown;
  private statsTimer: unknown;
  readonly counters = { cards: 0, unreadableCards: 0, reconnects: 0, commandsFailed: 0 };

  constructor(options: OsdpBusOptions) {
    super();
    this.o = options;
    this.log = options.log.child({ bus: "osdp", device: options.transport.name });
    this.errors = new ThrottledErrorLog(this.log, () => options.clock.now());
    for (const reader of options.readers) this.readers.set(reader.address, reader);
    this.panel = new ControlPanel({
      line: { write: (bytes) => this.open && options.transport.write(bytes) },
      clock: options.clock,
      random: options.random ?? ((n) => randomBytes(n)),
      baudRate: options.baudRate,
      pds: options.pds,
      requireSecure: options.requireSecure,
      allowInstallMode: options.allowInstallMode,
      ...(options.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: options.replyTimeoutMs }),
      ...(options.retries === undefined ? {} : { retries: options.retries }),
      handlers: {
        online: (address, info) => {
          this.log.info(
            { address, secure: info.secure, serial: info.identification.serialNumber },
            "PD online",
          );
          this.emit("pd", { address, state: "online", secure: info.secure, info });
        },
        offline: (address, reason) => {
          this.log.warn({ address, reason }, "PD offline");
          this.emit("pd", { address, state: "offline", secure: false, reason });
        },
        event: (address, reply) => this.onEvent(address, reply),
        error: (error, address) => this.onError(error, address),
        keyInstalled: (address) => {
          this.log.info({ address }, "PD took its own secure channel key");
          this.emit("keyInstalled", address);
        },
      },
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connect();
    this.panel.start();
    this.armStats();
  }

  /** Online state, retries, CRC errors and bus utilisation, per PD and for the bus. */
  stats(): OsdpBusStats {
    return {
      bus: this.panel.bus.snapshot(),
      pds: Object.fromEntries(
        this.panel.pds.map((pd) => [pd.address, { ...pd.stats, state: pd.state }]),
      ),
      ...this.counters,
    };
  }

  private armStats(): void {
    const every = this.o.statsIntervalMs ?? 60_000;
    if (every <= 0 || !this.running) return;
    this.statsTimer = this.o.clock.setTimeout(() => {
      this.statsTimer = undefined;
      this.emit("stats", this.stats());
      this.armStats();
    }, every);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.panel.stop();
    for (const timer of [this.reconnectTimer, this.statsTimer])
      if (timer !== undefined) this.o.clock.clearTimeout(timer);
    this.reconnectTimer = undefined;
    this.statsTimer = undefined;
    this.open = false;
    await this.o.transport.close();
  }

  /** Sends a command; urgent ones go before the next poll. Failures are logged and emitted. */
  send(address: number, command: Command, urgent = false): Promise<Reply | undefined> {
    return this.panel.send(address, command, { urgent }).catch((err: OsdpError) => {
      this.counters.commandsFailed++;
      this.log.warn({ address, command: command.kind, err: err.message }, "OSDP command failed");
      this.emit("commandFailed", command.kind, err.message, address);
      return undefined;
    });
  }

  /** Energises an output (the lock strike) of the PD at `address` for `ms`. */
  pulseRelay(relay: number, ms: number, address = 0): void {
    const timer100ms = Math.min(0xffff, Math.max(1, Math.ceil(ms / 100)));
    void this.send(
      address,
      { kind: "out", outputs: [{ output: relay, controlCode: 5, timer100ms }] },
      true,
    );
  }

  setRelay(relay: number, on: boolean, address = 0): void {
    void this.send(
      address,
      { kind: "out", outputs: [{ output: relay, controlCode: on ? 2 : 1, timer100ms: 0 }] },
      true,
    );
  }

  /** LED (and buzzer) on the reader at `port` (its OSDP address), for `durationMs`. */
  feedback(port: number, led: LedSignal, buzzer: boolean, durationMs = 0): void {
    const time = Math.min(0xffff, Math.max(1, Math.ceil(durationMs / 100)));
    const color = OSDP_COLOR[led];
    void this.send(
      port,
      {
        kind: "led",
        leds: [
          {
            reader: 0,
            led: 0,
            temporary: {
              controlCode: durationMs > 0 ? 2 : 0,
              onTime100ms: Math.min(time, 0xff),
              offTime100ms: 0,
              onColor: color,
              offColor: color,
              timer100ms: time,
            },
            permanent: {
              controlCode: durationMs > 0 ? 0 : 1,
              onTime100ms: 1,
              offTime100ms: 0,
              onColor: color,
              offColor: color,
            },
          },
        ],
      },
      true,
    );
    if (buzzer) {
      void this.send(
        port,
        { kind: "buz", reader: 0, toneCode: 2, onTime100ms: 1, offTime100ms: 1, count: 1 },
        true,
      );
    }
  }

  private onEvent(address: number, reply: Reply): void {
    const receivedAtUs = this.o.clock.monotonicUs();
    switch (reply.kind) {
      case "raw":
        this.onCard(address, rawBits(reply.data, reply.bitCount), receivedAtUs);
        return;
      case "istatr": {
        const before = this.inputs.get(address) ?? [];
        this.inputs.set(address, reply.inputs);
        reply.inputs.forEach((state, input) => {
          if ((before[input] ?? 0) !== state)
            this.emit("input", { address, input, active: state !== 0, receivedAtUs });
        });
        return;
      }
      case "lstatr": {
        const active = reply.tamper !== 0;
        if ((this.tampered.get(address) ?? false) !== active) {
          this.tampered.set(address, active);
          this.log.warn({ address, tamper: active }, "PD tamper");
          this.emit("tamper", { address, active });
        }
        return;
      }
      default:
        this.emit("reply", address, reply);
    }
  }

  private onCard(address: number, bits: string, receivedAtUs: number): void {
    const reader = this.readers.get(address);
    if (!reader) {
      this.errors.warn(
        "UNKNOWN_READER",
        { address },
        "card data from a PD that is no configured reader",
      );
      return;
    }
    try {
      const card = decode(bits, reader.formats);
      this.counters.cards++;
      this.emit("card", { port: address, bits, card, receivedAtUs });
    } catch (err) {
      if (!(err instanceof WiegandError)) throw err;
      this.counters.unreadableCards++;
      this.emit("unreadable", { port: address, bits, error: err, receivedAtUs });
    }
  }

  private onError(error: OsdpError, address: number | undefined): void {
    this.errors.warn(
      error.code,
      { address: address ?? null, err: error.message },
      "OSDP bus error",
    );
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    try {
      await this.o.transport.open({
        data: (chunk) => this.panel.receive(chunk),
        closed: (error) => {
          this.open = false;
          if (!this.running) return;
          this.errors.warn("LINE_CLOSED", { err: error?.message ?? null }, "OSDP line closed");
          this.scheduleReconnect();
        },
      });
      this.open = true;
    } catch (err) {
      this.errors.warn("OPEN_FAILED", { err: (err as Error).message }, "OSDP device unavailable");
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.counters.reconnects++;
      void this.connect();
    }, this.o.reconnectMs ?? 500);
  }
}
