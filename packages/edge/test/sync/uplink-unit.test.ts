import {
  decodeEventBatch,
  type EventBatch,
  encodeEventAck,
  MAX_MESSAGE_BYTES,
  topics,
} from "@acs/protocol";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Uplink, type UplinkOptions } from "../../src/sync/uplink.js";
import { cleanupDirs } from "./fixtures.js";
import { unitSetup } from "./unit-support.js";

const SITE = "unit";
afterEach(() => cleanupDirs());

function setup(options: UplinkOptions = {}) {
  const env = unitSetup();
  const alarms: number[] = [];
  const uplink = new Uplink({
    site: SITE,
    store: env.store,
    events: env.events,
    clock: env.clock,
    log: env.log,
    link: env.link,
    security: env.security,
    options: { pollMs: 50, ackTimeoutMs: 1000, ...options },
    alarmChanged: (level) => alarms.push(level),
  });
  const batches = (): EventBatch[] => env.link.on(topics.events(SITE)).map(decodeEventBatch);
  const ack = (batchId: number, ranges: Array<[number, number]>) =>
    uplink.onAck(encodeEventAck({ site: SITE, batchId, ranges }));
  const fill = (count: number, payload: object = { x: 1 }) =>
    env.store.appendEvents(
      Array.from({ length: count }, (_, i) => ({ at: i, type: "t", payload })),
    );
  return { ...env, uplink, batches, ack, fill, alarms };
}

describe("uplink (unit)", () => {
  it("keeps at most `window` batches of at most `batchEvents` in flight", () => {
    const { uplink, batches, fill, ack, store } = setup({ batchEvents: 10, window: 3 });
    fill(100);
    uplink.start();
    uplink.resume();
    expect(batches().map((b) => b.events.length)).toEqual([10, 10, 10]);
    expect(batches().map((b) => b.events[0]?.seq)).toEqual([1, 11, 21]);
    ack(2, [[11, 20]]);
    // Acknowledged beyond a hole: nothing deleted yet, one more batch goes.
    expect(store.outboxDepth()).toBe(100);
    expect(batches()).toHaveLength(4);
    ack(1, [[1, 10]]);
    expect(store.outboxDepth()).toBe(80);
    expect(uplink.stats().eventsDeleted).toBe(20);
    uplink.stop();
    store.close();
  });

  it("cuts batches below MAX_MESSAGE_BYTES", () => {
    const { uplink, link, batches, fill, store } = setup({ batchEvents: 500, window: 2 });
    fill(100, { blob: "x".repeat(5000) });
    uplink.start();
    uplink.resume();
    for (const m of link.sent) expect(m.payload.byteLength).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const sizes = batches().map((b) => b.events.length);
    expect(sizes[0]).toBeGreaterThan(15);
    expect(sizes[0]).toBeLessThan(27);
    uplink.stop();
    store.close();
  });

  it("sends an event too large for any message without its payload rather than stall", () => {
    const { uplink, batches, fill, store } = setup();
    fill(1, { blob: "x".repeat(MAX_MESSAGE_BYTES) });
    fill(1);
    uplink.start();
    uplink.resume();
    const events = batches().flatMap((b) => b.events);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(JSON.parse(events[0]?.payloadJson ?? "")).toMatchObject({ truncated: true });
    expect(uplink.stats().truncated).toBe(1);
    uplink.stop();
    store.close();
  });

  it("resends an unacknowledged batch with backoff, and from the oldest after a reconnect", () => {
    const { uplink, batches, fill, ack, fake, link, store } = setup({
      batchEvents: 5,
      window: 1,
      ackTimeoutMs: 1000,
    });
    fill(12);
    uplink.start();
    uplink.resume();
    expect(batches()).toHaveLength(1);
    fake.tick(999);
    expect(batches()).toHaveLength(1);
    fake.tick(1);
    expect(batches()).toHaveLength(2);
    expect(batches()[1]).toEqual(batches()[0]);
    fake.tick(1999);
    expect(batches()).toHaveLength(2);
    fake.tick(1);
    expect(batches()).toHaveLength(3);
    ack(1, [[1, 5]]);
    expect(
      batches()
        .at(-1)
        ?.events.map((e) => e.seq),
    ).toEqual([6, 7, 8, 9, 10]);

    // Connection lost and back: everything unacknowledged goes again.
    link.connected = false;
    uplink.pause();
    link.connected = true;
    uplink.resume();
    expect(
      batches()
        .at(-1)
        ?.events.map((e) => e.seq),
    ).toEqual([6, 7, 8, 9, 10]);
    expect(uplink.stats().batchesResent).toBe(2);
    uplink.stop();
    store.close();
  });

  it("sends the rest of a batch again when central acknowledged only part of it", () => {
    const { uplink, batches, fill, ack, store } = setup({ batchEvents: 5, window: 1 });
    fill(5);
    uplink.start();
    uplink.resume();
    ack(1, [
      [1, 2],
      [4, 5],
    ]);
    expect(store.outboxDepth()).toBe(3);
    expect(
      batches()
        .at(-1)
        ?.events.map((e) => e.seq),
    ).toEqual([3]);
    ack(2, [[3, 3]]);
    expect(store.outboxDepth()).toBe(0);
    uplink.stop();
    store.close();
  });

  it("ignores an ack for another site (recorded) and malformed acks", () => {
    const { uplink, fill, store } = setup({ batchEvents: 5, window: 1 });
    fill(5);
    uplink.start();
    uplink.resume();
    uplink.onAck(encodeEventAck({ site: "other", batchId: 1, ranges: [[1, 5]] }));
    uplink.onAck(new Uint8Array([0xff, 0xff, 0xff]));
    expect(store.events({ limit: 100 }).filter((e) => e.type === "sync-refused")).toHaveLength(2);
    expect(uplink.stats().eventsDeleted).toBe(0);
    uplink.stop();
    store.close();
  });

  it("raises and lowers alarm levels with hysteresis, never dropping events", () => {
    const { uplink, fill, fake, alarms, store, ack } = setup({
      maxEvents: 100,
      alarmCheckMs: 10,
      batchEvents: 1000,
    });
    uplink.start();
    fill(49);
    fake.tick(10);
    expect(uplink.alarmLevel()).toBe(0);
    fill(1);
    fake.tick(10);
    expect(uplink.alarmLevel()).toBe(0.5);
    fill(80);
    fake.tick(10);
    expect(uplink.alarmLevel()).toBe(1);
    expect(alarms).toEqual([0.5, 1]);
    expect(store.outboxDepth()).toBe(132); // 130 + two alarm events
    uplink.resume();
    // Down to 96 %: still critical (a level is left 5 % below it).
    ack(1, [[1, 36]]);
    fake.tick(10);
    expect(uplink.alarmLevel()).toBe(1);
    ack(1, [[37, 100]]);
    fake.tick(10);
    expect(uplink.alarmLevel()).toBe(0);
    const recorded = store
      .events({ limit: 1000 })
      .filter((e) => e.type === "outbox-alarm")
      .map((e) => (e.payload as { level: number }).level);
    expect(recorded).toContain(0);
    uplink.stop();
    store.close();
  });

  it("tries a failed delete of acknowledged events again later, never throwing", () => {
    const { uplink, batches, fill, ack, store, fake } = setup({ batchEvents: 10, window: 2 });
    fill(20);
    uplink.start();
    uplink.resume();
    const remove = vi.spyOn(store, "deleteEventsUpTo").mockImplementation(() => {
      throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
    });
    expect(() => ack(1, [[1, 10]])).not.toThrow();
    expect(store.outboxDepth()).toBe(20);
    fake.tick(5000);
    // Acknowledged, so not sent again while the delete waits.
    expect(batches().filter((b) => b.events[0]?.seq === 1)).toHaveLength(1);
    remove.mockRestore();
    fake.tick(1000);
    expect(store.outboxDepth()).toBe(10);
    expect(uplink.stats().eventsDeleted).toBe(10);
    uplink.stop();
    store.close();
  });
});
