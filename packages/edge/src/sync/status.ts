import { randomBytes } from "node:crypto";
import { type EdgeStatus, encodeEdgeStatus, type ReaderHealth, topics } from "@acs/protocol";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { EdgeSigner } from "./edge-signer.js";
import type { Link } from "./link.js";

/** Whether the store takes writes, and what waits in memory meanwhile (the status reports it). */
export interface StatusStoreHealth {
  readonly unwritable: boolean;
  readonly queued: number;
  readonly dropped: number;
}

export interface StatusOptions {
  /** A retained status is published this often while connected. Default 30 s. */
  readonly heartbeatMs?: number;
  /** How often reader health is compared with the last status. Default 1000 ms. */
  readonly readerPollMs?: number;
}

export interface StatusDeps {
  readonly site: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly link: Link;
  readonly signer: EdgeSigner;
  readonly options?: StatusOptions;
  readonly stateVersion: () => number;
  readonly outboxDepth: () => number;
  readonly outboxAlarm: () => boolean;
  readonly readers: () => readonly ReaderHealth[];
  readonly centralKeyIds: () => readonly string[];
  readonly storeHealth: () => StatusStoreHealth;
  readonly outboxEpoch: () => string;
  readonly syncHealthy: () => boolean;
}

/**
 * The edge's retained status on topics.status(site), signed with the edge's key: at
 * connect, as a heartbeat, and whenever the state version, the outbox alarm, reader or
 * store health, sync health or central's trusted keys change. The connection's last will
 * (see will()) is the same topic, retained, with `online: false`, signed when the
 * connection is made and naming that connection's session; a graceful stop publishes
 * the offline status itself.
 */
export class StatusPublisher {
  private readonly deps: StatusDeps;
  private readonly heartbeatMs: number;
  private readonly readerPollMs: number;
  private heartbeatTimer: unknown;
  private readerTimer: unknown;
  private last: string | undefined;
  private published = 0;
  /** The current connection's id (made with its will). */
  private session = "";

  constructor(deps: StatusDeps) {
    this.deps = deps;
    this.heartbeatMs = deps.options?.heartbeatMs ?? 30_000;
    this.readerPollMs = deps.options?.readerPollMs ?? 1000;
  }

  get count(): number {
    return this.published;
  }

  /** The status as it is now. */
  current(online: boolean): EdgeStatus {
    const store = this.storeHealth();
    return {
      site: this.deps.site,
      online,
      stateVersion: this.deps.stateVersion(),
      outboxDepth: this.deps.outboxDepth(),
      outboxAlarm: this.deps.outboxAlarm(),
      readers: this.readers(),
      at: this.deps.clock.wallMs(),
      session: this.session,
      edgeKeyId: this.deps.signer.keyId,
      centralKeyIds: [...this.deps.centralKeyIds()],
      storeUnwritable: store.unwritable,
      eventsQueued: store.queued,
      eventsDropped: store.dropped,
      outboxEpoch: this.deps.outboxEpoch(),
      syncHealthy: online && this.deps.syncHealthy(),
    };
  }

  /** The last will for the next connection (a new session): this status, offline, signed. */
  will(): { topic: string; payload: Buffer; qos: 1; retain: true } {
    this.session = randomBytes(9).toString("base64url");
    const payload = this.deps.signer.sign("status", encodeEdgeStatus(this.current(false)));
    return {
      topic: topics.status(this.deps.site),
      payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      qos: 1,
      retain: true,
    };
  }

  /** Connected: publish now, then as a heartbeat. */
  onConnect(): void {
    this.publish();
    this.armReaderPoll();
  }

  onDown(): void {
    this.clearTimers();
  }

  /** Something in the status may have changed: publish when it did. */
  changed(): void {
    if (!this.deps.link.connected || this.last === undefined) return;
    if (this.last === fingerprint(this.current(true))) return;
    this.publish();
  }

  /** Publishes the status now (online, or offline before a graceful disconnect). */
  publish(online = true): boolean {
    const status = this.current(online);
    const payload = this.deps.signer.sign("status", encodeEdgeStatus(status));
    const sent = this.deps.link.publish(topics.status(this.deps.site), payload, {
      qos: 1,
      retain: true,
    });
    if (!sent) return false;
    this.published++;
    this.last = fingerprint(status);
    this.deps.log.debug({ status }, "status published");
    if (online) this.armHeartbeat();
    return true;
  }

  stop(): void {
    this.clearTimers();
  }

  private storeHealth(): StatusStoreHealth {
    try {
      return this.deps.storeHealth();
    } catch {
      return { unwritable: false, queued: 0, dropped: 0 };
    }
  }

  private readers(): ReaderHealth[] {
    try {
      return [...this.deps.readers()];
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, "reader health unavailable");
      return [];
    }
  }

  private armHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) this.deps.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.deps.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.publish();
    }, this.heartbeatMs);
  }

  private armReaderPoll(): void {
    if (this.readerTimer !== undefined) return;
    this.readerTimer = this.deps.clock.setTimeout(() => {
      this.readerTimer = undefined;
      if (!this.deps.link.connected) return;
      this.changed();
      this.armReaderPoll();
    }, this.readerPollMs);
  }

  private clearTimers(): void {
    for (const timer of [this.heartbeatTimer, this.readerTimer])
      if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    this.heartbeatTimer = undefined;
    this.readerTimer = undefined;
  }
}

/** What a change of the status is judged by: everything but its time and queue depths. */
function fingerprint(s: EdgeStatus): string {
  return JSON.stringify([
    s.stateVersion,
    s.outboxAlarm,
    s.readers,
    s.centralKeyIds,
    s.storeUnwritable,
    s.eventsDropped > 0,
    s.outboxEpoch,
    s.syncHealthy,
  ]);
}
