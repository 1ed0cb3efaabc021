import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { Backoff } from "./backoff.js";
import type { PublishOptions } from "./link.js";
import type { SyncClientOptions } from "./sync-types.js";

export interface BrokerSessionOptions {
  readonly url: string;
  readonly clientId: string;
  readonly keepaliveSec: number;
  readonly connectTimeoutMs: number;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  readonly mqtt?: SyncClientOptions["mqtt"];
  readonly clock: Clock;
  readonly log: Logger;
  /** The last will to send with the next CONNECT (the status as it is then). */
  will(): IClientOptions["will"];
  /** The broker accepted the connection. */
  connected(sessionPresent: boolean): void;
  /** The connection closed; `wasConnected` false when it never got a CONNACK. */
  closed(wasConnected: boolean): void;
  message(topic: string, payload: Buffer): void;
}

/**
 * One MQTT 3.1.1 persistent session (clean: false, fixed client id) that reconnects
 * forever with backoff on the injected clock until halted.
 */
export class BrokerSession {
  private readonly o: BrokerSessionOptions;
  private readonly backoff: Backoff;
  private client: MqttClient | undefined;
  private isConnected = false;
  private halted = false;
  private reconnectTimer: unknown;
  private connectErrorLogged = false;

  constructor(options: BrokerSessionOptions) {
    this.o = options;
    this.backoff = new Backoff(options.reconnect.initialMs, options.reconnect.maxMs);
  }

  get connected(): boolean {
    return this.isConnected && this.client?.connected === true;
  }

  connect(): void {
    const options: IClientOptions = {
      ...this.o.mqtt,
      protocolVersion: 4,
      clientId: this.o.clientId,
      clean: false,
      keepalive: this.o.keepaliveSec,
      connectTimeout: this.o.connectTimeoutMs,
      // Reconnects are ours (backoff on the injected clock); subscriptions too (SUBACK checks).
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      will: this.o.will(),
    };
    const client = mqtt.connect(this.o.url, options);
    this.client = client;
    client.on("connect", (connack) => this.onConnect(connack.sessionPresent));
    client.on("close", () => this.onClose());
    client.on("error", (err) => {
      if (this.connectErrorLogged && !this.isConnected) return;
      this.connectErrorLogged = true;
      this.o.log.warn({ err: err.message }, "broker connection error");
    });
    client.on("message", (topic, payload) => this.o.message(topic, payload));
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions): boolean {
    const client = this.client;
    if (!client || !this.connected) return false;
    client.publish(
      topic,
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      { qos: options.qos, retain: options.retain ?? false },
      (err) => {
        if (err) this.o.log.debug({ topic, err: err.message }, "publish not acknowledged");
      },
    );
    return true;
  }

  subscribe(
    filters: readonly string[],
    done: (error: Error | undefined, codes: readonly number[] | undefined) => void,
  ): void {
    const client = this.client;
    if (!client || !this.connected) {
      done(new Error("not connected"), undefined);
      return;
    }
    const request = Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }]));
    client.subscribe(request, (err, _granted, packet) => {
      // MQTT 3.1.1: one return code per filter (0, 1, 2, or 0x80 refused).
      const granted = packet?.granted as ReadonlyArray<number | { qos?: number }> | undefined;
      const codes = granted?.map((g) => (typeof g === "number" ? g : (g.qos ?? 0x80)));
      done(err ?? undefined, codes);
    });
  }

  /** No more connects or reconnects; the connection itself stays until end() or abort(). */
  halt(): void {
    this.halted = true;
    if (this.reconnectTimer !== undefined) this.o.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  /** Disconnects gracefully (waits up to `graceMs` for the DISCONNECT), then forcibly. */
  async end(graceMs: number): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.isConnected = false;
    await withTimeout(this.o.clock, client.endAsync(false), graceMs);
    if (!client.disconnected) await client.endAsync(true);
  }

  /** Drops the connection without a DISCONNECT: the broker publishes the last will. */
  async abort(): Promise<void> {
    this.isConnected = false;
    const client = this.client;
    if (client) await client.endAsync(true);
  }

  private onConnect(sessionPresent: boolean): void {
    if (this.halted) return;
    // Small packets (acks, PUBACKs) must not wait for Nagle's algorithm: with delayed
    // ACKs on the other side that costs up to 40 ms a round trip, a third of the uplink.
    const stream = this.client?.stream as { setNoDelay?: (on: boolean) => void } | undefined;
    stream?.setNoDelay?.(true);
    this.isConnected = true;
    this.connectErrorLogged = false;
    this.backoff.reset();
    this.o.connected(sessionPresent);
  }

  private onClose(): void {
    const client = this.client;
    const wasConnected = this.isConnected;
    this.isConnected = false;
    this.o.closed(wasConnected);
    if (this.halted || !client) return;
    // The next connection's last will carries the status as it is then.
    client.options.will = this.o.will();
    if (this.reconnectTimer !== undefined) return;
    const delay = this.backoff.next();
    this.o.log.debug({ delayMs: delay }, "reconnecting");
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.halted) return;
      client.options.will = this.o.will();
      client.reconnect();
    }, delay);
  }
}

/** Waits for `promise` (its failure ignored) but no longer than `ms` on `clock`. */
export async function withTimeout(
  clock: Clock,
  promise: Promise<unknown>,
  ms: number,
): Promise<void> {
  let timer: unknown;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = clock.setTimeout(resolve, ms);
    }),
  ]);
  clock.clearTimeout(timer);
}
