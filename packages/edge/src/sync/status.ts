import { type EdgeStatus, encodeEdgeStatus, type ReaderHealth, topics } from "@acs/protocol";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Link } from "./link.js";

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
  readonly options?: StatusOptions;
  readonly stateVersion: () => number;
  readonly outboxDepth: () => number;
  readonly outboxAlarm: () => boolean;
  readonly readers: () => readonly ReaderHealth[];
}

/**
 * The edge's retained status on topics.status(site): at connect, as a heartbeat, and
 * whenever the state version, the outbox alarm or reader health changes. The connection's
 * last will (see will()) is the same topic, retained, with `online: false`; a graceful
 * stop publishes that itself.
 */
export class StatusPublisher {
  private readonly deps: StatusDeps;
  private readonly heartbeatMs: number;
  private readonly readerPollMs: number;
  private heartbeatTimer: unknown;
  private readerTimer: unknown;
  private last: { version: number; alarm: boolean; readers: string } | undefined;
  private published = 0;

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
    return {
      site: this.deps.site,
      online,
      stateVersion: this.deps.stateVersion(),
      outboxDepth: this.deps.outboxDepth(),
      outboxAlarm: this.deps.outboxAlarm(),
      readers: this.readers(),
      at: this.deps.clock.wallMs(),
    };
  }

  /** The last will for the next connection: this status, offline. */
  will(): { topic: string; payload: Buffer; qos: 1; retain: true } {
    const payload = encodeEdgeStatus(this.current(false));
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
    if (!this.deps.link.connected || !this.last) return;
    const readers = JSON.stringify(this.readers());
    if (
      this.last.version === this.deps.stateVersion() &&
      this.last.alarm === this.deps.outboxAlarm() &&
      this.last.readers === readers
    )
      return;
    this.publish();
  }

  /** Publishes the status now (online, or offline before a graceful disconnect). */
  publish(online = true): boolean {
    const status = this.current(online);
    const sent = this.deps.link.publish(topics.status(this.deps.site), encodeEdgeStatus(status), {
      qos: 1,
      retain: true,
    });
    if (!sent) return false;
    this.published++;
    this.last = {
      version: status.stateVersion,
      alarm: status.outboxAlarm,
      readers: JSON.stringify(status.readers),
    };
    this.deps.log.debug({ status }, "status published");
    if (online) this.armHeartbeat();
    return true;
  }

  stop(): void {
    this.clearTimers();
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
