// 1. snapshot: a large site taken by an empty edge (accessd), after central's load and once
// published; snapshot-patient: the same with a sync client that asks only once.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AccessdProcess, type LogLine } from "../../support/edge-processes.js";
import type { Mosquitto } from "../../support/mosquitto.js";
import { sharedNow } from "../../support/shared-clock.js";
import { round } from "../../support/stats.js";
import { EdgeFleet, type FleetEvent } from "../../support/sync-edges.js";
import { sizesFor, syncDataset } from "../sync-data.js";
import { Central, type Compile } from "./central.js";
import { EDGE_NODE_ARGS, env, progress, seconds, tempDir } from "./support.js";

const CARDS = env("BENCH_SYNC_CARDS", 2_000_000);

/**
 * One empty edge (a real accessd with a sync section and no buses) takes the site's
 * snapshot: from its start to its decision index holding the state. The parts come from
 * accessd's log (pino times) and central's timed compiles.
 */
async function edgeSnapshot(
  central: Central,
  dir: string,
  site: string,
  mqttUrl: string,
  label: string,
) {
  const edgeDir = join(dir, label);
  mkdirSync(edgeDir);
  const config = join(edgeDir, "edge.json");
  const edgeKey = central.edgeKey(site);
  writeFileSync(join(edgeDir, "edge.key"), edgeKey.privateKeyPem, { mode: 0o600 });
  writeFileSync(
    config,
    JSON.stringify({
      site,
      store: { path: join(edgeDir, "edge.db") },
      log: { level: "info" },
      sync: {
        mqttUrl,
        centralKeys: central.keys,
        edgeKey: { privateKeyFile: join(edgeDir, "edge.key"), keyId: edgeKey.keyId },
        heartbeatMs: 30_000,
      },
    }),
  );
  const compilesBefore = central.compiles.length;
  const sentBefore = central.lines.filter((l) => l.msg === "snapshot sent").length;
  // The clock starts: the commit is done, an empty edge starts and asks for its state.
  const t0 = Date.now();
  const accessd = new AccessdProcess(config);
  try {
    const watchdog = setInterval(() => {
      const last = accessd.lines[accessd.lines.length - 1];
      progress(
        `snapshot ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s, edge: ${last?.msg ?? "-"}`,
      );
    }, 10_000);
    let rebuilt: LogLine;
    try {
      rebuilt = await accessd.waitFor(
        (l) => l.msg === "decision index rebuilt" && Number(l.stateVersion) >= 1,
        600_000,
        "the snapshot's index at the edge",
      );
    } finally {
      clearInterval(watchdog);
    }
    const rel = (t: number) => round((t - t0) / 1000, 2);
    const time = (l: LogLine | Record<string, unknown> | undefined) =>
      Number(l?.time ?? Number.NaN);
    const edgeLines = accessd.lines.filter((l) =>
      [
        "decision index built",
        "snapshot requested",
        "snapshot stalled; asking again",
        "snapshot manifest accepted",
        "full state applied",
        "snapshot applied",
        "decision index rebuilt",
      ].includes(String(l.msg)),
    );
    const compiles = central.compiles.slice(compilesBefore);
    const sends = central.lines.filter((l) => l.msg === "snapshot sent").slice(sentBefore);
    const timeline = [
      ...edgeLines.map((l) => ({ s: rel(time(l)), what: `edge: ${l.msg}` })),
      ...compiles.flatMap((c) => [
        { s: rel(c.startedAt), what: "central: compile started" },
        { s: rel(c.endedAt), what: `central: compiled v${c.version}` },
      ]),
      ...sends.map((l) => ({
        s: rel(time(l)),
        what: `central: snapshot sent (${l.chunks} chunks)`,
      })),
    ].sort((a, b) => a.s - b.s);
    progress(
      `snapshot ${label}: timeline\n${timeline.map((e) => `  ${e.s.toFixed(2).padStart(7)} s  ${e.what}`).join("\n")}`,
    );
    const requested = accessd.lines.find((l) => l.msg === "snapshot requested");
    const manifest = accessd.lines.filter((l) => l.msg === "snapshot manifest accepted").at(-1);
    const applied = accessd.lines.find((l) => l.msg === "full state applied");
    const first = compiles[0];
    // The compile whose snapshot the edge took: the last one before the manifest it accepted.
    const used = compiles.filter((c) => c.endedAt <= time(manifest)).at(-1);
    const sent = sends.filter((l) => time(l) <= time(applied)).at(-1);
    const applyStart = time(applied) - Number(applied?.ms);
    const index = Number(rebuilt.buildMs);
    return {
      s: round((time(rebuilt) - t0) / 1000, 2),
      records: Number(applied?.totalRows),
      version: Number(rebuilt.stateVersion),
      bytes: Number(sent?.bytes),
      chunks: Number(sent?.chunks),
      // The path of the snapshot the edge took, in order (they add up to s).
      edge_start_s: seconds(time(requested) - t0),
      until_used_compile_s: used ? seconds(used.startedAt - time(requested)) : null,
      compile_s: used ? seconds(used.endedAt - used.startedAt) : null,
      transfer_decode_s: used ? seconds(applyStart - used.endedAt) : null,
      apply_s: seconds(Number(applied?.ms)),
      index_wait_s: seconds(time(rebuilt) - time(applied) - index),
      index_s: seconds(index),
      // Within transfer_decode_s: central splitting and publishing, the edge from the
      // manifest to the start of the apply (chunks staged, assembled, hashed, decoded).
      central_publish_s: used ? seconds(time(sent) - used.endedAt) : null,
      manifest_to_apply_s: seconds(applyStart - time(manifest)),
      first_compile_s: first ? seconds(first.endedAt - first.startedAt) : null,
      requests: accessd.lines.filter((l) => l.msg === "snapshot requested").length,
      compiles: compiles.length,
      edge_rss_mb: accessd.pid ? rssOf(accessd.pid) : null,
      edge_db_mb: Math.round(
        ["edge.db", "edge.db-wal"]
          .map((f) => join(edgeDir, f))
          .reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0) / 1e6,
      ),
    };
  } finally {
    await accessd.stop();
  }
}

export async function snapshotPart(broker: Mosquitto) {
  const dir = tempDir("snapshot");
  const site = "big";
  progress(`snapshot: generating and loading a site of ${CARDS} cards into central`);
  const central = new Central(dir, "snapshot", () =>
    syncDataset([{ id: site, sizes: sizesFor(CARDS) }]),
  );
  progress(
    `snapshot: central loaded ${central.layout.records} records in ${central.loadS.toFixed(1)} s`,
  );
  try {
    await central.start(broker.url);
    // After the bulk load: central's first compile of the site also records what it
    // publishes (site_record), as after any load.
    const loaded = await edgeSnapshot(central, dir, site, broker.url, "after-load");
    progress(`snapshot after the load: ${JSON.stringify(loaded)}`);
    const result: Record<string, unknown> = { snapshot_cards: CARDS, snapshot_s: loaded.s };
    for (const [k, v] of Object.entries(loaded)) if (k !== "s") result[`snapshot_${k}`] = v;
    result.snapshot_central_load_s = round(central.loadS, 1);
    if (process.env.BENCH_SYNC_SNAPSHOT_AGAIN !== "0") {
      // A second empty edge of the same site, now published: compiled with nothing to write.
      const again = await edgeSnapshot(central, dir, site, broker.url, "published");
      progress(`snapshot of the published site: ${JSON.stringify(again)}`);
      result.snapshot_published_s = again.s;
      for (const k of [
        "compile_s",
        "transfer_decode_s",
        "apply_s",
        "index_s",
        "requests",
        "compiles",
      ] as const)
        result[`snapshot_published_${k}`] = again[k];
    }
    return result;
  } finally {
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rssOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return null;
  }
}

/**
 * Optional (BENCH_SYNC_PARTS=snapshot-patient): the snapshot after a load again, taken by
 * the same sync client, store and index follower as accessd's but with a stall timer of
 * 120 s instead of 5-10 s, so the edge asks once: what snapshot_s would be without the
 * repeated requests and compiles.
 */
export async function patientSnapshotPart(broker: Mosquitto) {
  const dir = tempDir("snapshot-patient");
  const site = "big";
  progress(`snapshot-patient: generating and loading a site of ${CARDS} cards into central`);
  const central = new Central(dir, "patient", () =>
    syncDataset([{ id: site, sizes: sizesFor(CARDS) }]),
  );
  const fleet = await EdgeFleet.start(EDGE_NODE_ARGS);
  try {
    await central.start(broker.url);
    const t0 = sharedNow();
    await fleet.request({
      op: "start",
      mqttUrl: broker.url,
      keys: central.keys,
      edges: [{ site, path: join(dir, "edge", "edge.db"), areaId: 1, key: central.edgeKey(site) }],
      checkpointer: true,
      snapshotRetryMs: 120_000,
    });
    const ready = await fleet.waitFor<Extract<FleetEvent, { event: "ready" }>>(
      (e) => e.event === "ready",
      600_000,
      "the patient edge's index",
    );
    const applied = fleet.events.find((e) => e.event === "full-state-applied") as Extract<
      FleetEvent,
      { event: "full-state-applied" }
    >;
    const compile = central.compiles[0] as Compile;
    const result = {
      snapshot_patient_s: seconds(ready.at - t0),
      snapshot_patient_compiles: central.compiles.length,
      snapshot_patient_edge_start_s: seconds(compile.startedAt - t0),
      snapshot_patient_compile_s: seconds(compile.endedAt - compile.startedAt),
      snapshot_patient_transfer_decode_s: seconds(applied.startedAt - compile.endedAt),
      snapshot_patient_apply_s: seconds(applied.endedAt - applied.startedAt),
      snapshot_patient_index_s: seconds(ready.at - applied.endedAt),
    };
    progress(`snapshot-patient: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await fleet.stop();
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
