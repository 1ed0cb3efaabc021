import { encodeChunk, type SiteDelta, topics } from "@acs/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Broker } from "./broker.js";
import { FakeCentral, signingKeys } from "./central.js";
import {
  cleanupDirs,
  type EdgeFixture,
  siteState,
  sleep,
  startEdge,
  stopEdge,
  waitFor,
} from "./fixtures.js";

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

async function setup(version: number, persons = 10) {
  const site = `state-${++siteNo}`;
  const central = await FakeCentral.start(broker.url, site, key);
  centrals.push(central);
  central.state = siteState(site, version, persons);
  return { site, central };
}

function edgeFor(site: string, path?: string): EdgeFixture {
  const edge = startEdge({
    site,
    mqttUrl: broker.url,
    publicKeys: trusted,
    deltas: { gapWaitMs: 300 },
    snapshot: { retryMs: 400, maxRetryMs: 800 },
    ...(path ? { path } : {}),
  });
  edges.push(edge);
  return edge;
}

/** A delta renaming person 1 (a visible change per version). */
function rename(site: string, version: number, extra: Partial<SiteDelta> = {}): SiteDelta {
  return {
    site,
    version,
    upsert: { persons: [{ id: 1, displayName: `Renamed at ${version}` }] },
    delete: {},
    ...extra,
  };
}

/** The "sync-refused" events of the edge: still in its outbox, or already at central. */
function refusals(edge: EdgeFixture) {
  const central = centrals.find((c) => c.site === edge.client.site);
  const events = new Map<number, { type: string; payload: unknown }>();
  for (const e of central?.events.values() ?? [])
    events.set(e.seq, { type: e.type, payload: JSON.parse(e.payloadJson) });
  for (const e of edge.store.events({ limit: 10_000 })) events.set(e.seq, e);
  return [...events.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, e]) => e)
    .filter((e) => e.type === "sync-refused")
    .map((e) => e.payload as Record<string, unknown>);
}

describe("sync client: state", () => {
  it("starts empty, asks for a snapshot, applies it, then deltas in order", async () => {
    const { site, central } = await setup(5, 1000);
    const edge = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 5, "snapshot applied");
    expect(central.snapshotRequests).toHaveLength(1);
    expect(central.snapshotRequests[0]).toMatchObject({ site, haveVersion: 0, reason: "empty" });
    expect(edge.store.state.getPerson(1000)?.displayName).toBe("P. Person 1000");
    expect(edge.recorder.changes).toEqual([{ kind: "snapshot", version: 5 }]);
    expect(edge.store.snapshotStaging.current()).toBeUndefined();

    await central.publishDelta(rename(site, 6));
    await central.publishDelta(rename(site, 7));
    await waitFor(() => edge.store.stateVersion() === 7, "deltas applied");
    expect(edge.store.state.getPerson(1)?.displayName).toBe("Renamed at 7");
    expect(edge.recorder.changes.map((c) => (c.kind === "delta" ? c.delta.version : c))).toEqual([
      { kind: "snapshot", version: 5 },
      6,
      7,
    ]);
    expect(edge.client.stats().deltas).toMatchObject({ applied: 2, duplicates: 0, refused: 0 });
  });

  it("holds out-of-order deltas briefly, ignores duplicates", async () => {
    const { site, central } = await setup(5);
    const edge = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 5, "snapshot applied");
    await central.publishDelta(rename(site, 7));
    await central.publishDelta(rename(site, 6));
    await waitFor(() => edge.store.stateVersion() === 7, "both applied");
    await central.publishDelta(rename(site, 6));
    await central.publishDelta(rename(site, 7));
    await central.publishDelta(rename(site, 8));
    await waitFor(() => edge.store.stateVersion() === 8, "v8 applied");
    await sleep(400);
    const stats = edge.client.stats();
    expect(stats.deltas).toMatchObject({ applied: 3, duplicates: 2, held: 0 });
    expect(central.snapshotRequests).toHaveLength(1);
    expect(edge.recorder.changes.filter((c) => c.kind === "delta")).toHaveLength(3);
  });

  it("asks for a snapshot when a gap is not filled, and resyncs", async () => {
    const { site, central } = await setup(5);
    const edge = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 5, "snapshot applied");
    central.state = siteState(site, 8, 12);
    await central.publishDelta(rename(site, 8)); // 6 and 7 never come
    await waitFor(() => central.snapshotRequests.length === 2, "gap snapshot request");
    expect(central.snapshotRequests[1]).toMatchObject({ haveVersion: 5, reason: "gap" });
    await waitFor(() => edge.store.stateVersion() === 8, "resynced");
    expect(edge.store.state.getPerson(12)).toBeDefined();
    await central.publishDelta(rename(site, 9));
    await waitFor(() => edge.store.stateVersion() === 9, "deltas after the resync");
    expect(edge.recorder.changes.map((c) => (c.kind === "delta" ? c.delta.version : c))).toEqual([
      { kind: "snapshot", version: 5 },
      { kind: "snapshot", version: 8 },
      9,
    ]);
  });

  it("commits a change split into partial deltas whole, after its last delta", async () => {
    const { site, central } = await setup(5);
    const edge = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 5, "snapshot applied");
    await central.publishDelta(rename(site, 6, { partial: true }));
    await central.publishDelta(
      rename(site, 7, { partial: true, upsert: { persons: [{ id: 2, displayName: "Two" }] } }),
    );
    await sleep(100);
    expect(edge.store.stateVersion()).toBe(5);
    expect(edge.recorder.changes).toHaveLength(1);
    await central.publishDelta(
      rename(site, 8, { upsert: { persons: [{ id: 3, displayName: "Three" }] } }),
    );
    await waitFor(() => edge.store.stateVersion() === 8, "change applied");
    expect(edge.store.state.getPerson(2)?.displayName).toBe("Two");
    expect(edge.store.state.getPerson(3)?.displayName).toBe("Three");
    expect(
      edge.recorder.changes.slice(1).map((c) => c.kind === "delta" && c.delta.version),
    ).toEqual([6, 7, 8]);
  });

  it("refuses a tampered delta, one signed with an unknown key and one for another site", async () => {
    const { site, central } = await setup(5);
    const edge = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 5, "snapshot applied");
    const before = edge.store.state.getPerson(1);

    const tampered = central.signedDelta(rename(site, 6));
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0x01;
    await central.publish(topics.delta(site), tampered);
    const stranger = signingKeys("intruder").key;
    await central.publish(topics.delta(site), central.signedDelta(rename(site, 6), stranger));
    await central.publish(topics.delta(site), Buffer.from("not an envelope"));
    await central.publishDelta(rename("elsewhere", 6));
    await waitFor(() => refusals(edge).length === 4, "four refusals recorded");

    expect(refusals(edge)).toEqual([
      expect.objectContaining({ message: "delta", reason: "BAD_SIGNATURE" }),
      expect.objectContaining({ message: "delta", reason: "UNKNOWN_KEY" }),
      expect.objectContaining({ message: "delta", reason: "UNSIGNED" }),
      expect.objectContaining({ message: "delta", reason: "WRONG_SITE", site: "elsewhere" }),
    ]);
    expect(edge.store.stateVersion()).toBe(5);
    expect(edge.store.state.getPerson(1)).toEqual(before);
    expect(edge.client.stats().deltas.refused).toBe(4);
    expect(edge.recorder.changes).toHaveLength(1);

    // The real delta 6 still applies.
    await central.publishDelta(rename(site, 6));
    await waitFor(() => edge.store.stateVersion() === 6, "genuine delta applied");
  });

  it("re-requests a stalled snapshot (a chunk lost, then no answer at all)", async () => {
    const { site, central } = await setup(3, 1500);
    central.answerSnapshot = (_request, n) =>
      n === 1 ? { chunks: (i) => i !== 1 } : n === 2 ? { ignore: true } : {};
    const edge = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 3, "snapshot applied", 15_000);
    expect(central.snapshotRequests.length).toBeGreaterThanOrEqual(3);
    expect(central.snapshotRequests.every((r) => r.reason === "empty")).toBe(true);
    // Asked again as the same request: central answers a request it is still busy with once.
    expect(new Set(central.snapshotRequests.map((r) => r.requestId)).size).toBe(1);
  });

  it("drops a snapshot whose chunks do not match the signed hash, and asks again", async () => {
    const { site, central } = await setup(3, 1500);
    let forged = false;
    central.answerSnapshot = (request, n) => {
      if (n === 1) {
        forged = true;
        // Send everything but chunk 0, then a forged chunk 0.
        void (async () => {
          await central.sendSnapshot(request, { chunks: (i) => i !== 0 });
          await central.publish(
            topics.snapshotChunk(site),
            encodeChunk({
              site,
              version: 3,
              requestId: request.requestId,
              index: 0,
              data: new Uint8Array(100),
            }),
          );
        })();
        return { ignore: true };
      }
      return {};
    };
    const edge = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 3, "snapshot applied", 15_000);
    expect(forged).toBe(true);
    expect(refusals(edge)).toContainEqual(
      expect.objectContaining({ message: "snapshot", reason: "HASH_MISMATCH", version: 3 }),
    );
    expect(central.snapshotRequests.length).toBeGreaterThanOrEqual(2);
  });

  it("goes on with a snapshot after a restart, keeping the chunks it had", async () => {
    const { site, central } = await setup(4, 8000);
    let count = 0;
    central.answerSnapshot = (_request, n) => {
      if (n === 1)
        return {
          chunks: (i, c) => {
            count = c;
            return i < c / 2;
          },
        };
      // After the restart: only the chunks not sent before. Completes only if kept.
      return { chunks: (i, c) => i >= c / 2 };
    };
    const first = edgeFor(site);
    await waitFor(
      () =>
        count > 0 &&
        (first.client.stats().snapshots.pending?.chunksHeld ?? 0) >= Math.ceil(count / 2),
      "first half staged",
    );
    expect(count).toBeGreaterThanOrEqual(4);
    expect(first.store.stateVersion()).toBeNull();
    await stopEdge(first);
    edges.splice(edges.indexOf(first), 1);

    const second = edgeFor(site, first.path);
    await waitFor(() => second.store.stateVersion() === 4, "snapshot completed after restart");
    expect(central.snapshotRequests.map((r) => r.reason)).toEqual(["empty", "restart"]);
    expect(second.recorder.changes).toEqual([{ kind: "snapshot", version: 4 }]);
    expect(second.store.state.getPerson(8000)).toBeDefined();
    expect(second.store.snapshotStaging.current()).toBeUndefined();
  });
});
