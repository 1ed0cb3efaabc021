import { decodeEdgeStatus, type EdgeStatus, openEnvelope, topics } from "@acs/protocol";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Broker } from "./broker.js";
import { EDGE, FakeCentral, signingKeys } from "./central.js";
import { cleanupDirs, siteState, startEdge, stopEdge, waitFor } from "./fixtures.js";

const { key, trusted } = signingKeys();
let broker: Broker;
const closers: Array<() => Promise<void>> = [];
let siteNo = 0;

beforeAll(async () => {
  broker = await Broker.start();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  cleanupDirs();
});

afterAll(async () => {
  await broker.stop();
});

interface Seen {
  readonly status: EdgeStatus;
  readonly retained: boolean;
}

/** A plain MQTT subscriber of the status topic (as a monitoring tool would be). */
async function watchStatus(site: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const client = mqtt.connect(broker.url, { protocolVersion: 4, clean: true });
  client.on("message", (_topic, payload, packet) => {
    // Signed by the edge: a monitoring tool opens it with the edge's public key.
    if (payload.length > 0)
      seen.push({
        status: decodeEdgeStatus(openEnvelope(payload, "status", EDGE.trusted)),
        retained: packet.retain,
      });
  });
  await new Promise<void>((resolve, reject) =>
    client.on("connect", () =>
      client.subscribe(topics.status(site), { qos: 1 }, (err) => (err ? reject(err) : resolve())),
    ),
  );
  closers.push(async () => {
    await client.endAsync(true);
  });
  return seen;
}

function edgeFor(site: string, extra: Parameters<typeof startEdge>[0]["status"] = {}) {
  const edge = startEdge({
    site,
    mqttUrl: broker.url,
    publicKeys: trusted,
    status: { readerPollMs: 50, ...extra },
    keepaliveSec: 1,
  });
  let stopped = false;
  closers.push(async () => {
    if (!stopped) await stopEdge(edge);
  });
  return {
    edge,
    markStopped: () => {
      stopped = true;
    },
  };
}

async function withCentral(site: string, version: number): Promise<FakeCentral> {
  const central = await FakeCentral.start(broker.url, site, key);
  central.state = siteState(site, version);
  closers.push(() => central.close());
  return central;
}

describe("status", () => {
  it("publishes a retained status at connect and on changes of state and readers", async () => {
    const site = `status-${++siteNo}`;
    await withCentral(site, 3);
    const { edge } = edgeFor(site);
    await waitFor(() => edge.store.stateVersion() === 3, "snapshot applied");
    const seen = await watchStatus(site);
    await waitFor(() => seen.length > 0, "retained status");
    expect(seen[0]?.retained).toBe(true);
    await waitFor(() => seen.at(-1)?.status.stateVersion === 3, "status with version 3");
    expect(seen.at(-1)?.status).toMatchObject({
      site,
      online: true,
      outboxAlarm: false,
      readers: [{ bus: "bus-1", address: 1, state: "online" }],
    });

    edge.recorder.readers = [{ bus: "bus-1", address: 1, state: "offline" }];
    await waitFor(
      () => seen.at(-1)?.status.readers[0]?.state === "offline",
      "status after reader change",
    );
  });

  it("sends a heartbeat", async () => {
    const site = `status-${++siteNo}`;
    const seen = await watchStatus(site);
    edgeFor(site, { heartbeatMs: 100 });
    await waitFor(() => seen.length >= 4, "heartbeats");
    const ats = seen.map((s) => s.status.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
  });

  it("leaves online: false retained: by the last will when the edge vanishes, and on stop", async () => {
    const site = `status-${++siteNo}`;
    const { edge, markStopped } = edgeFor(site);
    await waitFor(() => edge.client.connected, "connected");
    const seen = await watchStatus(site);
    await waitFor(() => seen.some((s) => s.status.online), "online");

    await edge.client.abort();
    markStopped();
    edge.store.close();
    await waitFor(() => seen.at(-1)?.status.online === false, "last will", 5000);
    expect(seen.at(-1)?.retained).toBe(false); // delivered live; retained for later subscribers:
    const later = await watchStatus(site);
    await waitFor(() => later.length > 0, "retained last will");
    expect(later[0]).toMatchObject({ retained: true, status: { site, online: false } });

    // A graceful stop says the same itself.
    const second = edgeFor(site);
    await waitFor(() => seen.at(-1)?.status.online === true, "online again");
    await stopEdge(second.edge);
    second.markStopped();
    await waitFor(() => seen.at(-1)?.status.online === false, "offline on stop");
  });
});
