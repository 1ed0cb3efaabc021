import type { Logger } from "pino";
import type { EventStore } from "./event-store.js";

/** What kind of message was refused. */
export type RefusedKind = "events" | "status" | "command-result" | "snapshot-request" | "topic";

/** Details of a refusal: ids, sizes, sites. Never a payload, a key or a signature. */
export type SecurityDetail = Readonly<Record<string, string | number | boolean | null>>;

const WINDOW_MS = 60_000;

/**
 * Central's security events: every message it refuses (unsigned, badly signed, an unknown
 * or retired key, another site's key, a malformed payload) is counted by reason, logged
 * with `security: true` and kept in the event store's `security_event` table. At most
 * `perMinute` a minute are logged and kept, so a flood of forgeries cannot fill the disk
 * or the log; the rest are counted and summed up in one line and row when the minute ends.
 */
export class SecurityLog {
  private readonly log: Logger;
  private readonly events: EventStore | undefined;
  private readonly now: () => number;
  private readonly perMinute: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private suppressed = 0;
  readonly counts: Record<string, number> = {};
  total = 0;

  constructor(log: Logger, events: EventStore | undefined, now: () => number, perMinute = 120) {
    this.log = log;
    this.events = events;
    this.now = now;
    this.perMinute = perMinute;
  }

  refused(
    kind: RefusedKind,
    site: string | null,
    reason: string,
    keyId: string | null,
    detail: SecurityDetail = {},
  ): void {
    this.total++;
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.flush();
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perMinute) {
      this.suppressed++;
      return;
    }
    this.inWindow++;
    this.log.warn({ security: true, kind, site, reason, keyId, ...detail }, "message refused");
    this.keep(now, site, kind, reason, keyId, detail);
  }

  /** Sums up what the limit held back (also called when the service stops). */
  flush(): void {
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.log.warn({ security: true, reason: "SUPPRESSED", count }, "more messages refused");
    this.keep(this.now(), null, "topic", "SUPPRESSED", null, { count });
  }

  private keep(
    at: number,
    site: string | null,
    kind: string,
    reason: string,
    keyId: string | null,
    detail: SecurityDetail,
  ): void {
    try {
      this.events?.db
        .prepare(
          "INSERT INTO security_event (at, site, kind, reason, key_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(at, site, kind, reason, keyId, JSON.stringify(detail));
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "security event not stored");
    }
  }
}
