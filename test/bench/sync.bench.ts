// `pnpm bench sync`: central and edges through a real Mosquitto (started on a free port).
//  1. snapshot    a 2,000,000-card site, from an empty accessd's start (central's load
//                 committed) to its decision index holding that version; then a second empty
//                 edge of the now published site. snapshot-patient: the same after a fresh
//                 load with a sync client that asks only once (stall timer 120 s).
//  2. delta       card status changes applied at an edge (store.applyDelta + overlay) per
//                 second: bulk changes (BENCH_SYNC_DELTA_BATCH cards a delta) as a backlog
//                 (the headline) and live, and single-card commands (one change a delta).
//  3. revocation  central commit -> refusal at the door on 50 edges (SyncClients with their
//                 own stores, indexes and index followers, one child process).
//  4. uplink      a 1,000,000-event outbox drained into central's event store, then a live
//                 stream of events recorded while connected.
// Central runs in this process (CentralService over its store, as `central serve` does);
// the edges run in child processes. Progress goes to stderr, the figures to stdout.
// Scale down with BENCH_SYNC_CARDS, BENCH_SYNC_DELTA_CARDS, BENCH_SYNC_DELTA_CHANGES,
// BENCH_SYNC_SINGLE_COMMANDS, BENCH_SYNC_EDGES, BENCH_SYNC_EDGE_CARDS,
// BENCH_SYNC_REVOCATIONS, BENCH_SYNC_EVENTS, BENCH_SYNC_LIVE_EVENTS; pick parts with
// BENCH_SYNC_PARTS=snapshot,snapshot-patient,delta,revocation,uplink.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  CentralCommands,
  CentralService,
  type CentralStore,
  compileDeltas,
  EventStore,
  loadDataset,
  openCentralStore,
  stateSource,
  type TouchedRecord,
} from "@acs/central";
import { generateSigningKeyPair, loadPrivateKey, type SiteState } from "@acs/protocol";
import pino from "pino";
import { AccessdProcess, type LogLine } from "../support/edge-processes.js";
import { Mosquitto } from "../support/mosquitto.js";
import { sharedNow } from "../support/shared-clock.js";
import { percentile, round } from "../support/stats.js";
import { EdgeFleet, type FleetEvent } from "../support/sync-edges.js";
import {
  cardFields,
  type GeneratedDataset,
  type SiteLayout,
  sizesFor,
  syncDataset,
} from "./sync-data.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CARDS = env("BENCH_SYNC_CARDS", 2_000_000);
const DELTA_CARDS = env("BENCH_SYNC_DELTA_CARDS", 100_000);
const DELTA_CHANGES = env("BENCH_SYNC_DELTA_CHANGES", 300_000);
const DELTA_BATCH = env("BENCH_SYNC_DELTA_BATCH", 1000);
const SINGLE_COMMANDS = env("BENCH_SYNC_SINGLE_COMMANDS", 3000);
const EDGES = env("BENCH_SYNC_EDGES", 50);
const EDGE_CARDS = env("BENCH_SYNC_EDGE_CARDS", 2500);
const REVOCATIONS = env("BENCH_SYNC_REVOCATIONS", 40);
const WARMUP = env("BENCH_SYNC_WARMUP", 4);
const EVENTS = env("BENCH_SYNC_EVENTS", 1_000_000);
const LIVE_EVENTS = env("BENCH_SYNC_LIVE_EVENTS", 200_000);
const PARTS = new Set(
  (process.env.BENCH_SYNC_PARTS ?? "snapshot,snapshot-patient,delta,revocation,uplink").split(","),
);

/** Node options for the edge worker processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
const EDGE_NODE_ARGS = (process.env.BENCH_SYNC_EDGE_NODE_ARGS ?? "").split(" ").filter(Boolean);

const TARGETS = {
  snapshot_s: 30,
  delta_changes_per_s: 20_000,
  revocation_p99_ms: 250,
  uplink_events_per_s: 10_000,
};

const benchStart = Date.now();
function progress(message: string): void {
  process.stderr.write(`[sync ${((Date.now() - benchStart) / 1000).toFixed(1)}s] ${message}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const yieldToIo = () => new Promise((r) => setImmediate(r));
const seconds = (ms: number) => round(ms / 1000, 2);

async function until<T>(
  check: () => T | undefined | false,
  timeoutMs: number,
  what: string,
  everyMs = 5,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Compile {
  readonly site: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly version: number;
}

/**
 * Central as `central serve` runs it, in this process: its store (loaded with a generated
 * dataset before anything is measured), a CentralService publishing deltas and answering
 * snapshot requests, and the event store. Compiles are timed; the service's log is kept.
 */
class Central {
  readonly store: CentralStore;
  readonly events: EventStore;
  readonly commands: CentralCommands;
  readonly compiles: Compile[] = [];
  readonly lines: Array<Record<string, unknown>> = [];
  readonly keyId = "central-1";
  readonly publicKeyPem: string;
  readonly loadS: number;
  readonly layout: Pick<GeneratedDataset, "sites" | "roaming" | "records">;
  service: CentralService | undefined;
  private readonly privateKeyPem: string;
  private readonly name: string;

  constructor(dir: string, name: string, generate: () => GeneratedDataset) {
    this.name = name;
    const pair = generateSigningKeyPair(this.keyId);
    this.publicKeyPem = pair.publicKeyPem;
    this.privateKeyPem = pair.privateKeyPem;
    this.store = openCentralStore(join(dir, "central.db"));
    this.events = new EventStore(join(dir, "central.db.events"));
    this.commands = new CentralCommands(this.store);
    let generated: GeneratedDataset | undefined = generate();
    const started = Date.now();
    loadDataset(this.store, generated.dataset);
    this.loadS = (Date.now() - started) / 1000;
    this.layout = {
      sites: generated.sites,
      roaming: generated.roaming,
      records: generated.records,
    };
    generated = undefined;
  }

  get keys() {
    return [{ keyId: this.keyId, publicKeyPem: this.publicKeyPem }];
  }

  async start(mqttUrl: string): Promise<void> {
    const source = stateSource(this.store);
    const lines = this.lines;
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const text of chunk.toString().split("\n")) {
          if (!text) continue;
          const line = JSON.parse(text) as Record<string, unknown>;
          lines.push(line);
          if ((line.level as number) >= 40) process.stderr.write(`central: ${text}\n`);
        }
        done();
      },
    });
    this.service = new CentralService({
      mqttUrl,
      clientId: `central-${this.name}`,
      log: pino({ level: "info" }, stream),
      now: () => Date.now(),
      signingKey: { keyId: this.keyId, privateKey: loadPrivateKey(this.privateKeyPem) },
      state: {
        ...source,
        compileSnapshot: (site: string): SiteState => {
          const startedAt = sharedNow();
          const state = source.compileSnapshot(site);
          this.compiles.push({ site, startedAt, endedAt: sharedNow(), version: state.version });
          return state;
        },
      },
      events: this.events,
    });
    await this.service.start();
  }

  async stopService(): Promise<void> {
    await this.service?.stop();
    this.service = undefined;
  }

  async close(): Promise<void> {
    await this.stopService();
    this.events.close();
    this.store.close();
  }

  version(site: string): number {
    return this.store.site(site)?.version ?? 0;
  }
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `acs-bench-sync-${prefix}-`));
}

// --- 1. snapshot ---------------------------------------------------------------------------

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
  writeFileSync(
    config,
    JSON.stringify({
      site,
      store: { path: join(edgeDir, "edge.db") },
      log: { level: "info" },
      sync: { mqttUrl, centralKeys: central.keys, heartbeatMs: 30_000 },
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

async function snapshotPart(broker: Mosquitto) {
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
async function patientSnapshotPart(broker: Mosquitto) {
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
      edges: [{ site, path: join(dir, "edge", "edge.db"), areaId: 1 }],
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

// --- 2. deltas -----------------------------------------------------------------------------

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

async function deltaPart(broker: Mosquitto) {
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
      edges: [{ site: siteId, path: join(dir, "edge", "edge.db"), areaId: site.openAreaId }],
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

// --- 3. revocation -------------------------------------------------------------------------

async function revocationPart(broker: Mosquitto) {
  const dir = tempDir("revocation");
  const sites = Array.from({ length: EDGES }, (_, i) => ({
    id: `rev-${String(i + 1).padStart(2, "0")}`,
    sizes: sizesFor(EDGE_CARDS, 4),
  }));
  const reps = WARMUP + REVOCATIONS;
  progress(
    `revocation: ${EDGES} sites of ${EDGE_CARDS} cards, ${reps} roaming persons at all of them`,
  );
  const central = new Central(dir, "revocation", () => syncDataset(sites, reps));
  const fleet = await EdgeFleet.start(EDGE_NODE_ARGS);
  try {
    await central.start(broker.url);
    await fleet.request({
      op: "start",
      mqttUrl: broker.url,
      keys: central.keys,
      edges: central.layout.sites.map((s) => ({
        site: s.id,
        path: join(dir, "edges", `${s.id}.db`),
        areaId: s.openAreaId,
      })),
    });
    await until(
      () => fleet.events.filter((e) => e.event === "ready").length >= EDGES,
      300_000,
      "every edge's snapshot",
      50,
    );
    progress(`revocation: ${EDGES} edges hold their snapshots`);
    await sleep(1000);
    const samples: number[] = [];
    const commitMs: number[] = [];
    const perRevocationMax: number[] = [];
    const perRevocationMin: number[] = [];
    const reasons: Record<string, number> = {};
    const via: Record<string, number> = {};
    const anomalies: string[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const person = central.layout.roaming[rep] as (typeof central.layout.roaming)[number];
      const fields = cardFields(person.cardId);
      const { initial } = await fleet.request<{ initial: Record<string, number> }>({
        op: "watch",
        watch: rep,
        facility: fields.facility,
        card: fields.card,
      });
      if (initial.grant !== EDGES) anomalies.push(`rep ${rep}: before: ${JSON.stringify(initial)}`);
      const done = fleet.waitFor<Extract<FleetEvent, { event: "watch-done" }>>(
        (e) => e.event === "watch-done" && e.watch === rep,
        30_000,
        `the refusals of revocation ${rep}`,
      );
      const started = sharedNow();
      if (rep % 2 === 0) central.commands.endEmployment(person.employmentId);
      else central.commands.setCardStatus(person.cardId, "lost");
      const committed = sharedNow();
      central.service?.deltasCommitted();
      const { times } = await done;
      if (rep < WARMUP) continue;
      commitMs.push(committed - started);
      let max = 0;
      for (const t of times) {
        samples.push(t.at - committed);
        max = Math.max(max, t.at - committed);
        reasons[t.reason] = (reasons[t.reason] ?? 0) + 1;
        via[t.via] = (via[t.via] ?? 0) + 1;
      }
      perRevocationMax.push(max);
      perRevocationMin.push(Math.min(...times.map((t) => t.at - committed)));
      await sleep(150 + (rep % 7) * 20);
    }
    const result = {
      edges: EDGES,
      revocation_p50_ms: round(percentile(samples, 50), 1),
      revocation_p99_ms: round(percentile(samples, 99), 1),
      revocation_max_ms: round(Math.max(...samples), 1),
      revocation_min_ms: round(Math.min(...samples), 1),
      revocation_samples: samples.length,
      revocations: REVOCATIONS,
      // The 50 edges share one process here: the first refused is what one edge on its own
      // device would see, the last waited for the 49 others.
      revocation_first_edge_p50_ms: round(percentile(perRevocationMin, 50), 1),
      revocation_last_edge_p50_ms: round(percentile(perRevocationMax, 50), 1),
      revocation_central_commit_p50_ms: round(percentile(commitMs, 50), 2),
      revocation_reasons: reasons,
      revocation_refused_via: via,
      revocation_edge_cards: EDGE_CARDS,
      ...(anomalies.length > 0 ? { revocation_anomalies: anomalies.slice(0, 5) } : {}),
    };
    progress(`revocation: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await fleet.stop();
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- 4. uplink -----------------------------------------------------------------------------

async function uplinkPart(broker: Mosquitto) {
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
      edges: [{ site: siteId, path: join(dir, "edge", "edge.db"), areaId: site.openAreaId }],
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

export async function run(): Promise<Record<string, unknown>> {
  const broker = await Mosquitto.start();
  const figures: Record<string, unknown> = {};
  try {
    if (PARTS.has("snapshot")) Object.assign(figures, await snapshotPart(broker));
    if (PARTS.has("snapshot-patient")) Object.assign(figures, await patientSnapshotPart(broker));
    if (PARTS.has("delta")) Object.assign(figures, await deltaPart(broker));
    if (PARTS.has("revocation")) Object.assign(figures, await revocationPart(broker));
    if (PARTS.has("uplink")) Object.assign(figures, await uplinkPart(broker));
  } finally {
    await broker.stop();
  }
  const met: Record<string, boolean> = {};
  if (typeof figures.snapshot_s === "number")
    met.snapshot_s = figures.snapshot_s <= TARGETS.snapshot_s;
  if (typeof figures.delta_changes_per_s === "number")
    met.delta_changes_per_s = figures.delta_changes_per_s >= TARGETS.delta_changes_per_s;
  if (typeof figures.revocation_p99_ms === "number")
    met.revocation_p99_ms = figures.revocation_p99_ms <= TARGETS.revocation_p99_ms;
  if (typeof figures.uplink_events_per_s === "number")
    met.uplink_events_per_s = figures.uplink_events_per_s >= TARGETS.uplink_events_per_s;
  const head = [
    "snapshot_cards",
    "snapshot_s",
    "delta_changes_per_s",
    "edges",
    "revocation_p50_ms",
    "revocation_p99_ms",
    "uplink_events_per_s",
    "drain_events",
    "drain_s",
  ];
  const ordered: Record<string, unknown> = { bench: "sync" };
  for (const key of head) ordered[key] = figures[key] ?? null;
  for (const [key, value] of Object.entries(figures)) if (!(key in ordered)) ordered[key] = value;
  ordered.total_s = round((Date.now() - benchStart) / 1000, 1);
  ordered.targets = TARGETS;
  ordered.met = met;
  return ordered;
}
