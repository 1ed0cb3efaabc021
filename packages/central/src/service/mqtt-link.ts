import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";

/** TLS and sign-in: a CA, a client certificate and key, or a username and password. */
export type MqttCredentials = Pick<
  IClientOptions,
  "ca" | "cert" | "key" | "username" | "password" | "rejectUnauthorized" | "servername"
>;

/** The broker did not take the connection in time (unreachable, TLS refused, not authorised). */
export class MqttLinkError extends Error {
  readonly code = "BROKER_NOT_READY";

  constructor(message: string) {
    super(message);
    this.name = "MqttLinkError";
  }
}

export interface MqttLinkOptions {
  readonly url: string;
  readonly clientId: string;
  /** A persistent session (the service's); false for a tool that only asks and waits. */
  readonly persistent?: boolean;
  readonly credentials?: MqttCredentials;
  readonly log: Logger;
  /** Topic filters to hold, QoS 1; re-subscribed on every reconnect and until granted. */
  readonly subscriptions: readonly string[];
  readonly onMessage: (topic: string, payload: Buffer) => void;
  readonly will?: IClientOptions["will"];
  /** Every (re)connect, once the session is up (central publishes its status then). */
  readonly onConnect?: () => void;
}

/**
 * A persistent MQTT 3.1.1 session that keeps its subscriptions: every SUBACK is checked
 * (a broker may refuse one with 0x80 while the connection stays up) and a refused or
 * failed subscription is tried again until it holds. `healthy` says whether all hold.
 */
export class MqttLink {
  readonly client: MqttClient;
  private readonly o: MqttLinkOptions;
  private granted = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The last connection error, for the message when the broker is not ready in time. */
  private lastError: string | undefined;

  constructor(options: MqttLinkOptions) {
    this.o = options;
    this.client = mqtt.connect(options.url, {
      ...options.credentials,
      clientId: options.clientId,
      clean: options.persistent === false,
      protocolVersion: 4,
      reconnectPeriod: 500,
      connectTimeout: 5000,
      keepalive: 15,
      ...(options.will ? { will: options.will } : {}),
    });
    this.client.on("connect", () => {
      this.lastError = undefined;
      this.o.log.info({ url: options.url }, "connected to the broker");
      this.granted.clear();
      this.subscribeMissing();
      this.o.onConnect?.();
    });
    this.client.on("reconnect", () => this.o.log.debug("reconnecting to the broker"));
    this.client.on("offline", () => this.o.log.warn("broker unreachable"));
    this.client.on("error", (err) => {
      // Once per cause while it lasts, not at every reconnect (twice a second).
      if (err.message !== this.lastError) this.o.log.warn({ err: err.message }, "broker error");
      this.lastError = err.message;
    });
    this.client.on("message", (topic, payload) => this.o.onMessage(topic, payload));
  }

  get healthy(): boolean {
    return this.client.connected && this.granted.size === this.o.subscriptions.length;
  }

  /** Resolves once connected with every subscription granted. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.healthy) {
      if (Date.now() > deadline) {
        const why = this.client.connected
          ? "subscriptions not granted (the broker's ACL?)"
          : (this.lastError ?? "no connection");
        throw new MqttLinkError(`broker ${this.o.url} not ready: ${why}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  publish(topic: string, payload: Uint8Array, options: { retain?: boolean; qos?: 0 | 1 } = {}) {
    return new Promise<void>((resolve, reject) => {
      this.client.publish(
        topic,
        Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
        { qos: options.qos ?? 1, retain: options.retain ?? false },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  /**
   * Disconnects: gracefully (what is in flight gets its PUBACK) for up to `graceMs`, then at
   * once, so a broker that is away never holds a stopping central up.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.client.endAsync(false).then(
      () => true,
      () => false,
    );
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const ended = await Promise.race([graceful, late]);
    clearTimeout(timer);
    if (!ended) await this.client.endAsync(true);
  }

  private subscribeMissing(): void {
    const missing = this.o.subscriptions.filter((t) => !this.granted.has(t));
    if (missing.length === 0 || this.closed) return;
    this.client.subscribe(
      missing.map((topic) => topic),
      { qos: 1 },
      (err, grants) => {
        if (err) this.o.log.warn({ err: err.message }, "subscribe failed");
        for (const grant of grants ?? []) {
          if (grant.qos === 128) {
            this.o.log.error({ topic: grant.topic }, "the broker refused a subscription; retrying");
          } else this.granted.add(grant.topic);
        }
        if (this.granted.size < this.o.subscriptions.length && !this.closed) {
          this.retryTimer = setTimeout(() => this.subscribeMissing(), 1000);
        }
      },
    );
  }
}
