import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CentralCommands,
  compileSiteState,
  compileSnapshotDetailed,
  fixedClock,
  loadDataset,
  openCentralStore,
} from "../../src/index.js";
import { BENCH_SIZE, type SyntheticSize, syntheticDataset } from "./synthetic.js";

export interface BenchResult {
  readonly size: SyntheticSize;
  readonly rows: number;
  readonly generateMs: number;
  readonly loadMs: number;
  readonly loadDetail: { checkMs: number; insertMs: Record<string, number | undefined> };
  readonly compileSiteStateMs: number;
  readonly firstSnapshotMs: number;
  readonly snapshotMs: number;
  readonly lostCardMs: number;
  readonly revokeMs: number;
  readonly dbMB: number;
}

/** The size of BENCH_SIZE times `scale` (sites, areas and companies stay). */
export function scaled(scale: number): SyntheticSize {
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return {
    ...BENCH_SIZE,
    persons: s(BENCH_SIZE.persons),
    employments: s(BENCH_SIZE.employments),
    cards: s(BENCH_SIZE.cards),
    authorizations: s(BENCH_SIZE.authorizations),
    certificates: s(BENCH_SIZE.certificates),
  };
}

const ms = (since: number): number => Math.round(performance.now() - since);

/**
 * loadDataset + compileSiteState of one site holding everything, then the first snapshot
 * (which records the site's membership), a repeated snapshot, and two commands on it.
 */
export function runBench(size: SyntheticSize): BenchResult {
  const dir = mkdtempSync(join(tmpdir(), "acs-central-bench-"));
  try {
    const path = join(dir, "central.db");
    const store = openCentralStore(path, { clock: fixedClock(Date.parse("2026-03-02T08:00:00Z")) });
    let t = performance.now();
    let dataset: ReturnType<typeof syntheticDataset> | undefined = syntheticDataset(size);
    const generateMs = ms(t);
    t = performance.now();
    const loaded = loadDataset(store, dataset);
    const loadMs = ms(t);
    const loadDetail = { checkMs: loaded.checkMs, insertMs: { ...loaded.insertMs } };
    dataset = undefined;
    t = performance.now();
    let state: ReturnType<typeof compileSiteState> | undefined = compileSiteState(store, "site-1");
    const compileSiteStateMs = ms(t);
    const rows =
      state.persons.length +
      state.cards.length +
      state.employments.length +
      state.authorizations.length +
      state.certificates.length;
    state = undefined;
    t = performance.now();
    compileSnapshotDetailed(store, "site-1");
    const firstSnapshotMs = ms(t);
    t = performance.now();
    compileSnapshotDetailed(store, "site-1");
    const snapshotMs = ms(t);
    const cmd = new CentralCommands(store);
    t = performance.now();
    cmd.setCardStatus(1, "lost");
    const lostCardMs = ms(t);
    t = performance.now();
    cmd.revoke(1);
    const revokeMs = ms(t);
    store.close();
    const dbMB = Math.round(statSync(path).size / 1e6);
    return {
      size,
      rows,
      generateMs,
      loadMs,
      loadDetail,
      compileSiteStateMs,
      firstSnapshotMs,
      snapshotMs,
      lostCardMs,
      revokeMs,
      dbMB,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
