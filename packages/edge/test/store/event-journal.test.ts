import Database from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { EventJournal, type EventJournalOptions } from "../../src/store/event-journal.js";
import type { NewOutboxEvent } from "../../src/store/outbox.js";
import { fakeClock } from "../fake-clock.js";

/** A store that keeps what it is given, and fails on demand with an SQLite code. */
class FakeStore {
  readonly events: NewOutboxEvent[] = [];
  failWith: string | undefined;
  calls = 0;
  /** Time each write takes on the fake clock. */
  writeMs = 0;
  tick: (ms: number) => void = () => {};
  appendEvents(events: readonly NewOutboxEvent[]): number[] {
    this.calls++;
    this.tick(this.writeMs);
    if (this.failWith) throw new Database.SqliteError("database or disk is full", this.failWith);
    for (const event of events) {
      // As the real outbox does: a payload JSON cannot express fails the whole transaction.
      JSON.stringify(event.payload);
    }
    this.events.push(...events);
    return events.map((_, i) => this.events.length - events.length + i + 1);
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
  names(): string[] {
    return this.events.map((e) => (e.payload as { n?: string }).n ?? e.type);
  }
}

const silent = pino({ level: "silent" });
const ev = (n: string, type = "card-read"): NewOutboxEvent => ({ at: 0, type, payload: { n } });

function setup(options: EventJournalOptions = {}, extra: { hold?: () => boolean } = {}) {
  const { clock: base, fake } = fakeClock();
  // Time a write takes: seen by the journal's clock, without firing timers meanwhile.
  let spent = 0;
  const clock = { ...base, now: () => base.now() + spent };
  const store = new FakeStore();
  store.tick = (ms) => {
    spent += ms;
  };
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: "info" },
    {
      write: (text: string) => {
        lines.push(JSON.parse(text) as Record<string, unknown>);
      },
    },
  );
  const failures: string[] = [];
  const journal = new EventJournal({
    sink: () => store,
    clock,
    log,
    options,
    writeFailed: (code) => failures.push(code),
    ...(extra.hold ? { holdBacklog: extra.hold } : {}),
  });
  journal.start();
  const messages = () => lines.map((l) => l.msg);
  return { clock, fake, store, journal, lines, messages, failures };
}

describe("EventJournal", () => {
  it("writes through while the store takes writes", () => {
    const { store, journal } = setup();
    expect(journal.record([ev("a"), ev("b")])).toBe("stored");
    expect(store.names()).toEqual(["a", "b"]);
    expect(journal.health()).toMatchObject({ writable: true, queued: 0, since: null, code: null });
  });

  it("keeps the order across an outage: the alarm first, new events behind the queue", () => {
    const { store, journal, fake, messages, failures } = setup();
    journal.record([ev("a")]);
    store.failWith = "SQLITE_FULL";
    expect(journal.record([ev("b"), ev("b2")])).toBe("queued");
    expect(journal.record([ev("c")])).toBe("queued");
    expect(journal.storeWritable).toBe(false);
    expect(journal.eventsQueued).toBe(4); // the alarm, b, b2, c
    expect(journal.health()).toMatchObject({ code: "SQLITE_FULL", since: 1_800_000_000_000 });
    fake.tick(10_000);
    expect(journal.record([ev("d")])).toBe("queued");
    store.failWith = undefined;
    expect(journal.record([ev("e")])).toBe("queued");
    fake.tick(6000);
    expect(store.names()).toEqual([
      "a",
      "store-unwritable",
      "b",
      "b2",
      "c",
      "d",
      "e",
      "store-writable",
    ]);
    expect(journal.health()).toMatchObject({ writable: true, queued: 0, since: null, dropped: 0 });
    const alarm = store.events[1]?.payload as Record<string, unknown>;
    expect(alarm).toMatchObject({ code: "SQLITE_FULL", since: 1_800_000_000_000 });
    const end = store.events[7]?.payload as Record<string, unknown>;
    expect(end).toMatchObject({ code: "SQLITE_FULL", eventsHeld: 5, eventsDropped: 0 });
    expect(end.durationMs).toBeGreaterThanOrEqual(10_000);
    // Logged once when it began and once when it ended, not per event.
    expect(messages().filter((m) => String(m).startsWith("store unwritable"))).toHaveLength(1);
    expect(messages().filter((m) => String(m).startsWith("store writable again"))).toHaveLength(1);
    expect(failures[0]).toBe("SQLITE_FULL");
    // And the next event goes straight through again.
    expect(journal.record([ev("f")])).toBe("stored");
  });

  it("drops the newest past its bound and records how many, of which types, and when", () => {
    const { store, journal, fake, messages } = setup({ maxQueuedEvents: 5 });
    store.failWith = "SQLITE_IOERR_WRITE";
    const outcomes = [];
    for (let i = 0; i < 8; i++) {
      fake.tick(1000);
      outcomes.push(journal.record([ev(`r${i}`, i % 2 ? "access-decision" : "card-read")]));
    }
    // The alarm takes one place of five.
    expect(outcomes).toEqual([
      "queued",
      "queued",
      "queued",
      "queued",
      "dropped",
      "dropped",
      "dropped",
      "dropped",
    ]);
    expect(journal.eventsDropped).toBe(4);
    expect(messages().filter((m) => String(m).startsWith("event memory queue full"))).toHaveLength(
      1,
    );
    store.failWith = undefined;
    fake.tick(6000);
    expect(store.names()).toEqual([
      "store-unwritable",
      "r0",
      "r1",
      "r2",
      "r3",
      "events-dropped",
      "store-writable",
    ]);
    expect(store.events[5]?.payload).toEqual({
      count: 4,
      byType: { "card-read": 2, "access-decision": 2 },
      firstAt: 1_800_000_005_000,
      lastAt: 1_800_000_008_000,
      queueBound: 5,
    });
    expect(store.events[6]?.payload).toMatchObject({ eventsHeld: 4, eventsDropped: 4 });
    expect(journal.health()).toMatchObject({ dropped: 4, queued: 0 });
  });

  it("records the drops where the queue had room again", () => {
    const { store, journal, fake } = setup({ maxQueuedEvents: 3, chunkEvents: 1, sliceMs: 0 });
    store.writeMs = 1;
    store.failWith = "SQLITE_FULL";
    journal.record([ev("a")]);
    journal.record([ev("b")]);
    journal.record([ev("x")]); // dropped
    store.failWith = undefined;
    // The first retry writes one group per turn (slice 0): room for new events again.
    fake.tick(500);
    expect(journal.record([ev("c")])).toBe("queued");
    fake.tick(100);
    expect(store.names()).toEqual([
      "store-unwritable",
      "a",
      "b",
      "events-dropped",
      "c",
      "store-writable",
    ]);
  });

  it("retries on a timer from 500 ms doubling to 5 s, and after a new event", () => {
    const { store, journal, fake } = setup();
    store.failWith = "SQLITE_FULL";
    journal.record([ev("a")]);
    const at: number[] = [];
    const before = store.calls;
    let calls = before;
    for (let t = 0; t < 30_000; t += 50) {
      fake.tick(50);
      if (store.calls !== calls) {
        at.push(fake.now);
        calls = store.calls;
      }
    }
    const gaps = at.map((t, i) => t - (at[i - 1] ?? 0));
    expect(gaps.slice(0, 6)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    // A new event tries again at once (after the turn), at most every 100 ms.
    calls = store.calls;
    journal.record([ev("b")]);
    journal.record([ev("c")]);
    fake.tick(0);
    expect(store.calls).toBe(calls + 1);
    journal.record([ev("d")]);
    fake.tick(0);
    expect(store.calls).toBe(calls + 1);
    fake.tick(100);
    journal.record([ev("e")]);
    fake.tick(0);
    expect(store.calls).toBe(calls + 2);
  });

  it("does not try after each event while the store is busy (each try may wait)", () => {
    const { store, journal, fake } = setup();
    store.failWith = "SQLITE_BUSY";
    journal.record([ev("a")]);
    const calls = store.calls;
    fake.tick(200);
    journal.record([ev("b")]);
    fake.tick(0);
    expect(store.calls).toBe(calls);
    fake.tick(300);
    expect(store.calls).toBe(calls + 1);
  });

  it("stop() clears every timer; flush() writes what is waiting", () => {
    const { store, journal, fake } = setup();
    store.failWith = "SQLITE_READONLY";
    journal.record([ev("a")]);
    journal.record([ev("b")]);
    expect(fake.countTimers()).toBeGreaterThan(0);
    journal.stop();
    expect(fake.countTimers()).toBe(0);
    store.failWith = undefined;
    fake.tick(60_000);
    expect(store.events).toHaveLength(0);
    expect(journal.flush()).toBe(true);
    expect(store.names()).toEqual(["store-unwritable", "a", "b", "store-writable"]);
    expect(fake.countTimers()).toBe(0);
  });

  it("never throws: a closed store, a non-Error thrown, an event that cannot be stored", () => {
    const { clock, fake } = fakeClock();
    let sink: { appendEvents: (e: readonly NewOutboxEvent[]) => number[] } | undefined;
    const journal = new EventJournal({ sink: () => sink, clock, log: silent });
    journal.start();
    expect(journal.record([ev("a")])).toBe("queued");
    expect(journal.health().code).toBe("STORE_CLOSED");
    sink = {
      appendEvents: () => {
        // biome-ignore lint/style/useThrowOnlyError: what a native binding might throw
        throw "not an error";
      },
    };
    expect(() => journal.record([ev("b")])).not.toThrow();
    const store = new FakeStore();
    sink = store;
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(journal.record([{ at: 0, type: "bad", payload: circular }])).toBe("queued");
    journal.record([ev("c")]);
    fake.tick(1000);
    // The bad event is given up on alone; the others are written in order.
    expect(store.names()).toEqual(["store-unwritable", "a", "b", "c", "store-writable"]);
    expect(journal.health().rejected).toBe(1);
    expect(store.events.at(-1)?.payload).toMatchObject({ eventsRejected: 1 });
    expect(journal.record([{ at: 0, type: "bad", payload: circular }])).toBe("rejected");
    expect(journal.storeWritable).toBe(true);
  });

  it("writes a long queue in slices and waits while the backlog is held", () => {
    let hold = true;
    const { store, journal, fake } = setup({ chunkEvents: 10, sliceMs: 20 }, { hold: () => hold });
    store.writeMs = 5;
    store.failWith = "SQLITE_FULL";
    for (let i = 0; i < 100; i++) journal.record([ev(`r${i}`)]);
    store.failWith = undefined;
    fake.tick(10_000);
    // Held: the WAL is over its limit (the checkpointer will bring it down).
    expect(journal.eventsQueued).toBe(101);
    hold = false;
    fake.tick(500);
    // A slice: the first try is one group, then chunks of 10 until 20 ms passed.
    expect(store.events.length).toBeGreaterThan(0);
    expect(store.events.length).toBeLessThan(101);
    fake.tick(1000);
    expect(store.events).toHaveLength(102);
    expect(store.names().slice(1, 4)).toEqual(["r0", "r1", "r2"]);
  });
});
