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
import { Mosquitto } from "../support/mosquitto.js";
import { round } from "../support/stats.js";
import { deltaPart } from "./sync/delta.js";
import { revocationPart } from "./sync/revocation.js";
import { patientSnapshotPart, snapshotPart } from "./sync/snapshot.js";
import { benchStart } from "./sync/support.js";
import { uplinkPart } from "./sync/uplink.js";

const PARTS = new Set(
  (process.env.BENCH_SYNC_PARTS ?? "snapshot,snapshot-patient,delta,revocation,uplink").split(","),
);

const TARGETS = {
  snapshot_s: 30,
  delta_changes_per_s: 20_000,
  revocation_p99_ms: 250,
  uplink_events_per_s: 10_000,
};

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
