// 4. uplink: an edge's event outbox drained into central's event store, then a live stream.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CentralService } from "@acs/central";
import type { Mosquitto } from "../../support/mosquitto.js";
import { sharedNow } from "../../support/shared-clock.js";
import { round } from "../../support/stats.js";
import { EdgeFleet, type FleetEvent } from "../../support/sync-edges.js";
import { type SiteLayout, sizesFor, syncDataset } from "../sync-data.js";
import { Central } from "./central.js";
import { EDGE_NODE_ARGS, env, progress, tempDir, until } from "./support.js";

const EVENTS = env("BENCH_SYNC_EVENTS", 1_000_000);
const LIVE_EVENTS = env("BENCH_SYNC_LIVE_EVENTS", 200_000);

export async function uplinkPart(broker: Mosquitto) {
  const dir = tempDir("uplink");
  const siteId = "uplink";
  const central = new Central(dir, "uplink", () =>
    syncDataset([{ id: siteId, sizes: sizesFor(100, 2) }]),
  );
  const site = central.layout.sites[0] as SiteLayout;
  const fleet = await EdgeFleet.start(EDGE_NODE_ARGS);
  try {
    await central.start(broker.url);
    const service = central.service as CentralService;
    let centralAllAt: number | undefined;
    const watcher = setInterval(() => {
      if (centralAllAt === undefined && service.stats.eventsStored >= EVENTS)
        centralAllAt = sharedNow();
    }, 2);
    progress(`uplink: filling the edge's outbox with ${EVENTS} events`);
    const started = fleet.request<{ startedAt: number[] }>({
      op: "start",
      mqttUrl: broker.url,
      keys: central.keys,
      edges: [
        {
          site: siteId,
          path: join(dir, "edge", "edge.db"),
          areaId: site.openAreaId,
          key: central.edgeKey(siteId),
        },
      ],
      outboxEvents: EVENTS,
      checkpointer: true,
    });
    const filled = await fleet.waitFor<Extract<FleetEvent, { event: "outbox-filled" }>>(
      (e) => e.event === "outbox-filled",
      600_000,
      "the outbox",
    );
    progress(
      `uplink: ${filled.events} events in the outbox (${(filled.ms / 1000).toFixed(1)} s); draining`,
    );
    // The pace over the drain, every 10 s (does it hold up as the outbox empties?).
    const pace: number[] = [];
    let lastStored = service.stats.eventsStored;
    const pacer = setInterval(() => {
      const stored = service.stats.eventsStored;
      pace.push(Math.round((stored - lastStored) / 10));
      progress(`uplink: ${stored} events at central, ${pace.at(-1)} events/s over the last 10 s`);
      lastStored = stored;
    }, 10_000);
    const t0 = (await started).startedAt[0] as number;
    const drained = await fleet.waitFor<Extract<FleetEvent, { event: "drained" }>>(
      (e) => e.event === "drained",
      600_000,
      "the outbox to drain",
    );
    await until(() => centralAllAt !== undefined, 60_000, "central to hold every event");
    clearInterval(watcher);
    clearInterval(pacer);
    const end = Math.max(drained.at, centralAllAt as number);
    const drainS = (end - t0) / 1000;
    const stored = central.events.count(siteId);
    const uplink = drained.uplink as { batchesSent: number; batchesResent: number };
    const result: Record<string, unknown> = {
      uplink_events_per_s: Math.round(EVENTS / drainS),
      drain_events: EVENTS,
      drain_s: round(drainS, 2),
      drain_central_stored: stored,
      drain_central_duplicates: service.stats.eventsDuplicate,
      drain_central_all_s: round(((centralAllAt as number) - t0) / 1000, 2),
      drain_batches: uplink.batchesSent,
      drain_batches_resent: uplink.batchesResent,
      outbox_fill_s: round(filled.ms / 1000, 1),
      drain_pace_per_10s: pace,
    };
    if (stored < EVENTS) throw new Error(`central holds ${stored} of ${EVENTS} events`);
    if (LIVE_EVENTS > 0) {
      // A live stream besides: events recorded while connected, the outbox never deep.
      const before = service.stats.eventsStored;
      const stream = await fleet.request<{
        startedAt: number;
        appendedAt: number;
        drainedAt: number;
      }>({
        op: "stream",
        events: LIVE_EVENTS,
        chunk: 1000,
      });
      let centralAt = sharedNow();
      await until(
        () => {
          centralAt = sharedNow();
          return service.stats.eventsStored - before >= LIVE_EVENTS;
        },
        60_000,
        "central to hold the streamed events",
      );
      const end = Math.max(stream.drainedAt, centralAt);
      Object.assign(result, {
        uplink_live_events_per_s: Math.round(LIVE_EVENTS / ((end - stream.startedAt) / 1000)),
        uplink_live_events: LIVE_EVENTS,
        uplink_live_record_s: round((stream.appendedAt - stream.startedAt) / 1000, 2),
      });
    }
    progress(`uplink: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await fleet.stop();
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
