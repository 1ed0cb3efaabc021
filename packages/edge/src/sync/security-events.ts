import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../store/event-journal.js";

/** What was refused: the kind of message, as it came in. */
export type RefusedMessage =
  | "delta"
  | "manifest"
  | "chunk"
  | "snapshot"
  | "ack"
  | "command"
  | "central-status";

/** Details of a refusal: ids, versions, sizes. Never a payload, a key or a signature. */
export type RefusalDetail = Readonly<Record<string, string | number | boolean | null>>;

const WINDOW_MS = 60_000;

/**
 * Records refused sync messages as security events (outbox type "sync-refused", payload
 * `{ message, reason, ...detail }`) and logs them. At most `perMinute` events a minute
 * are recorded, so a flood of forged messages cannot fill the outbox; the rest are
 * counted and recorded as one event (`reason: "SUPPRESSED"`, `count`) when the minute ends.
 */
export class SecurityEvents {
  private readonly events: EventRecorder;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly perMinute: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private suppressed = 0;
  private flushTimer: unknown;
  private total = 0;

  constructor(events: EventRecorder, clock: Clock, log: Logger, perMinute = 60) {
    this.events = events;
    this.clock = clock;
    this.log = log;
    this.perMinute = perMinute;
  }

  /** Refusals seen (recorded or suppressed). */
  get count(): number {
    return this.total;
  }

  refused(message: RefusedMessage, reason: string, detail: RefusalDetail = {}): void {
    this.total++;
    this.log.warn({ security: true, message, reason, ...detail }, "sync message refused");
    const now = this.clock.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perMinute) {
      this.suppressed++;
      if (this.flushTimer === undefined) {
        this.flushTimer = this.clock.setTimeout(
          () => {
            this.flushTimer = undefined;
            this.flushSuppressed();
          },
          Math.max(1, this.windowStart + WINDOW_MS - now),
        );
      }
      return;
    }
    this.inWindow++;
    this.record({ message, reason, ...detail });
  }

  /** Records the count of suppressed refusals now (also on stop). */
  flushSuppressed(): void {
    if (this.flushTimer !== undefined) {
      this.clock.clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.record({ message: null, reason: "SUPPRESSED", count });
  }

  /** Through the journal: never throws, held in order while the store takes no writes. */
  private record(payload: object): void {
    this.events.record([{ at: this.clock.wallMs(), type: "sync-refused", payload }]);
  }
}
