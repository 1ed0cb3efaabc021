import {
  decodeEventBatch,
  type EventBatch,
  encodeEventAck,
  MAX_MESSAGE_BYTES,
  signEnvelope,
  topics,
} from "@acs/protocol";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openStore, type Store } from "../../src/store/store.js";
import { Uplink, type UplinkOptions } from "../../src/sync/uplink.js";
import { signingKeys } from "./central.js";
import { cleanupDirs } from "./fixtures.js";
import { CENTRAL, unitSetup } from "./unit-support.js";

const SITE = "unit";
afterEach(() => cleanupDirs());

/** The reasons of the acks refused, as recorded in the outbox. */
function refusals(store: Store): string[] {
  return store
    .events({ limit: 1000 })
    .filter((e) => e.type === "sync-refused")
    .map((e) => (e.payload as { reason: string }).reason);
}

/** An uplink over `store` with the unit set-up's clock, link, signer and keys. */
function uplinkOn(
  env: ReturnType<typeof unitSetup>,
  store: Store,
  options: UplinkOptions,
  alarmChanged: (level: number) => void = () => undefined,
): Uplink {
  return new Uplink({
    site: SITE,
    store,
    events: env.events,
    clock: env.clock,
    log: env.log,
    link: env.link,
    security: env.security,
    signer: env.signer,
    centralKeys: env.keyRing,
    options: { pollMs: 50, ackTimeoutMs: 1000, ...options },
    alarmChanged,
  });
}

function setup(options: UplinkOptions = {}) {
  const env = unitSetup();
  const alarms: number[] = [];
  const uplink = uplinkOn(env, env.store, options, (level) => alarms.push(level));
  const batches = (): EventBatch[] => env.link.on(topics.events(SITE)).map(decodeEventBatch);
  /** Central's signed ack of the batch with id `batchId` (its epoch), or of the n-th batch sent. */
  const ack = (batch: number, ranges: Array<[number, number]>) => {
    const sent = [...new Map(batches().map((b) => [b.batchId, b])).values()];
    const named = sent.find((b) => b.batchId === batch) ?? sent[batch - 1];
    if (!named) throw new Error(`no batch ${batch}`);
    uplink.onAck(
      signEnvelope(
        "ack",
        encodeEventAck({ site: SITE, batchId: named.batchId, epoch: named.epoch, ranges }),
        CENTRAL.key,
      ),
    );
  };
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
    const { uplink, fill, store, batches } = setup({ batchEvents: 5, window: 1 });
    fill(5);
    uplink.start();
    uplink.resume();
    const [batch] = batches();
    const other = encodeEventAck({
      site: "other",
      batchId: batch?.batchId ?? 0,
      epoch: batch?.epoch ?? "x",
      ranges: [[1, 5]],
    });
    uplink.onAck(signEnvelope("ack", other, CENTRAL.key));
    uplink.onAck(new Uint8Array([0xff, 0xff, 0xff]));
    expect(refusals(store)).toEqual(["WRONG_SITE", "UNSIGNED"]);
    expect(uplink.stats().eventsDeleted).toBe(0);
    uplink.stop();
    store.close();
  });

  it("refuses a forged, unsigned ack (the reproduction: ranges [[10, 21]]), bounded or open-ended", () => {
    const { uplink, fill, store, batches, ack } = setup({ batchEvents: 50, window: 1 });
    fill(30);
    uplink.start();
    uplink.resume();
    const forged = Buffer.from("0a02733110011a04080a1015", "hex"); // site "s1", batch 1, [[10, 21]]
    uplink.onAck(forged);
    const [batch] = batches();
    for (const to of [21, Number.MAX_SAFE_INTEGER]) {
      const bare = encodeEventAck({
        site: SITE,
        batchId: batch?.batchId ?? 0,
        epoch: batch?.epoch ?? "x",
        ranges: [[10, to]],
      });
      uplink.onAck(bare);
    }
    expect(refusals(store)).toEqual(["UNSIGNED", "UNSIGNED", "UNSIGNED"]);
    expect(uplink.stats()).toMatchObject({ eventsDeleted: 0, acks: 0, acksRefused: 3 });
    expect(uplink.stats().ackedBeyondHole).toEqual([]);
    // The real ack still works afterwards: every event goes, none skipped.
    ack(1, [[1, 30]]);
    expect(uplink.stats().eventsDeleted).toBe(30);
    uplink.stop();
    store.close();
  });

  it("refuses a signed ack naming seqs it never sent, another epoch, or an unknown key", () => {
    const { uplink, fill, store, batches } = setup({ batchEvents: 10, window: 1 });
    fill(30);
    uplink.start();
    uplink.resume();
    const [batch] = batches();
    const signed = (
      fields: { epoch?: string; ranges: Array<[number, number]> },
      key = CENTRAL.key,
    ) =>
      signEnvelope(
        "ack",
        encodeEventAck({
          site: SITE,
          batchId: batch?.batchId ?? 0,
          epoch: fields.epoch ?? batch?.epoch ?? "x",
          ranges: fields.ranges,
        }),
        key,
      );
    uplink.onAck(signed({ ranges: [[1, 11]] })); // 11 was never sent
    uplink.onAck(signed({ ranges: [[10, Number.MAX_SAFE_INTEGER]] }));
    uplink.onAck(signed({ epoch: "another-epoch", ranges: [[1, 10]] }));
    uplink.onAck(signed({ ranges: [[1, 10]] }, signingKeys("central-1").key)); // same id, other key
    uplink.onAck(signed({ ranges: [[1, 10]] }, signingKeys("stranger").key));
    expect(refusals(store)).toEqual([
      "NOT_SENT",
      "NOT_SENT",
      "WRONG_EPOCH",
      "BAD_SIGNATURE",
      "UNKNOWN_KEY",
    ]);
    expect(uplink.stats().eventsDeleted).toBe(0);
    uplink.onAck(signed({ ranges: [[1, 10]] }));
    expect(uplink.stats().eventsDeleted).toBe(10);
    uplink.stop();
    store.close();
  });

  it("never puts two epochs in one batch (the store opened again: a new epoch)", () => {
    const { uplink, batches, fill, store, path } = setup({ batchEvents: 100, window: 4 });
    fill(3);
    store.close();
    const reopened = openStore(path);
    reopened.appendEvents([1, 2].map((at) => ({ at, type: "t", payload: {} })));
    const env = unitSetup();
    const second = uplinkOn(env, reopened, {});
    second.start();
    second.resume();
    const sent = env.link.on(topics.events(SITE)).map(decodeEventBatch);
    expect(sent.map((b) => b.events.map((e) => e.seq))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(sent[0]?.epoch).not.toBe(sent[1]?.epoch);
    expect(batches()).toEqual([]);
    second.stop();
    uplink.stop();
    reopened.close();
    env.store.close();
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
