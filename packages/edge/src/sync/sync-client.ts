import type { KeyObject } from "node:crypto";
import type { ReaderHealth, SiteCommand, SiteDelta } from "@acs/protocol";
import { topics } from "@acs/protocol";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Store } from "../store/store.js";
import { Backoff } from "./backoff.js";
import {
  type CommandExecution,
  CommandHandler,
  type CommandOptions,
  type CommandStats,
} from "./commands.js";
import { type DeltaOptions, DeltaSequencer, type DeltaStats } from "./deltas.js";
import type { Link, PublishOptions } from "./link.js";
import { SecurityEvents } from "./security-events.js";
import {
  type SnapshotOptions,
  type SnapshotReason,
  SnapshotReceiver,
  type SnapshotStats,
} from "./snapshots.js";
import { type StatusOptions, StatusPublisher } from "./status.js";
import { type SubscriptionState, Subscriptions } from "./subscriptions.js";
import { Uplink, type UplinkOptions, type UplinkStats } from "./uplink.js";

/** What changed in the store: accessd rebuilds (or patches) its index from it. */
export type StateChange =
  | { readonly kind: "delta"; readonly delta: SiteDelta }
  | { readonly kind: "snapshot"; readonly version: number };

/** What the sync client asks of accessd. Called on the event loop, never concurrently. */
export interface SyncHooks {
  /**
   * A snapshot or delta was committed to the store. For a change central split into
   * several deltas (`partial: true` on all but the last), the whole change is committed
   * in one transaction when its last delta is in, and this is then called once per delta
   * of the change, in version order, one right after the other (the store already holds
   * the whole change at the first call). A snapshot is followed by calls for the deltas
   * that were waiting for it.
   */
  stateApplied(change: StateChange): void;
  /** Carries out a verified command (signed, this site, not expired, not seen before). */
  executeCommand(command: SiteCommand): Promise<CommandExecution>;
  /** Reader health for the status. */
  readers(): ReaderHealth[];
}

export interface SyncClientOptions {
  /** The site this edge serves (`[a-z0-9_-]`). */
  readonly site: string;
  /** e.g. mqtt://broker:1883 or mqtts://... */
  readonly mqttUrl: string;
  /** Default `edge-<site>`: fixed, so the broker keeps the persistent session. */
  readonly clientId?: string;
  readonly store: Store;
  /** Central's signing keys by key id (deltas, manifests, commands). */
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly hooks: SyncHooks;
  readonly uplink?: UplinkOptions;
  readonly status?: StatusOptions;
  readonly snapshot?: SnapshotOptions;
  readonly deltas?: DeltaOptions;
  readonly commands?: CommandOptions;
  /** Reconnect backoff: from initialMs (default 500) doubling to maxMs (default 30 s), jittered. */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Retry of refused subscriptions: default 1 s doubling to 60 s. */
  readonly subscribeRetry?: { readonly initialMs?: number; readonly maxMs?: number };
  /** MQTT keepalive, seconds. Default 30. */
  readonly keepaliveSec?: number;
  /** CONNACK wait. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Security ("sync-refused") events recorded per minute at most. Default 60. */
  readonly securityEventsPerMinute?: number;
  /** More client options: credentials, TLS (ca, cert, key). The session settings are fixed. */
  readonly mqtt?: Pick<
    IClientOptions,
    "username" | "password" | "ca" | "cert" | "key" | "rejectUnauthorized" | "servername"
  >;
}

export interface SyncHealth {
  readonly connected: boolean;
  /** Connected and every subscription granted with QoS 1. */
  readonly healthy: boolean;
  readonly subscriptions: Readonly<Record<string, SubscriptionState>>;
  readonly problems: readonly string[];
}

export interface SyncStats extends SyncHealth {
  readonly connects: number;
  readonly disconnects: number;
  readonly subscriptionRefusals: number;
  readonly stateVersion: number | null;
  readonly deltas: DeltaStats;
  readonly snapshots: SnapshotStats;
  readonly uplink: UplinkStats;
  readonly commands: CommandStats;
  /** Messages refused as security events (sync-refused). */
  readonly securityRefusals: number;
  readonly statusPublished: number;
}

/**
 * The edge's link to central over MQTT 3.1.1: a persistent session (clean: false, fixed
 * client id) that reconnects forever with backoff, with QoS 1 subscriptions to its site's
 * deltas, snapshot manifests and chunks, event acks and commands, each SUBACK checked.
 * Deltas and snapshots go into the store (one transaction each); accessd swaps its index
 * from the `stateApplied` hook and keeps deciding on its last good state meanwhile. The
 * outbox goes up through the uplink; status is retained with a last will.
 */
export class SyncClient implements Link {
  readonly site: string;
  private readonly o: SyncClientOptions;
  private readonly log: Logger;
  private readonly topics: {
    readonly delta: string;
    readonly manifest: string;
    readonly chunk: string;
    readonly ack: string;
    readonly command: string;
  };
  private readonly security: SecurityEvents;
  private readonly subscriptions: Subscriptions;
  private readonly deltas: DeltaSequencer;
  private readonly snapshots: SnapshotReceiver;
  private readonly uplink: Uplink;
  private readonly status: StatusPublisher;
  private readonly commands: CommandHandler;
  private readonly reconnectBackoff: Backoff;
  private client: MqttClient | undefined;
  private isConnected = false;
  private started = false;
  private stopped = false;
  private reconnectTimer: unknown;
  private pruneTimer: unknown;
  private uplinkRunning = false;
  private snapshotsReady = false;
  private lastHealth = "";
  private connectErrorLogged = false;
  private counters = { connects: 0, disconnects: 0 };

  constructor(options: SyncClientOptions) {
    this.o = options;
    this.site = options.site;
    this.log = options.log.child({ module: "sync", site: options.site });
    const site = options.site;
    this.topics = {
      delta: topics.delta(site),
      manifest: topics.snapshotManifest(site),
      chunk: topics.snapshotChunk(site),
      ack: topics.eventsAck(site),
      command: topics.command(site),
    };
    const { store, clock, publicKeys } = options;
    const log = this.log;
    this.security = new SecurityEvents(store, clock, log, options.securityEventsPerMinute ?? 60);
    this.reconnectBackoff = new Backoff(
      options.reconnect?.initialMs ?? 500,
      options.reconnect?.maxMs ?? 30_000,
    );
    this.subscriptions = new Subscriptions({
      filters: Object.values(this.topics),
      clock,
      log,
      subscribe: (filters, done) => this.subscribe(filters, done),
      changed: () => this.onSubscriptionsChanged(),
      ...(options.subscribeRetry ? { retry: options.subscribeRetry } : {}),
    });
    this.snapshots = new SnapshotReceiver({
      site,
      store,
      publicKeys,
      clock,
      log,
      security: this.security,
      link: this,
      ...(options.snapshot ? { options: options.snapshot } : {}),
      finished: (version) => this.onSnapshotFinished(version),
    });
    this.deltas = new DeltaSequencer({
      site,
      store,
      publicKeys,
      clock,
      log,
      security: this.security,
      ...(options.deltas ? { options: options.deltas } : {}),
      requestSnapshot: (reason) => this.snapshots.request(reason),
      snapshotPending: () => this.snapshots.pending(),
      applied: (deltas) => this.onDeltasApplied(deltas),
    });
    this.uplink = new Uplink({
      site,
      store,
      clock,
      log,
      link: this,
      security: this.security,
      ...(options.uplink ? { options: options.uplink } : {}),
      alarmChanged: () => this.status.changed(),
    });
    this.status = new StatusPublisher({
      site,
      clock,
      log,
      link: this,
      ...(options.status ? { options: options.status } : {}),
      stateVersion: () => store.stateVersion() ?? 0,
      outboxDepth: () => this.uplink.outboxDepth(),
      outboxAlarm: () => this.uplink.alarmLevel() > 0,
      readers: () => this.readers(),
    });
    this.commands = new CommandHandler({
      site,
      store,
      publicKeys,
      clock,
      log,
      link: this,
      execute: (command) => options.hooks.executeCommand(command),
      ...(options.commands ? { options: options.commands } : {}),
    });
  }

  // --- Link ---

  get connected(): boolean {
    return this.isConnected && this.client?.connected === true;
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions): boolean {
    const client = this.client;
    if (!client || !this.connected) return false;
    client.publish(
      topic,
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      { qos: options.qos, retain: options.retain ?? false },
      (err) => {
        if (err) this.log.debug({ topic, err: err.message }, "publish not acknowledged");
      },
    );
    return true;
  }

  // --- life cycle ---

  /**
   * Starts syncing: goes on with a snapshot staged before a restart or asks for one when
   * the store is empty, starts the outbox alarm checks and connects (in the background;
   * it retries forever). Returns at once.
   */
  start(): void {
    if (this.started) throw new Error("sync client already started");
    this.started = true;
    const storeSite = this.o.store.site();
    if (storeSite !== null && storeSite !== this.site)
      this.log.error({ storeSite }, "the store holds another site's state");
    this.commands.prune();
    this.armPrune();
    this.uplink.start();
    this.snapshots.start();
    this.connect();
  }

  /**
   * Stops gracefully: waits (up to `graceMs`) for commands being executed, publishes the
   * retained offline status, disconnects. The store stays open (it is accessd's).
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    await this.withTimeout(this.commands.idle(), graceMs);
    this.stopParts();
    const client = this.client;
    if (client) {
      if (this.connected) this.status.publish(false);
      this.isConnected = false;
      await this.withTimeout(client.endAsync(false), graceMs);
      if (!client.disconnected) await client.endAsync(true);
    }
    this.security.flushSuppressed();
  }

  /**
   * Drops the connection without a DISCONNECT, as a crash or a cut cable would: the broker
   * publishes the last will. For tests and emergencies; stop() is the normal way.
   */
  async abort(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    this.stopParts();
    this.isConnected = false;
    const client = this.client;
    if (client) await client.endAsync(true);
  }

  /** New events are in the outbox: send them without waiting for the next poll. */
  notifyEvents(): void {
    this.uplink.notify();
  }

  /** Reader health changed: publish the status now. */
  readersChanged(): void {
    this.status.changed();
  }

  /** Asks central for a full snapshot (reason "operator" unless given). */
  requestSnapshot(reason: SnapshotReason = "operator"): void {
    this.snapshots.request(reason);
  }

  /** Resolves when every command received so far has been handled (tests, shutdown). */
  async commandsIdle(): Promise<void> {
    await this.commands.idle();
  }

  health(): SyncHealth {
    const connected = this.connected;
    const refused = this.subscriptions.refused();
    const problems: string[] = [];
    if (!connected) problems.push("not connected to the broker");
    for (const filter of refused) problems.push(`subscription refused: ${filter}`);
    if (connected)
      for (const [filter, state] of Object.entries(this.subscriptions.all())) {
        if (state === "degraded") problems.push(`subscription granted QoS 0 only: ${filter}`);
        if (state === "pending") problems.push(`subscription pending: ${filter}`);
      }
    return {
      connected,
      healthy: connected && this.subscriptions.healthy(),
      subscriptions: this.subscriptions.all(),
      problems,
    };
  }

  stats(): SyncStats {
    return {
      ...this.health(),
      ...this.counters,
      subscriptionRefusals: this.subscriptions.refusalCount,
      stateVersion: this.o.store.stateVersion(),
      deltas: this.deltas.stats(),
      snapshots: this.snapshots.stats(),
      uplink: this.uplink.stats(),
      commands: this.commands.stats(),
      securityRefusals: this.security.count,
      statusPublished: this.status.count,
    };
  }

  // --- connection ---

  private connect(): void {
    const options: IClientOptions = {
      ...this.o.mqtt,
      protocolVersion: 4,
      clientId: this.o.clientId ?? `edge-${this.site}`,
      clean: false,
      keepalive: this.o.keepaliveSec ?? 30,
      connectTimeout: this.o.connectTimeoutMs ?? 10_000,
      // Reconnects are ours (backoff on the injected clock); subscriptions too (SUBACK checks).
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      will: this.status.will(),
    };
    const client = mqtt.connect(this.o.mqttUrl, options);
    this.client = client;
    client.on("connect", (connack) => this.onConnect(connack.sessionPresent));
    client.on("close", () => this.onClose());
    client.on("error", (err) => {
      if (this.connectErrorLogged && !this.isConnected) return;
      this.connectErrorLogged = true;
      this.log.warn({ err: err.message }, "broker connection error");
    });
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
  }

  private onConnect(sessionPresent: boolean): void {
    if (this.stopped) return;
    // Small packets (acks, PUBACKs) must not wait for Nagle's algorithm: with delayed
    // ACKs on the other side that costs up to 40 ms a round trip, a third of the uplink.
    const stream = this.client?.stream as { setNoDelay?: (on: boolean) => void } | undefined;
    stream?.setNoDelay?.(true);
    this.isConnected = true;
    this.connectErrorLogged = false;
    this.counters.connects++;
    this.reconnectBackoff.reset();
    this.log.info({ url: this.o.mqttUrl, sessionPresent }, "connected to the broker");
    this.status.onConnect();
    this.commands.onConnect();
    this.subscriptions.onConnect();
  }

  private onClose(): void {
    const client = this.client;
    if (this.isConnected) {
      this.isConnected = false;
      this.counters.disconnects++;
      this.log.warn("disconnected from the broker; deciding on the last good state");
    }
    this.pauseParts();
    if (this.stopped || !client) return;
    // The next connection's last will carries the status as it is then.
    client.options.will = this.status.will();
    if (this.reconnectTimer !== undefined) return;
    const delay = this.reconnectBackoff.next();
    this.log.debug({ delayMs: delay }, "reconnecting");
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopped) return;
      client.options.will = this.status.will();
      client.reconnect();
    }, delay);
  }

  private subscribe(
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

  private onSubscriptionsChanged(): void {
    const subs = this.subscriptions;
    if (this.connected && subs.holds(this.topics.ack)) {
      if (!this.uplinkRunning) {
        this.uplinkRunning = true;
        this.uplink.resume();
      }
    }
    if (this.connected && subs.holds(this.topics.manifest) && subs.holds(this.topics.chunk)) {
      if (!this.snapshotsReady) {
        this.snapshotsReady = true;
        this.snapshots.onReady();
      }
    }
    const refused = subs.refused();
    const health = this.connected ? refused.join(",") : this.lastHealth;
    if (health !== this.lastHealth) {
      this.lastHealth = health;
      this.recordHealth(refused);
      this.status.changed();
    }
  }

  private recordHealth(refused: readonly string[]): void {
    try {
      this.o.store.appendEvent({
        at: this.o.clock.wallMs(),
        type: "sync-health",
        payload: { healthy: refused.length === 0, refusedSubscriptions: refused },
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "recording sync health failed");
    }
  }

  /**
   * Reader health for the status, plus (until EdgeStatus has a field of its own) one
   * entry `{ bus: "sync", state: "subscriptions-refused" }` while the edge is unhealthy.
   */
  private readers(): ReaderHealth[] {
    const readers = [...this.o.hooks.readers()];
    if (this.subscriptions.refused().length > 0)
      readers.push({ bus: "sync", state: "subscriptions-refused" });
    return readers;
  }

  private onMessage(topic: string, payload: Buffer): void {
    try {
      switch (topic) {
        case this.topics.delta:
          this.deltas.onMessage(payload);
          break;
        case this.topics.manifest:
          this.snapshots.onManifest(payload);
          break;
        case this.topics.chunk:
          this.snapshots.onChunk(payload);
          break;
        case this.topics.ack:
          this.uplink.onAck(payload);
          break;
        case this.topics.command:
          this.commands.onMessage(payload);
          break;
        default:
          this.log.debug({ topic }, "message on an unexpected topic ignored");
      }
    } catch (err) {
      this.log.error({ topic, err: (err as Error).message }, "handling a message failed");
    }
  }

  // --- state applied ---

  private onDeltasApplied(deltas: readonly SiteDelta[]): void {
    for (const delta of deltas) this.callHook({ kind: "delta", delta });
    this.status.changed();
  }

  private onSnapshotFinished(version: number | null): void {
    if (version !== null) this.callHook({ kind: "snapshot", version });
    this.deltas.drain();
    this.status.changed();
  }

  private callHook(change: StateChange): void {
    try {
      this.o.hooks.stateApplied(change);
    } catch (err) {
      this.log.error(
        { err: (err as Error).message, kind: change.kind },
        "stateApplied hook failed",
      );
    }
  }

  // --- helpers ---

  private pauseParts(): void {
    this.uplinkRunning = false;
    this.snapshotsReady = false;
    this.uplink.pause();
    this.snapshots.onDown();
    this.status.onDown();
    this.subscriptions.onDown();
  }

  private stopParts(): void {
    this.pauseParts();
    this.uplink.stop();
    this.snapshots.stop();
    this.deltas.stop();
    this.status.stop();
    this.subscriptions.stop();
  }

  private armPrune(): void {
    this.pruneTimer = this.o.clock.setTimeout(() => {
      this.pruneTimer = undefined;
      if (this.stopped) return;
      this.commands.prune();
      this.armPrune();
    }, 3_600_000);
  }

  private clearTimers(): void {
    for (const timer of [this.reconnectTimer, this.pruneTimer])
      if (timer !== undefined) this.o.clock.clearTimeout(timer);
    this.reconnectTimer = undefined;
    this.pruneTimer = undefined;
  }

  private async withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: unknown;
    await Promise.race([
      promise.catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = this.o.clock.setTimeout(resolve, ms);
      }),
    ]);
    this.o.clock.clearTimeout(timer);
  }
}
