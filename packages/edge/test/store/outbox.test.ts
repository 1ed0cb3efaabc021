import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { open, tempDbPath } from "./fixtures.js";

describe("event outbox", () => {
  it("appends, reads in either order and from a seq, and deletes up to a seq", () => {
    const store = open(tempDbPath());
    const a = store.appendEvent({
      at: 1,
      type: "card-read",
      doorId: "main",
      readerId: "r1",
      payload: { bits: "1010" },
    });
    const [b, c] = store.appendEvents([
      { at: 2, type: "decision", doorId: "main", payload: { grant: false, reason: "card lost" } },
      { at: 3, type: "door", payload: { open: true } },
    ]);
    expect(b).toBe(a + 1);
    expect(c).toBe(a + 2);
    expect(store.outboxDepth()).toBe(3);

    const epoch = store.outboxEpoch();
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(store.events().map((e) => ({ ...e, epoch: e.epoch === epoch }))).toEqual([
      {
        seq: a,
        at: 1,
        type: "card-read",
        doorId: "main",
        readerId: "r1",
        payload: { bits: "1010" },
        epoch: true,
      },
      {
        seq: b,
        at: 2,
        type: "decision",
        doorId: "main",
        readerId: null,
        payload: { grant: false, reason: "card lost" },
        epoch: true,
      },
      {
        seq: c,
        at: 3,
        type: "door",
        doorId: null,
        readerId: null,
        payload: { open: true },
        epoch: true,
      },
    ]);
    expect(store.events({ afterSeq: a }).map((e) => e.seq)).toEqual([b, c]);
    expect(store.events({ limit: 2 }).map((e) => e.seq)).toEqual([a, b]);
    expect(store.events({ newestFirst: true, limit: 2 }).map((e) => e.seq)).toEqual([c, b]);

    expect(store.deleteEventsUpTo(b as number)).toBe(2);
    expect(store.outboxDepth()).toBe(1);
    expect(store.events().map((e) => e.seq)).toEqual([c]);
  });

  it("appends a list all or nothing", () => {
    const store = open(tempDbPath());
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() =>
      store.appendEvents([
        { at: 1, type: "ok", payload: {} },
        { at: 2, type: "bad", payload: circular },
      ]),
    ).toThrow(TypeError);
    expect(store.outboxDepth()).toBe(0);
  });

  it("keeps events and never reuses a seq across a reopen, even after deleting all", () => {
    const path = tempDbPath();
    const first = openStore(path);
    first.appendEvents([
      { at: 1, type: "a", payload: {} },
      { at: 2, type: "b", payload: {} },
    ]);
    const last = first.appendEvent({ at: 3, type: "c", payload: {} });
    first.close();

    const second = openStore(path);
    expect(second.outboxDepth()).toBe(3);
    expect(second.deleteEventsUpTo(last)).toBe(3);
    second.close();

    const third = openStore(path);
    const next = third.appendEvent({ at: 4, type: "d", payload: {} });
    expect(next).toBeGreaterThan(last);
    expect(third.events().map((e) => e.seq)).toEqual([next]);
    third.close();
  });
});
