import type { EventRecorder } from "../store/event-journal.js";
import type { NewOutboxEvent } from "../store/outbox.js";

/**
 * Outbox writes for events that describe what already happened (a door change, an alarm,
 * a bus state): collected during one turn of the event loop and recorded together right
 * after it, once the commands that turn produced are on the wire. Nothing else is done with
 * such an event before it is recorded. Reads and decisions do not come here: they are
 * recorded before the door acts on them. The journal never throws and keeps what the store
 * cannot take yet, in order, so nothing waits here beyond the turn.
 */
export class DeferredOutbox {
  private readonly journal: EventRecorder;
  private pending: NewOutboxEvent[] = [];
  private scheduled = false;

  constructor(journal: EventRecorder) {
    this.journal = journal;
  }

  add(event: NewOutboxEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Records what is pending now (also called before the store closes). */
  flush(): void {
    this.scheduled = false;
    const events = this.pending;
    if (events.length === 0) return;
    this.pending = [];
    this.journal.record(events);
  }
}
