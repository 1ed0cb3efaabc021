import type { Reply } from "./osdp-types.js";

export const DEFAULT_EVENT_QUEUE_CAPACITY = 64;

/**
 * The PD's pending event replies (card reads, keypad, status changes, biometric results),
 * handed out oldest first. Bounded like a device's RAM: once `capacity` events wait, a new
 * event is refused and counted in `overflows` (the queued ones are kept, in order); the
 * queue never grows without end when no CP polls.
 */
export class EventQueue {
  readonly capacity: number;
  readonly #ring: (Reply | undefined)[];
  #head = 0;
  #size = 0;
  #overflows = 0;

  constructor(capacity = DEFAULT_EVENT_QUEUE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`event queue capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#ring = new Array<Reply | undefined>(capacity).fill(undefined);
  }

  /** Queues `event`; false (and one more overflow) when the queue is full. */
  push(event: Reply): boolean {
    if (this.#size === this.capacity) {
      this.#overflows++;
      return false;
    }
    this.#ring[(this.#head + this.#size) % this.capacity] = event;
    this.#size++;
    return true;
  }

  /** The oldest event, removed; undefined when none waits. */
  shift(): Reply | undefined {
    if (this.#size === 0) return undefined;
    const event = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return event;
  }

  /** The oldest event, left in place. */
  peek(): Reply | undefined {
    return this.#size === 0 ? undefined : this.#ring[this.#head];
  }

  get size(): number {
    return this.#size;
  }

  /** Events refused because the queue was full, since construction. */
  get overflows(): number {
    return this.#overflows;
  }
}
