import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Broker } from "./broker.js";
import { FakeCentral, signingKeys } from "./central.js";
import { cleanupDirs, startEdge, stopEdge, waitFor } from "./fixtures.js";

const { key, trusted } = signingKeys();
let broker: Broker;

beforeAll(async () => {
  broker = await Broker.start(process.env.NODELAY ? { extra: ["set_tcp_nodelay true"] } : {});
});

afterAll(async () => {
  await broker.stop();
  cleanupDirs();
});

const EVENTS = Number(process.env.UPLINK_BENCH_EVENTS ?? 100_000);

describe("uplink throughput", () => {
  it(`moves ${EVENTS} events through mosquitto at >= 10,000 events/s`, async () => {
    const site = "uplink-bench";
    const central = await FakeCentral.start(broker.url, site, key);
    const edge = startEdge({
      site,
      mqttUrl: broker.url,
      publicKeys: trusted,
      // Not started yet: the outbox is filled first.
      uplink: {
        ...(process.env.UPLINK_BATCH ? { batchEvents: Number(process.env.UPLINK_BATCH) } : {}),
        ...(process.env.UPLINK_WINDOW ? { window: Number(process.env.UPLINK_WINDOW) } : {}),
      },
    });
    try {
      // Typical accessd events: a card read and its decision, ~150 bytes of payload.
      const at = Date.now();
      for (let from = 0; from < EVENTS; from += 10_000) {
        edge.store.appendEvents(
          Array.from({ length: Math.min(10_000, EVENTS - from) }, (_, k) => ({
            at: at + from + k,
            type: k % 2 === 0 ? "card-read" : "decision",
            doorId: "dock-2",
            readerId: "osdp-1:3",
            payload: {
              format: "H10301",
              facility: 18,
              number: 10_000 + ((from + k) % 5000),
              result: "grant",
              reason: null,
              cardId: 100_000 + ((from + k) % 5000),
              personId: (from + k) % 5000,
              ms: 3.2,
            },
          })),
        );
      }
      const depth = edge.store.outboxDepth();
      const started = performance.now();
      await waitFor(() => edge.client.stats().connected, "connected");
      await waitFor(() => edge.store.outboxDepth() === 0, "outbox drained", 120_000);
      const seconds = (performance.now() - started) / 1000;
      const rate = Math.round(depth / seconds);
      const stats = edge.client.stats().uplink;
      console.log(
        `uplink: ${depth} events in ${seconds.toFixed(2)} s = ${rate} events/s ` +
          `(${stats.batchesSent} batches, ${stats.batchesResent} resent, ${central.duplicates} duplicates)`,
      );
      expect(central.events.size).toBeGreaterThanOrEqual(EVENTS);
      expect(rate).toBeGreaterThanOrEqual(10_000);
    } finally {
      await stopEdge(edge);
      await central.close();
    }
  }, 180_000);
});
