import type {
  EventJournalDeps,
  EventRecorder,
  RecordOutcome,
  StoreHealth,
} from "./event-journal-types.js";
import type { NewOutboxEvent } from "./outbox.js";
import { type DropSpan, PendingEvents } from "./pending-events.js";
import { isBusyCode, storeFaultCode } from "./storage-errors.js";

export type {
  EventJournalDeps,
  EventJournalOptions,
  EventRecorder,
  EventSink,
  RecordOutcome,
  StoreHealth,
} from "./event-journal-types.js";

interface Outage {
  readonly since: number;
  readonly startedAt: number;
  code: string;
  held: number;
  written: number;
  dropped: number;
  rejected: number;
  loggedDropping: boolean;
}

type WriteResult = { ok: true } | { ok: false; code: string | undefined; error: Error };

/**
 * The one way events reach the outbox. A write goes through to the store while it takes
 * writes; when one fails for the store's reason (disk full, I/O error, read-only, busy),
 * the journal opens an outage: a "store-unwritable" event first, then every event after
 * it waits in memory in order, and is written in that order once the store takes writes
 * again (a timer with backoff, and a cheap try after a new event). The outage ends with a
 * "store-writable" event (how long, how many held and dropped). Past the memory bound the
 * newest events are dropped and one "events-dropped" event records how many, of which
 * types and when. record() never throws, so no producer (a serial read handler called by
 * native code, a timer, an MQTT callback) can be brought down by the store.
 */
export class EventJournal implements EventRecorder {
  private readonly deps: EventJournalDeps;
  private readonly queue: PendingEvents;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly chunkEvents: number;
  private readonly sliceMs: number;
  private readonly probeGapMs: number;
  private outage: Outage | undefined;
  private writable = true;
  private failures = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private timerDue = Number.POSITIVE_INFINITY;
  private running = false;
  private droppedTotal = 0;
  private rejectedTotal = 0;

  constructor(deps: EventJournalDeps) {
    this.deps = deps;
    const o = deps.options ?? {};
    this.queue = new PendingEvents(o.maxQueuedEvents ?? 200_000);
    this.retryMs = Math.max(1, o.retryMs ?? 500);
    this.maxRetryMs = Math.max(this.retryMs, o.maxRetryMs ?? 5000);
    this.chunkEvents = Math.max(1, o.chunkEvents ?? 2000);
    this.sliceMs = o.sliceMs ?? 20;
    this.probeGapMs = o.probeGapMs ?? 100;
  }

  get storeWritable(): boolean {
    return this.writable;
  }

  get eventsQueued(): number {
    return this.queue.size;
  }

  get eventsDropped(): number {
    return this.droppedTotal;
  }

  health(): StoreHealth {
    return {
      writable: this.writable,
      queued: this.queue.size,
      dropped: this.droppedTotal,
      rejected: this.rejectedTotal,
      since: this.outage?.since ?? null,
      code: this.outage?.code ?? null,
    };
  }

  /** Retries run from here on (and at once if events are waiting). */
  start(): void {
    this.running = true;
    if (!this.queue.empty) this.arm(0);
  }

  /** Clears every timer; what is queued stays queued (flush() first to write it). */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  record(events: readonly NewOutboxEvent[]): RecordOutcome {
    if (events.length === 0) return "stored";
    try {
      return this.outage ? this.enqueue(events) : this.writeThrough(events);
    } catch (err) {
      // Nothing above should throw; if it ever does, the producer still must not.
      this.deps.log.error({ err: (err as Error).message }, "event journal failed");
      return "rejected";
    }
  }

  /** Writes everything waiting now, in one go (before the store closes). True when empty. */
  flush(): boolean {
    this.attempt(Number.POSITIVE_INFINITY, false);
    return this.queue.empty && this.outage === undefined;
  }

  private writeThrough(events: readonly NewOutboxEvent[]): RecordOutcome {
    const result = this.write(events);
    if (result.ok) return "stored";
    if (result.code === undefined) {
      this.reject(events, result.error);
      return "rejected";
    }
    this.begin(result.code, result.error);
    this.queue.push(events, this.deps.clock.wallMs());
    (this.outage as Outage).held += events.length;
    return "queued";
  }

  private enqueue(events: readonly NewOutboxEvent[]): RecordOutcome {
    const outage = this.outage as Outage;
    const at = this.deps.clock.wallMs();
    // The queue has room again after drops: say what was dropped, where it was dropped.
    const roomAgain = this.queue.dropping !== undefined && this.queue.fits(events.length);
    if (roomAgain) {
      this.queue.pushAlways([this.droppedEvent(this.queue.takeDropSpan() as DropSpan)]);
      this.queue.pushAlways(events);
    }
    const kept = roomAgain || this.queue.push(events, at);
    if (kept) outage.held += events.length;
    else this.dropped(outage, events.length);
    if (!this.writable && this.probeAllowed()) this.arm(0);
    return kept ? "queued" : "dropped";
  }

  private probeAllowed(): boolean {
    const outage = this.outage as Outage;
    if (isBusyCode(outage.code)) return false;
    return this.deps.clock.now() - this.lastAttemptAt >= this.probeGapMs;
  }

  private dropped(outage: Outage, count: number): void {
    outage.dropped += count;
    this.droppedTotal += count;
    if (outage.loggedDropping) return;
    outage.loggedDropping = true;
    this.deps.log.error(
      { bound: this.queue.bound, since: outage.since, code: outage.code },
      "event memory queue full; dropping new events until the store takes writes",
    );
  }

  /**
   * Writes the queue in order, a chunk per transaction, for at most `budgetMs`; then the
   * outage's closing events. Re-arms itself for whatever remains.
   */
  private attempt(budgetMs: number, yieldToBacklogHold = true): void {
    this.disarm();
    const started = this.deps.clock.now();
    this.lastAttemptAt = started;
    while (!this.queue.empty) {
      if (yieldToBacklogHold && this.deps.holdBacklog?.() === true) {
        this.arm(this.retryMs);
        return;
      }
      if (this.deps.clock.now() - started > budgetMs) {
        this.arm(0);
        return;
      }
      if (!this.writeChunk()) {
        this.arm(this.nextRetryMs());
        return;
      }
    }
    if (this.outage && !this.close()) this.arm(this.nextRetryMs());
  }

  /** Writes the oldest chunk; false when the store refused it (the outage goes on). */
  private writeChunk(): boolean {
    // While the store refuses writes a try is one group: cheap to fail, often enough.
    const groups = this.queue.peek(this.writable ? this.chunkEvents : 1);
    const events = groups.length === 1 ? (groups[0] as NewOutboxEvent[]) : groups.flat();
    const result = this.write(events);
    if (result.ok) {
      this.queue.shift(groups.length);
      this.written(events.length);
      return true;
    }
    if (result.code !== undefined) {
      this.failed(result.code);
      return false;
    }
    // One of them cannot be stored: find it, write the others one group at a time.
    for (const group of groups) {
      const single = this.write(group);
      if (!single.ok && single.code !== undefined) {
        this.failed(single.code);
        return false;
      }
      this.queue.shift(1);
      if (single.ok) this.written(group.length);
      else this.reject(group, single.error);
    }
    return true;
  }

  /** The queue is empty: record what was dropped and the end of the outage. */
  private close(): boolean {
    const outage = this.outage as Outage;
    const span = this.queue.dropping;
    const now = this.deps.clock.wallMs();
    const durationMs = Math.round(this.deps.clock.now() - outage.startedAt);
    const closing = [
      ...(span ? [this.droppedEvent(span)] : []),
      {
        at: now,
        type: "store-writable",
        payload: {
          code: outage.code,
          since: outage.since,
          durationMs,
          eventsHeld: outage.held,
          eventsDropped: outage.dropped,
          eventsRejected: outage.rejected,
        },
      },
    ];
    const result = this.write(closing);
    if (!result.ok) {
      if (result.code !== undefined) this.failed(result.code);
      return false;
    }
    if (span) this.queue.takeDropSpan();
    this.outage = undefined;
    this.failures = 0;
    this.deps.log.warn(
      {
        code: outage.code,
        durationMs,
        queued: outage.held,
        written: outage.written,
        dropped: outage.dropped,
        rejected: outage.rejected,
      },
      "store writable again; the events held in memory are written",
    );
    this.notifyChanged();
    return true;
  }

  private begin(code: string, error: Error): void {
    const since = this.deps.clock.wallMs();
    this.outage = {
      since,
      startedAt: this.deps.clock.now(),
      code,
      held: 0,
      written: 0,
      dropped: 0,
      rejected: 0,
      loggedDropping: false,
    };
    this.writable = false;
    this.failures = 0;
    this.lastAttemptAt = this.deps.clock.now();
    this.queue.pushAlways([
      {
        at: since,
        type: "store-unwritable",
        payload: { code, message: error.message, since, queueBound: this.queue.bound },
      },
    ]);
    this.deps.log.error(
      { code, err: error.message, bound: this.queue.bound },
      "store unwritable; events are held in memory in order and decisions go on",
    );
    this.notifyFailed(code);
    this.notifyChanged();
    this.arm(this.nextRetryMs());
  }

  private failed(code: string): void {
    this.writable = false;
    if (this.outage) this.outage.code = code;
    this.notifyFailed(code);
  }

  private written(count: number): void {
    this.writable = true;
    this.failures = 0;
    if (this.outage) this.outage.written += count;
  }

  private reject(events: readonly NewOutboxEvent[], error: Error): void {
    this.rejectedTotal += events.length;
    if (this.outage) this.outage.rejected += events.length;
    this.deps.log.error(
      { err: error.message, types: events.map((e) => e.type) },
      "event cannot be stored; dropped",
    );
  }

  private notifyChanged(): void {
    try {
      this.deps.changed?.(this.health());
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, "store health hook failed");
    }
  }

  private notifyFailed(code: string): void {
    try {
      this.deps.writeFailed?.(code);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, "write failure hook failed");
    }
  }

  private write(events: readonly NewOutboxEvent[]): WriteResult {
    const sink = this.deps.sink();
    if (!sink) return { ok: false, code: "STORE_CLOSED", error: new Error("store not open") };
    try {
      sink.appendEvents(events);
      return { ok: true };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return { ok: false, code: storeFaultCode(err), error };
    }
  }

  private droppedEvent(span: DropSpan): NewOutboxEvent {
    return {
      at: span.lastAt,
      type: "events-dropped",
      payload: {
        count: span.count,
        byType: { ...span.byType },
        firstAt: span.firstAt,
        lastAt: span.lastAt,
        queueBound: this.queue.bound,
      },
    };
  }

  private nextRetryMs(): number {
    const ms = Math.min(this.maxRetryMs, this.retryMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 30);
    return ms;
  }

  /** The next attempt in `ms` (an earlier one already armed stays). */
  private arm(ms: number): void {
    if (!this.running) return;
    const due = this.deps.clock.now() + ms;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.disarm();
    this.timerDue = due;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      try {
        this.attempt(this.sliceMs);
      } catch (err) {
        this.deps.log.error({ err: (err as Error).message }, "writing held events failed");
        this.arm(this.maxRetryMs);
      }
    }, ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }
}
