import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SiteDelta, SiteState } from "@acs/protocol";
import { afterEach } from "vitest";
import {
  CentralCommands,
  type CentralStore,
  compileSiteState,
  fixedClock,
  openCentralStore,
  RECORD_KINDS,
} from "../../src/index.js";

export const NOW = Date.parse("2026-03-02T09:00:00+01:00");
export const DAY = 86_400_000;

const dirs: string[] = [];
const stores: CentralStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) if (store.db.open) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "acs-central-"));
  dirs.push(dir);
  return dir;
}

export function tempDbPath(): string {
  return join(tempDir(), "central.db");
}

export type TestClock = ReturnType<typeof fixedClock>;

/** A store in a fresh temporary file with a clock standing at NOW; closed after the test. */
export function openTestStore(path = tempDbPath()): {
  store: CentralStore;
  cmd: CentralCommands;
  clock: TestClock;
} {
  const clock = fixedClock(NOW);
  const store = openCentralStore(path, { clock });
  stores.push(store);
  return { store, cmd: new CentralCommands(store), clock };
}

/**
 * Three sites and three persons:
 * - J. de Vries (p1) works for company A (e1), authorized for the Amsterdam exchange (z1);
 *   card c1 active, certificate KVD.
 * - A. Bakker (p2) works for A (e2, Amsterdam exchange: z2) and for B (e3, Rotterdam: z3);
 *   card c2 active, card c3 lost.
 * - K. Jansen (p3) works for B (e4), authorized nowhere; card c4 active.
 * Zwolle has an area and nobody.
 */
export function world() {
  const t = openTestStore();
  const { cmd } = t;
  cmd.createSite({
    id: "ams-bsl",
    name: "Amsterdam Barbara Strozzilaan",
    fingerprintRequired: true,
  });
  cmd.createSite({ id: "rtd-whv", name: "Rotterdam Waalhaven" });
  cmd.createSite({ id: "zwl-pss", name: "Zwolle Pieter Steynstraat" });
  const coA = cmd.upsertCompany({ name: "Fiber Partner A B.V." }).companyId;
  const coB = cmd.upsertCompany({ name: "Netwerk B B.V." }).companyId;
  const p1 = cmd.createPerson({ displayName: "J. de Vries" }).personId;
  const p2 = cmd.createPerson({ displayName: "A. Bakker" }).personId;
  const p3 = cmd.createPerson({ displayName: "K. Jansen" }).personId;
  const start = NOW - 365 * DAY;
  const e1 = cmd.createEmployment({ personId: p1, companyId: coA, start }).employmentId;
  const e2 = cmd.createEmployment({ personId: p2, companyId: coA, start }).employmentId;
  const e3 = cmd.createEmployment({ personId: p2, companyId: coB, start }).employmentId;
  const e4 = cmd.createEmployment({ personId: p3, companyId: coB, start }).employmentId;
  const c1 = cmd.issueCard({
    personId: p1,
    format: "H10301",
    facility: 18,
    number: 1001,
    status: "active",
  }).cardId;
  const c2 = cmd.issueCard({
    personId: p2,
    format: "H10301",
    facility: 18,
    number: 1002,
    status: "active",
  }).cardId;
  const c3 = cmd.issueCard({
    personId: p2,
    format: "H10301",
    facility: 18,
    number: 1003,
    status: "lost",
  }).cardId;
  const c4 = cmd.issueCard({
    personId: p3,
    format: "H10302",
    number: 12_345_678_901,
    status: "active",
  }).cardId;
  const k1 = cmd.addCertificate({
    personId: p1,
    type: "KVD",
    validFrom: start,
    validUntil: NOW + 365 * DAY,
  }).certificateId;
  const amsHall = cmd.createArea({ siteId: "ams-bsl", name: "Exchange building" }).areaId;
  const amsCable = cmd.createArea({
    siteId: "ams-bsl",
    name: "Cable distribution room",
    requiredCertificates: ["KVD"],
  }).areaId;
  const rtdHall = cmd.createArea({ siteId: "rtd-whv", name: "Exchange building" }).areaId;
  const zwlHall = cmd.createArea({ siteId: "zwl-pss", name: "Exchange building" }).areaId;
  const amsOffice = cmd.createSchedule({
    siteId: "ams-bsl",
    name: "Office hours",
    windows: [{ days: [1, 2, 3, 4, 5], from: "08:00", until: "17:30" }],
  }).scheduleId;
  const z1 = cmd.grant(e1, amsHall).authorizationId;
  const z2 = cmd.grant(e2, amsHall, { scheduleId: amsOffice }).authorizationId;
  const z3 = cmd.grant(e3, rtdHall).authorizationId;
  return {
    ...t,
    ids: {
      coA,
      coB,
      p1,
      p2,
      p3,
      e1,
      e2,
      e3,
      e4,
      c1,
      c2,
      c3,
      c4,
      k1,
      amsHall,
      amsCable,
      rtdHall,
      zwlHall,
      amsOffice,
      z1,
      z2,
      z3,
    },
  };
}

type Keyed = { id?: number; doorId?: string };
const keyOf = (r: unknown): number | string => {
  const k = r as Keyed;
  return k.doorId ?? (k.id as number);
};
const byKey = (a: unknown, b: unknown): number => {
  const x = keyOf(a);
  const y = keyOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The state with every list sorted by key, for comparing states built in different orders. */
export function normalized(state: SiteState): SiteState {
  const out: Record<string, unknown> = { ...state };
  for (const kind of RECORD_KINDS) out[kind] = [...state[kind]].sort(byKey);
  return out as unknown as SiteState;
}

/** Applies a delta the way an edge does (deletes, then upserts, by key); checks its version. */
export function applyDelta(state: SiteState, delta: SiteDelta): SiteState {
  if (delta.site !== state.site) throw new Error(`delta for ${delta.site}, state of ${state.site}`);
  if (delta.version !== state.version + 1) {
    throw new Error(`delta version ${delta.version} after state version ${state.version}`);
  }
  const out: Record<string, unknown> = {
    ...state,
    version: delta.version,
    sitePolicy: delta.sitePolicy ?? state.sitePolicy,
  };
  for (const kind of RECORD_KINDS) {
    const records = new Map<number | string, unknown>(state[kind].map((r) => [keyOf(r), r]));
    for (const key of delta.delete[kind] ?? []) {
      if (!records.delete(key)) throw new Error(`delta deletes ${kind} ${key}, which is not there`);
    }
    for (const record of delta.upsert[kind] ?? []) records.set(keyOf(record), record);
    out[kind] = [...records.values()];
  }
  return normalized(out as unknown as SiteState);
}

/** Every site's current state, normalized. */
export function allStates(store: CentralStore): Map<string, SiteState> {
  return new Map(store.sites().map((s) => [s.id, normalized(compileSiteState(store, s.id))]));
}

/** Ids of one kind in a state. */
export function idsOf(state: SiteState, kind: (typeof RECORD_KINDS)[number]): (number | string)[] {
  return state[kind].map(keyOf).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The delta of `site` among `deltas` (at most one per site per command). */
export function deltaOf(deltas: readonly SiteDelta[], site: string): SiteDelta | undefined {
  const found = deltas.filter((d) => d.site === site);
  if (found.length > 1) throw new Error(`${found.length} deltas for ${site} from one command`);
  return found[0];
}
