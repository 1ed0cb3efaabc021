import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../store/event-journal.js";

export interface OutboxAlarmDeps {
  /** Where the "outbox-alarm" events go (never throws). */
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  /** The outbox's size for the alarm levels (100 %). */
  readonly maxEvents: number;
  /** Alarm levels as fractions of maxEvents. */
  readonly levels: readonly number[];
  readonly changed: (level: number) => void;
}

/**
 * The outbox is bounded only by an alarm: past each level of `maxEvents` (50, 80, 100 %)
 * it logs, records an "outbox-alarm" event and raises the status' outboxAlarm. Nothing is
 * ever dropped: past 100 % accessd keeps recording and the alarm stays at its highest
 * level until the outbox drains. A level is left only 5 % below it.
 */
export class OutboxAlarm {
  private readonly deps: OutboxAlarmDeps;
  private readonly levels: readonly number[];
  private current = 0;

  constructor(deps: OutboxAlarmDeps) {
    this.deps = deps;
    this.levels = [...deps.levels].sort((a, b) => a - b);
  }

  /** The level reached (fraction of maxEvents; 0: none). */
  get level(): number {
    return this.current;
  }

  /** Compares `depth` with the levels; records and announces a change. */
  check(depth: number): void {
    const { maxEvents } = this.deps;
    const fill = depth / maxEvents;
    let level = 0;
    for (const l of this.levels) if (fill >= l) level = l;
    if (level < this.current && fill >= this.current - 0.05) level = this.current;
    if (level === this.current) return;
    const previous = this.current;
    this.current = level;
    const fields = {
      level: Math.round(level * 100),
      previous: Math.round(previous * 100),
      depth,
      maxEvents,
    };
    if (level > previous) this.deps.log.warn(fields, "event outbox alarm");
    else this.deps.log.info(fields, "event outbox alarm lowered");
    this.deps.events.record([
      { at: this.deps.clock.wallMs(), type: "outbox-alarm", payload: fields },
    ]);
    this.deps.changed(level);
  }
}
