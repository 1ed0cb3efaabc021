import { afterEach, describe, expect, it } from "vitest";
import { Backoff } from "../../src/sync/backoff.js";
import { SecurityEvents } from "../../src/sync/security-events.js";
import { SeqRanges } from "../../src/sync/seq-ranges.js";
import { cleanupDirs } from "./fixtures.js";
import { unitSetup } from "./unit-support.js";

afterEach(() => cleanupDirs());

describe("SeqRanges", () => {
  it("merges overlapping and adjacent ranges, answers membership", () => {
    const r = new SeqRanges();
    r.add(10, 20);
    r.add(30, 40);
    r.add(21, 25);
    expect(r.toArray()).toEqual([
      [10, 25],
      [30, 40],
    ]);
    r.add(26, 29);
    expect(r.toArray()).toEqual([[10, 40]]);
    r.add(1, 3);
    r.add(50, 50);
    expect(r.toArray()).toEqual([
      [1, 3],
      [10, 40],
      [50, 50],
    ]);
    expect(r.has(2)).toBe(true);
    expect(r.has(4)).toBe(false);
    expect(r.rangeOf(33)).toEqual([10, 40]);
    r.dropUpTo(12);
    expect(r.toArray()).toEqual([
      [13, 40],
      [50, 50],
    ]);
    r.add(5, 4); // empty: ignored
    expect(r.size).toBe(2);
  });
});

describe("Backoff", () => {
  it("doubles up to its maximum, jittered to 50..100 %, and resets", () => {
    const full = new Backoff(100, 1000, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(() => full.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    full.reset();
    expect(full.next()).toBe(100);
    const half = new Backoff(100, 1000, () => 0);
    expect(half.next()).toBe(50);
  });
});

describe("SecurityEvents", () => {
  it("records refusals without payloads, at most N a minute, then one summary", () => {
    const { store, events, clock, fake, log } = unitSetup();
    const security = new SecurityEvents(events, clock, log, 3);
    for (let i = 0; i < 10; i++) security.refused("delta", "BAD_SIGNATURE", { bytes: 100 + i });
    const recorded = () =>
      store
        .events({ limit: 100 })
        .filter((e) => e.type === "sync-refused")
        .map((e) => e.payload);
    expect(recorded()).toHaveLength(3);
    expect(recorded()[0]).toEqual({ message: "delta", reason: "BAD_SIGNATURE", bytes: 100 });
    fake.tick(60_000);
    expect(recorded()).toHaveLength(4);
    expect(recorded()[3]).toEqual({ message: null, reason: "SUPPRESSED", count: 7 });
    expect(security.count).toBe(10);
    store.close();
  });
});
