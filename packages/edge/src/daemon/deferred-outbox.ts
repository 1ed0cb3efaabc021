import type { NewOutboxEvent } from "../store/outbox.js";
import type { Store } from "../store/store.js";

/**
 * Outbox writes for events that describe what already happened (a door change, an alarm,
 * a bus state): collected during one turn of the event loop and committed together right
 * after it, once the commands that turn produced are on the wire. Nothing else is done with
 * such an event before it is stored. Reads and decisions do not come here: they are
 * committed before the door acts on them.
 */
export class DeferredOutbox {
  private readonly store: () => Store | undefined;
  private readonly onError: (error: Error, events: readonly NewOutboxEvent[]) => void;
  private pending: NewOutboxEvent[] = [];
  private scheduled = false;

  constructor(
    store: () => Store | undefined,
    onError: (error: Error, events: readonly NewOutboxEvent[]) => void,
  ) {
    this.store = store;
    this.onError = onError;
  }

  add(event: NewOutboxEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Commits what is pending now (also called before the store closes). */
  flush(): void {
    this.scheduled = false;
    const events = this.pending;
    if (events.length === 0) return;
    this.pending = [];
    const store = this.store();
    if (!store) return;
    try {
      store.appendEvents(events);
    } catch (err) {
      // Kept for the next flush: an event is never dropped because one commit failed.
      this.pending = [...events, ...this.pending];
      this.onError(err as Error, events);
    }
  }
}
