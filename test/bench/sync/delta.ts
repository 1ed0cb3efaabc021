// 2. delta: card status changes applied at an edge per second, in bulk and one card a
// delta, as a backlog and live.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { compileDeltas, type TouchedRecord } from "@acs/central";
import type { Mosquitto } from "../../support/mosquitto.js";
import { sharedNow } from "../../support/shared-clock.js";
import { EdgeFleet } from "../../support/sync-edges.js";
import { type SiteLayout, sizesFor, syncDataset } from "../sync-data.js";
import { Central } from "./central.js";
import { EDGE_NODE_ARGS, env, progress, sleep, tempDir, yieldToIo } from "./support.js";

const DELTA_CARDS = env("BENCH_SYNC_DELTA_CARDS", 100_000);
const DELTA_CHANGES = env("BENCH_SYNC_DELTA_CHANGES", 300_000);
const DELTA_BATCH = env("BENCH_SYNC_DELTA_BATCH", 1000);
const SINGLE_COMMANDS = env("BENCH_SYNC_SINGLE_COMMANDS", 3000);

interface DeltaSummary {
  site: string;
  deltas: number;
  changes: number;
  firstAt: number | null;
  lastAt: number | null;
  lastVersion: number | null;
}

async function deltasAt(fleet: EdgeFleet, from = 0): Promise<DeltaSummary> {
  const { edges } = await fleet.request<{ edges: DeltaSummary[] }>({ op: "deltas", from });
  return edges[0] as DeltaSummary;
}

interface Applied {
  readonly deltas: number;
  readonly changes: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/** Waits until the edge applied `version`; returns what it applied since `before`. */
async function appliedSince(
  fleet: EdgeFleet,
  before: DeltaSummary,
  version: number,
  what: string,
): Promise<Applied> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const now = await deltasAt(fleet, before.deltas);
    if ((now.lastVersion ?? 0) >= version) {
      return {
        deltas: now.deltas - before.deltas,
        changes: now.changes - before.changes,
        firstAt: now.firstAt as number,
        lastAt: now.lastAt as number,
      };
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(now)}`);
    await sleep(20);
  }
}

const BULK_STATUSES = ["stolen", "defective", "expired", "inactive", "lost", "not-activated"];

/**
 * One bulk change at central: `count` cards from `first` (wrapping in the site) take
 * `status`, and their deltas are compiled in the same transaction (as a command does).
 */
function bulkStatus(
  central: Central,
  site: SiteLayout,
  first: number,
  count: number,
  status: string,
) {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(site.cardIds.first + ((first + i) % site.cardIds.count));
  const store = central.store;
  store.transaction(() => {
    const update = store.statement("UPDATE card SET status = ? WHERE id = ?");
    for (const id of ids) update.run(status, id);
    compileDeltas(
      store,
      ids.map((id): TouchedRecord => ({ kind: "cards", id })),
    );
  });
}

/**
 * Changes committed at central by `commit(i)` for i < count. As a backlog: committed with
 * the service down, then the service starts and sends them all (the edge's pace: verify,
 * store.applyDelta, overlay). Live: the service publishes as central commits (the slower
 * of the two sets the pace). Rates are changes applied at the edge a second.
 */
async function deltaRun(
  central: Central,
  fleet: EdgeFleet,
  broker: Mosquitto,
  site: string,
  mode: "backlog" | "live",
  count: number,
  commit: (i: number) => void,
) {
  const before = await deltasAt(fleet);
  if (mode === "backlog") await central.stopService();
  const commitStarted = sharedNow();
  for (let i = 0; i < count; i++) {
    commit(i);
    if (mode === "live") {
      central.service?.deltasCommitted();
      await yieldToIo();
    }
  }
  const commitS = (sharedNow() - commitStarted) / 1000;
  const t0 = mode === "backlog" ? sharedNow() : commitStarted;
  if (mode === "backlog") await central.start(broker.url);
  const applied = await appliedSince(fleet, before, central.version(site), `the ${mode} deltas`);
  return {
    ...applied,
    commitS,
    perS: applied.changes / ((applied.lastAt - t0) / 1000),
    edgeOnlyPerS: applied.changes / ((applied.lastAt - applied.firstAt) / 1000),
  };
}

export async function deltaPart(broker: Mosquitto) {
  const dir = tempDir("delta");
  const siteId = "delta";
  progress(`delta: loading a site of ${DELTA_CARDS} cards`);
  const central = new Central(dir, "delta", () =>
    syncDataset([{ id: siteId, sizes: sizesFor(DELTA_CARDS) }]),
  );
  const site = central.layout.sites[0] as SiteLayout;
  const fleet = await EdgeFleet.start(EDGE_NODE_ARGS);
  try {
    await central.start(broker.url);
    await fleet.request({
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
      checkpointer: true,
    });
    await fleet.waitFor((e) => e.event === "ready", 120_000, "the delta edge's snapshot");
    progress("delta: edge holds its snapshot");
    const run = (mode: "backlog" | "live", count: number, commit: (i: number) => void) =>
      deltaRun(central, fleet, broker, siteId, mode, count, commit);

    // Single-card commands: one change per delta. Replaced cards (not their holders'
    // active one) are set lost, then stolen: no rule of the command is in the way.
    const persons = sizesFor(DELTA_CARDS).persons;
    const replaced = (i: number) =>
      site.cardIds.first + persons + (i % (site.cardIds.count - persons));
    const singleBacklog = await run("backlog", SINGLE_COMMANDS, (i) =>
      central.commands.setCardStatus(replaced(i), "lost"),
    );
    progress(`delta: single-change backlog ${JSON.stringify(singleBacklog)}`);
    const singleLive = await run("live", SINGLE_COMMANDS, (i) =>
      central.commands.setCardStatus(replaced(i), "stolen"),
    );
    progress(`delta: single-change live ${JSON.stringify(singleLive)}`);

    // Bulk changes: DELTA_BATCH cards a change (one delta each).
    const batches = Math.ceil(DELTA_CHANGES / DELTA_BATCH);
    const status = (b: number, shift: number) =>
      BULK_STATUSES[
        (Math.floor((b * DELTA_BATCH) / site.cardIds.count) + shift) % BULK_STATUSES.length
      ] as string;
    const backlog = await run("backlog", batches, (b) =>
      bulkStatus(central, site, b * DELTA_BATCH, DELTA_BATCH, status(b, 0)),
    );
    progress(`delta: bulk backlog ${JSON.stringify(backlog)}`);
    const live = await run("live", batches, (b) =>
      bulkStatus(central, site, b * DELTA_BATCH, DELTA_BATCH, status(b, 3)),
    );
    progress(`delta: bulk live ${JSON.stringify(live)}`);
    const { edges } = await fleet.request<{ edges: Array<Record<string, unknown>> }>({
      op: "stats",
    });
    const edge = edges[0] as { overlay: number; follower: { rebuilds: number } };
    return {
      delta_changes_per_s: Math.round(backlog.perS),
      delta_changes: backlog.changes,
      delta_deltas: backlog.deltas,
      delta_batch: DELTA_BATCH,
      delta_site_cards: DELTA_CARDS,
      delta_edge_only_changes_per_s: Math.round(backlog.edgeOnlyPerS),
      delta_central_commit_changes_per_s: Math.round((batches * DELTA_BATCH) / backlog.commitS),
      delta_live_changes_per_s: Math.round(live.perS),
      delta_single_changes_per_s: Math.round(singleBacklog.perS),
      delta_single_live_changes_per_s: Math.round(singleLive.perS),
      delta_single_central_commands_per_s: Math.round(SINGLE_COMMANDS / singleBacklog.commitS),
      delta_edge_overlay_records: edge.overlay,
      delta_edge_rebuilds: edge.follower.rebuilds,
    };
  } finally {
    await fleet.stop();
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
