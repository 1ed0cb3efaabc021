import type { ReaderHealth, SiteDelta } from "@acs/protocol";
import {
  CENTRAL_STATUS_TOPIC,
  decodeCentralStatus,
  openEnvelope,
  refusalReason,
  topics,
} from "@acs/protocol";
import type { Logger } from "pino";
import { BrokerSession, withTimeout } from "./broker-session.js";
import type { Link, PublishOptions } from "./link.js";
import type { SnapshotReason } from "./snapshots.js";
import { createSyncParts, type SyncParts } from "./sync-parts.js";
import type { StateChange, SyncClientOptions, SyncHealth, SyncStats } from "./sync-types.js";

export type {
  StateChange,
  SyncClientOptions,
  SyncHealth,
  SyncHooks,
  SyncStats,
} from "./sync-types.js";

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
    readonly central: string;
  };
  private readonly parts: SyncParts;
  private readonly broker: BrokerSession;
  private started = false;
  private stopped = false;
  private pruneTimer: unknown;
  private uplinkRunning = false;
  private snapshotsReady = false;
  private lastHealth = "";
  private counters = { connects: 0, disconnects: 0 };
  private central: { online: boolean; at: number; session: string } | null = null;

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
      central: CENTRAL_STATUS_TOPIC,
    };
    this.parts = createSyncParts(options, {
      link: this,
      log: this.log,
      filters: Object.values(this.topics),
      subscribe: (filters, done) => this.broker.subscribe(filters, done),
      subscriptionsChanged: () => this.onSubscriptionsChanged(),
      snapshotFinished: (version) => this.onSnapshotFinished(version),
      deltasApplied: (deltas) => this.onDeltasApplied(deltas),
      readers: () => this.readers(),
      healthy: () => this.health().healthy,
    });
    this.broker = new BrokerSession({
      url: options.mqttUrl,
      clientId: options.clientId ?? `edge-${site}`,
      keepaliveSec: options.keepaliveSec ?? 30,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      reconnect: {
        initialMs: options.reconnect?.initialMs ?? 250,
        // Short: an edge has its state moments after the broker is back. A refused TCP
        // connect costs a broker next to nothing, even from thousands of edges.
        maxMs: options.reconnect?.maxMs ?? 1000,
      },
      ...(options.mqtt ? { mqtt: options.mqtt } : {}),
      clock: options.clock,
      log: this.log,
      will: () => this.parts.status.will(),
      connected: (sessionPresent) => this.onConnect(sessionPresent),
      closed: (wasConnected) => this.onClose(wasConnected),
      message: (topic, payload) => this.onMessage(topic, payload),
    });
  }

  // --- Link ---

  get connected(): boolean {
    return this.broker.connected;
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions): boolean {
    return this.broker.publish(topic, payload, options);
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
    this.parts.ownJournal?.start();
    const storeSite = this.o.store.site();
    if (storeSite !== null && storeSite !== this.site)
      this.log.error({ storeSite }, "the store holds another site's state");
    this.parts.commands.prune();
    this.armPrune();
    this.parts.uplink.start();
    this.parts.snapshots.start();
    this.broker.connect();
  }

  /**
   * Stops gracefully: waits (up to `graceMs`) for commands being executed, publishes the
   * retained offline status, disconnects. The store stays open (it is accessd's).
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    await withTimeout(this.o.clock, this.parts.commands.idle(), graceMs);
    this.stopParts();
    if (this.connected) this.parts.status.publish(false);
    await this.broker.end(graceMs);
    this.parts.security.flushSuppressed();
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
    await this.broker.abort();
  }

  /** New events are in the outbox: send them without waiting for the next poll. */
  notifyEvents(): void {
    this.parts.uplink.notify();
  }

  /** Reader health changed: publish the status now. */
  readersChanged(): void {
    this.parts.status.changed();
  }

  /** Asks central for a full snapshot (reason "operator" unless given). */
  requestSnapshot(reason: SnapshotReason = "operator"): void {
    this.parts.snapshots.request(reason);
  }

  /** Resolves when every command received so far has been handled (tests, shutdown). */
  async commandsIdle(): Promise<void> {
    await this.parts.commands.idle();
  }

  health(): SyncHealth {
    const connected = this.connected;
    const refused = this.parts.subscriptions.refused();
    const problems: string[] = [];
    if (!connected) problems.push("not connected to the broker");
    for (const filter of refused) problems.push(`subscription refused: ${filter}`);
    if (connected)
      for (const [filter, state] of Object.entries(this.parts.subscriptions.all())) {
        if (state === "degraded") problems.push(`subscription granted QoS 0 only: ${filter}`);
        if (state === "pending") problems.push(`subscription pending: ${filter}`);
      }
    return {
      connected,
      healthy: connected && this.parts.subscriptions.healthy(),
      subscriptions: this.parts.subscriptions.all(),
      problems,
    };
  }

  stats(): SyncStats {
    return {
      ...this.health(),
      ...this.counters,
      subscriptionRefusals: this.parts.subscriptions.refusalCount,
      stateVersion: this.o.store.stateVersion(),
      deltas: this.parts.deltas.stats(),
      snapshots: this.parts.snapshots.stats(),
      uplink: this.parts.uplink.stats(),
      commands: this.parts.commands.stats(),
      securityRefusals: this.parts.security.count,
      statusPublished: this.parts.status.count,
      centralKeyIds: this.parts.keyRing.ids(),
      central: this.central ? { online: this.central.online, at: this.central.at } : null,
    };
  }

  // --- connection ---

  private onConnect(sessionPresent: boolean): void {
    this.counters.connects++;
    this.log.info({ url: this.o.mqttUrl, sessionPresent }, "connected to the broker");
    this.parts.status.onConnect();
    this.parts.commands.onConnect();
    this.parts.subscriptions.onConnect();
  }

  private onClose(wasConnected: boolean): void {
    if (wasConnected) {
      this.counters.disconnects++;
      this.log.warn("disconnected from the broker; deciding on the last good state");
    }
    this.pauseParts();
  }

  private onSubscriptionsChanged(): void {
    const subs = this.parts.subscriptions;
    if (this.connected && subs.holds(this.topics.ack)) {
      if (!this.uplinkRunning) {
        this.uplinkRunning = true;
        this.parts.uplink.resume();
      }
    }
    if (this.connected && subs.holds(this.topics.manifest) && subs.holds(this.topics.chunk)) {
      if (!this.snapshotsReady) {
        this.snapshotsReady = true;
        this.parts.snapshots.onReady();
      }
    }
    const refused = subs.refused();
    const health = this.connected ? refused.join(",") : this.lastHealth;
    if (health !== this.lastHealth) {
      this.lastHealth = health;
      this.recordHealth(refused);
      this.parts.status.changed();
    }
  }

  private recordHealth(refused: readonly string[]): void {
    this.parts.events.record([
      {
        at: this.o.clock.wallMs(),
        type: "sync-health",
        payload: { healthy: refused.length === 0, refusedSubscriptions: refused },
      },
    ]);
  }

  /**
   * Reader health for the status, plus (until EdgeStatus has a field of its own) one
   * entry `{ bus: "sync", state: "subscriptions-refused" }` while the edge is unhealthy.
   */
  private readers(): ReaderHealth[] {
    const readers = [...this.o.hooks.readers()];
    if (this.parts.subscriptions.refused().length > 0)
      readers.push({ bus: "sync", state: "subscriptions-refused" });
    return readers;
  }

  private onMessage(topic: string, payload: Buffer): void {
    try {
      switch (topic) {
        case this.topics.delta:
          this.parts.deltas.onMessage(payload);
          break;
        case this.topics.manifest:
          this.parts.snapshots.onManifest(payload);
          break;
        case this.topics.chunk:
          this.parts.snapshots.onChunk(payload);
          break;
        case this.topics.ack:
          this.parts.uplink.onAck(payload);
          break;
        case this.topics.command:
          this.parts.commands.onMessage(payload);
          break;
        case this.topics.central:
          this.onCentralStatus(payload);
          break;
        default:
          this.log.debug({ topic }, "message on an unexpected topic ignored");
      }
    } catch (err) {
      this.log.error({ topic, err: (err as Error).message }, "handling a message failed");
    }
  }

  /**
   * Central's retained status: when it comes online (a new session), a snapshot request
   * made while it was away goes again at once.
   */
  private onCentralStatus(payload: Buffer): void {
    if (payload.byteLength === 0) return;
    let status: ReturnType<typeof decodeCentralStatus>;
    try {
      status = decodeCentralStatus(openEnvelope(payload, "central-status", this.parts.keyRing));
    } catch (err) {
      this.parts.security.refused("central-status", refusalReason(err, payload), {
        bytes: payload.byteLength,
      });
      return;
    }
    const previous = this.central;
    if (previous && status.at < previous.at && status.session !== previous.session) return;
    this.central = { online: status.online, at: status.at, session: status.session };
    const cameOnline = status.online && (!previous?.online || previous.session !== status.session);
    this.log.info({ online: status.online, session: status.session }, "central status");
    if (cameOnline) this.parts.snapshots.onCentralOnline();
  }

  // --- state applied ---

  private onDeltasApplied(deltas: readonly SiteDelta[]): void {
    for (const delta of deltas) this.callHook({ kind: "delta", delta });
    this.parts.status.changed();
  }

  private onSnapshotFinished(version: number | null): void {
    if (version !== null) this.callHook({ kind: "snapshot", version });
    this.parts.deltas.drain();
    this.parts.status.changed();
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
    this.parts.uplink.pause();
    this.parts.snapshots.onDown();
    this.parts.status.onDown();
    this.parts.subscriptions.onDown();
  }

  private stopParts(): void {
    this.pauseParts();
    this.parts.uplink.stop();
    this.parts.snapshots.stop();
    this.parts.deltas.stop();
    this.parts.status.stop();
    this.parts.subscriptions.stop();
    this.parts.ownJournal?.flush();
    this.parts.ownJournal?.stop();
  }

  private armPrune(): void {
    this.pruneTimer = this.o.clock.setTimeout(() => {
      this.pruneTimer = undefined;
      if (this.stopped) return;
      this.parts.commands.prune();
      this.armPrune();
    }, 3_600_000);
  }

  private clearTimers(): void {
    this.broker.halt();
    if (this.pruneTimer !== undefined) this.o.clock.clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
  }
}
