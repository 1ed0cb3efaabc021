import type { NewOutboxEvent } from "./outbox.js";

/** What was dropped while the queue was full: one record for the whole span. */
export interface DropSpan {
  count: number;
  readonly byType: Record<string, number>;
  /** Wall-clock ms of the first and the last event dropped. */
  readonly firstAt: number;
  lastAt: number;
}

/**
 * Events waiting for the store, in the order they were recorded, bounded by a number of
 * events. A group (the events of one record call, e.g. a read and its decision) is kept or
 * dropped whole, and always written in one transaction. When full, the newest are dropped
 * (the oldest are the start of the story of the outage and the alarm that opened it) and
 * counted by type, so that one event can say what is missing and when.
 */
export class PendingEvents {
  readonly bound: number;
  private groups: NewOutboxEvent[][] = [];
  private head = 0;
  private events = 0;
  private span: DropSpan | undefined;

  constructor(bound: number) {
    this.bound = Math.max(1, bound);
  }

  /** Events waiting. */
  get size(): number {
    return this.events;
  }

  get empty(): boolean {
    return this.events === 0;
  }

  /** What is being dropped now (since the queue last had room); undefined while it has. */
  get dropping(): DropSpan | undefined {
    return this.span;
  }

  /** Queues the group when it fits; else counts it as dropped. False when dropped. */
  push(group: readonly NewOutboxEvent[], at: number): boolean {
    if (this.events + group.length > this.bound) {
      this.drop(group, at);
      return false;
    }
    this.pushAlways(group);
    return true;
  }

  /** Queues the group past the bound: the journal's own few events (alarm, drops). */
  pushAlways(group: readonly NewOutboxEvent[]): void {
    if (group.length === 0) return;
    this.groups.push([...group]);
    this.events += group.length;
  }

  /** Ends the drop span (the queue has room again) and returns it. */
  takeDropSpan(): DropSpan | undefined {
    const span = this.span;
    this.span = undefined;
    return span;
  }

  /** Whether a group of `n` events would fit now. */
  fits(n: number): boolean {
    return this.events + n <= this.bound;
  }

  /** The oldest whole groups holding up to `maxEvents` events (at least one group). */
  peek(maxEvents: number): NewOutboxEvent[][] {
    const out: NewOutboxEvent[][] = [];
    let n = 0;
    for (let i = this.head; i < this.groups.length; i++) {
      const group = this.groups[i] as NewOutboxEvent[];
      if (out.length > 0 && n + group.length > maxEvents) break;
      out.push(group);
      n += group.length;
    }
    return out;
  }

  /** Removes the oldest `count` groups (after they were written or given up on). */
  shift(count: number): void {
    for (let i = 0; i < count && this.head < this.groups.length; i++) {
      this.events -= (this.groups[this.head] as NewOutboxEvent[]).length;
      this.groups[this.head] = [];
      this.head++;
    }
    if (this.head === this.groups.length) {
      this.groups = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.groups.length) {
      this.groups = this.groups.slice(this.head);
      this.head = 0;
    }
  }

  private drop(group: readonly NewOutboxEvent[], at: number): void {
    if (!this.span) this.span = { count: 0, byType: {}, firstAt: at, lastAt: at };
    const span = this.span;
    span.count += group.length;
    span.lastAt = at;
    for (const event of group) span.byType[event.type] = (span.byType[event.type] ?? 0) + 1;
  }
}
