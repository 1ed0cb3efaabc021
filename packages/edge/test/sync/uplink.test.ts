import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NewOutboxEvent } from "../../src/store/outbox.js";
import { Broker } from "./broker.js";
import { FakeCentral, signingKeys } from "./central.js";
import { cleanupDirs, type EdgeFixture, sleep, startEdge, stopEdge, waitFor } from "./fixtures.js";

const { key, trusted } = signingKeys();
let broker: Broker;
const centrals: FakeCentral[] = [];
const edges: EdgeFixture[] = [];
let siteNo = 0;

beforeAll(async () => {
  broker = await Broker.start();
});

afterEach(async () => {
  for (const edge of edges.splice(0)) await stopEdge(edge);
  for (const central of centrals.splice(0)) await central.close();
  cleanupDirs();
});

afterAll(async () => {
  await broker.stop();
});

function event(i: number): NewOutboxEvent {
  return {
    at: 1_800_000_000_000 + i,
    type: "card-read",
    doorId: "main",
    readerId: "r1",
    payload: { i, cardId: 100_000 + (i % 977), decision: i % 7 === 0 ? "deny" : "grant" },
  };
}

function fill(edge: EdgeFixture, from: number, count: number): void {
  edge.store.appendEvents(Array.from({ length: count }, (_, k) => event(from + k)));
}

async function setup(url: string, uplink: Record<string, number> = {}) {
  const site = `uplink-${++siteNo}`;
  const central = await FakeCentral.start(url, site, key);
  centrals.push(central);
  const edge = startEdge({
    site,
    mqttUrl: url,
    publicKeys: trusted,
    uplink: { ackTimeoutMs: 600, pollMs: 20, ...uplink },
  });
  edges.push(edge);
  // Not interested in snapshots here: the store stays empty and keeps asking, harmlessly.
  return { site, central, edge };
}

/** The event types recorded by the sync client itself (not by this test). */
const OWN = new Set(["sync-health", "outbox-alarm"]);

function testEvents(central: FakeCentral) {
  return [...central.events.values()].filter((e) => !OWN.has(e.type));
}

describe("uplink", () => {
  it("sends every event, deletes it only once acknowledged, resends when an ack is lost", async () => {
    const { central, edge } = await setup(broker.url);
    central.ackFilter = () => false;
    fill(edge, 0, 2345);
    await waitFor(() => central.batches >= 4, "a window of batches");
    await sleep(200);
    // A window of 4 batches of at most 500, none acknowledged: nothing deleted, nothing more sent.
    expect(central.batches).toBe(4);
    expect(edge.store.outboxDepth()).toBeGreaterThanOrEqual(2345);
    expect(edge.client.stats().uplink.inFlight).toBe(4);
    expect(edge.client.stats().uplink.eventsDeleted).toBe(0);

    central.ackFilter = () => true;
    await waitFor(() => edge.store.outboxDepth() === 0, "outbox drained");
    const received = testEvents(central);
    expect(received).toHaveLength(2345);
    expect(received.map((e) => JSON.parse(e.payloadJson).i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 2345 }, (_, i) => i),
    );
    expect(received[0]).toMatchObject({ type: "card-read", doorId: "main", readerId: "r1" });
    const stats = edge.client.stats().uplink;
    expect(stats.batchesResent).toBeGreaterThanOrEqual(4);
    expect(central.duplicates).toBeGreaterThan(0);
    expect(stats.eventsDeleted).toBe(central.events.size);
  });

  it("remembers acknowledged batches beyond a hole and resends only the hole", async () => {
    const { central, edge } = await setup(broker.url, { ackTimeoutMs: 800 });
    let dropped = false;
    central.ackFilter = (_batchId, n) => {
      if (n === 1 && !dropped) {
        dropped = true;
        return false;
      }
      return true;
    };
    fill(edge, 0, 2000);
    await waitFor(() => central.acksSent >= 3, "batches 2..4 acknowledged");
    await sleep(100);
    const mid = edge.client.stats().uplink;
    expect(mid.ackedBeyondHole.length).toBeGreaterThan(0);
    expect(mid.eventsDeleted).toBe(0);
    expect(edge.store.outboxDepth()).toBeGreaterThanOrEqual(2000);

    await waitFor(() => edge.store.outboxDepth() === 0, "hole filled and outbox drained");
    expect(testEvents(central)).toHaveLength(2000);
    // Only batch 1 went twice.
    expect(central.duplicates).toBe(500);
    expect(edge.client.stats().uplink.ackedBeyondHole).toEqual([]);
  });

  it("loses nothing when the broker is killed (SIGKILL) and restarted mid-stream", async () => {
    const own = await Broker.start();
    try {
      const { central, edge } = await setup(own.url, { ackTimeoutMs: 1000 });
      let n = 0;
      const producer = setInterval(() => {
        fill(edge, n, 100);
        n += 100;
        edge.client.notifyEvents();
      }, 10);
      await sleep(500);
      await own.kill("SIGKILL");
      await sleep(400);
      expect(edge.client.connected).toBe(false);
      await own.restart();
      await sleep(700);
      clearInterval(producer);
      const total = n;
      await waitFor(() => edge.store.outboxDepth() === 0, "outbox drained after restart", 20_000);
      const received = testEvents(central).map((e) => JSON.parse(e.payloadJson).i as number);
      expect(new Set(received).size).toBe(total);
      expect(received.length).toBe(total);
      expect(Math.max(...received)).toBe(total - 1);
      expect(edge.client.stats().disconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await own.stop();
    }
  });

  it("raises outbox alarms by level, records them and puts them in the status", async () => {
    const { central, edge } = await setup(broker.url, { maxEvents: 100, alarmCheckMs: 20 });
    central.ackFilter = () => false;
    fill(edge, 0, 55);
    await waitFor(() => edge.client.stats().uplink.alarmLevel === 0.5, "50 % alarm");
    await waitFor(() => central.statuses.some((s) => s.outboxAlarm), "alarm in the status");
    fill(edge, 55, 50);
    await waitFor(() => edge.client.stats().uplink.alarmLevel === 1, "100 % alarm");
    const alarms = edge.store
      .events({ limit: 1000 })
      .filter((e) => e.type === "outbox-alarm")
      .map((e) => (e.payload as { level: number }).level);
    expect(alarms).toEqual([50, 100]);
    // Nothing is dropped past 100 %.
    expect(edge.store.outboxDepth()).toBeGreaterThanOrEqual(105);

    central.ackFilter = () => true;
    await waitFor(() => edge.client.stats().uplink.alarmLevel === 0, "alarm cleared");
    await waitFor(() => central.statuses.at(-1)?.outboxAlarm === false, "status cleared");
  });
});
