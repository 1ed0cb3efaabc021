import type { SiteState } from "@acs/protocol";
import { CentralError, conflict, invalid, notFound } from "../errors.js";
import {
  KIND_CODE,
  KIND_OF_CODE,
  type PublishedKind,
  RECORD_KINDS,
  type RecordKind,
  type RecordOf,
  SPECS,
} from "../state/records.js";
import type { CentralStore, SiteInfo } from "../state/store.js";
import { hashRow } from "./hash.js";
import { parallelReadAvailable, readSiteInWorker } from "./parallel-read.js";
import { QUERIES } from "./queries.js";
import { readSite } from "./site-reader.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

function emptyState(site: string, version: number): Mutable<SiteState> {
  return {
    site,
    version,
    sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 0 },
    doorPolicies: [],
    persons: [],
    cards: [],
    employments: [],
    areas: [],
    authorizations: [],
    schedules: [],
    holidayCalendars: [],
    certificates: [],
  };
}

type Visit = (kind: PublishedKind, rows: readonly unknown[][]) => void;

/** A sink that turns rows into `state`'s records (and shows them to `onRows` first). */
function collectInto(state: Mutable<SiteState>, onRows?: Visit): Visit {
  return (kind, rows) => {
    onRows?.(kind, rows);
    if (kind === "sitePolicy") {
      const row = rows[0];
      if (row !== undefined) state.sitePolicy = SPECS.sitePolicy.fromRaw(row);
      return;
    }
    const fromRaw = SPECS[kind].fromRaw as (row: readonly unknown[]) => RecordOf[RecordKind];
    const out = (state as Record<RecordKind, RecordOf[RecordKind][]>)[kind];
    for (let i = 0; i < rows.length; i++) out.push(fromRaw(rows[i] as unknown[]));
  };
}

/** Reads the site on this thread, inside the caller's transaction. */
function buildState(
  store: CentralStore,
  info: SiteInfo,
  version: number,
  onRows?: Visit,
): SiteState {
  const state = emptyState(info.id, version);
  const sink = collectInto(state, onRows);
  readSite(
    store.db,
    (sql) => store.statement(sql),
    info.id,
    (kind, parsed, json) => sink(kind, parsed ?? (JSON.parse(json) as unknown[][])),
  );
  return state;
}

/** Authorizations from which a site is read on a second core (see readSiteInWorker). */
export const PARALLEL_FROM_AUTHORIZATIONS = 100_000;

/**
 * Whether to read `site` on a second core: a large site, in a store file (not in memory),
 * with the compiled reader at hand, and no transaction of the caller's open (the reader
 * sees only committed data).
 */
function readInWorker(store: CentralStore, site: string, callerInTransaction: boolean): boolean {
  if (callerInTransaction || store.db.memory || !store.parallelCompile) return false;
  if (!parallelReadAvailable()) return false;
  const n = store
    .statement(
      `SELECT count(*) FROM (SELECT 1 FROM area a JOIN access_authorization t ON t.area_id = a.id
        WHERE a.site_id = ? AND t.revoked_at IS NULL LIMIT ${PARALLEL_FROM_AUTHORIZATIONS})`,
    )
    .pluck()
    .get(site) as number;
  return n >= PARALLEL_FROM_AUTHORIZATIONS;
}

function siteOrThrow(store: CentralStore, site: string): SiteInfo {
  const info = store.site(site);
  if (info === undefined) throw notFound("site", "site", site);
  return info;
}

/**
 * The full state of `site` at its current version, for a snapshot: its areas, schedules,
 * holiday calendars and door policies, the unrevoked authorizations for its areas, their
 * employments and persons, and all cards and certificates of those persons. Reads only.
 *
 * For a site that `needsSnapshot` (bulk-loaded) the state is newer than its version: send it
 * through compileSnapshot, which gives it the next version and records it as published.
 */
export function compileSiteState(store: CentralStore, site: string): SiteState {
  if (readInWorker(store, site, store.db.inTransaction)) {
    try {
      const state = emptyState(site, 0);
      const info = readSiteInWorker(store.db.name, site, collectInto(state));
      if (info === null) throw notFound("site", "site", site);
      state.version = info.version;
      return state;
    } catch (error) {
      if (error instanceof CentralError) throw error;
      readerFailed(store, site, error);
    }
  }
  return store.db
    .transaction(() => {
      const info = siteOrThrow(store, site);
      return buildState(store, info, info.version);
    })
    .deferred();
}

function readerFailed(store: CentralStore, site: string, error: unknown): void {
  store.log.warn(
    { site, err: (error as Error).message },
    "reading the site on a second core failed; reading it on this thread",
  );
}

/**
 * Reads the site into a fresh state inside the caller's (write) transaction: on a second
 * core when `parallel`, on this thread otherwise or when the reader fails. `visitor` gives
 * a fresh row visitor for each attempt.
 */
function readState(
  store: CentralStore,
  info: SiteInfo,
  version: number,
  parallel: boolean,
  visitor: () => Visit | undefined,
): { state: SiteState; parallel: boolean } {
  if (parallel) {
    try {
      const state = emptyState(info.id, version);
      if (readSiteInWorker(store.db.name, info.id, collectInto(state, visitor())) !== null) {
        return { state, parallel: true };
      }
    } catch (error) {
      readerFailed(store, info.id, error);
    }
  }
  return { state: buildState(store, info, version, visitor()), parallel: false };
}

/** What compileSnapshot did besides compiling. */
export interface SnapshotResult {
  readonly state: SiteState;
  /** The site needed a snapshot (or had no version yet): it got the next version. */
  readonly newVersion: boolean;
  /** site_record rows written (0 when the site's published membership was already this state). */
  readonly recorded: number;
  /** The site was read on a second core (a large site; see readSiteInWorker). */
  readonly parallel: boolean;
}

/**
 * Compiles `site`'s snapshot and records it as what the site is sent, in one transaction.
 * A site marked `needsSnapshot` (or never versioned) gets the next version and its
 * site_record is rewritten from the compiled rows; otherwise the state is the current
 * version, which by construction equals the published membership (nothing is written).
 */
export function compileSnapshot(store: CentralStore, site: string): SiteState {
  return compileSnapshotDetailed(store, site).state;
}

export function compileSnapshotDetailed(store: CentralStore, site: string): SnapshotResult {
  const callerInTransaction = store.db.inTransaction;
  // The write lock from the start: no other writer commits while the site is read (so a
  // reader on another connection sees exactly this transaction's view).
  return store.transaction(() => {
    const info = siteOrThrow(store, site);
    const parallel = readInWorker(store, site, callerInTransaction);
    if (!info.needsSnapshot && info.version > 0) {
      const read = readState(store, info, info.version, parallel, () => undefined);
      return { state: read.state, newVersion: false, recorded: 0, parallel: read.parallel };
    }
    const version = info.version + 1;
    let membership = new Membership();
    const read = readState(store, info, version, parallel, () => {
      const m = new Membership();
      membership = m;
      return (kind, rows) => {
        const q = QUERIES[kind];
        for (const row of rows) m.add(kind, row[q.idIndex] as number, hashRow(row, q.width));
      };
    });
    const recorded = membership.replace(store, site);
    store
      .statement("UPDATE site SET version = ?, needs_snapshot = 0 WHERE id = ?")
      .run(version, site);
    return { state: read.state, newVersion: true, recorded, parallel: read.parallel };
  });
}

/** Rows per INSERT into site_record (two bound values each; site and kind are named). */
const MEMBERSHIP_ROWS = 256;

/** A site's records (kind, id, hash), gathered to replace its site_record rows in bulk. */
class Membership {
  private readonly ids = new Map<PublishedKind, number[]>();
  private readonly hashes = new Map<PublishedKind, number[]>();

  add(kind: PublishedKind, id: number, hash: number): void {
    let ids = this.ids.get(kind);
    let hashes = this.hashes.get(kind);
    if (ids === undefined || hashes === undefined) {
      ids = [];
      hashes = [];
      this.ids.set(kind, ids);
      this.hashes.set(kind, hashes);
    }
    ids.push(id);
    hashes.push(hash);
  }

  /**
   * Replaces `site`'s site_record rows with these, inside the caller's transaction: kind by
   * kind in key order, so that the B-trees are appended to. Returns the rows written.
   */
  replace(store: CentralStore, site: string): number {
    store.statement("DELETE FROM site_record WHERE site = ?").run(site);
    const tuple = "(@site, @kind, ?, ?)";
    const batch = store.statement(
      `INSERT INTO site_record (site, kind, id, hash) VALUES ${Array(MEMBERSHIP_ROWS).fill(tuple).join(", ")}`,
    );
    const single = store.statement(
      `INSERT INTO site_record (site, kind, id, hash) VALUES ${tuple}`,
    );
    const args = new Array<number>(MEMBERSHIP_ROWS * 2);
    let written = 0;
    for (const kind of [...this.ids.keys()].sort((a, b) => KIND_CODE[a] - KIND_CODE[b])) {
      const ids = this.ids.get(kind) as number[];
      const hashes = this.hashes.get(kind) as number[];
      const order = Array.from(ids.keys());
      if (!isSorted(ids)) order.sort((a, b) => (ids[a] as number) - (ids[b] as number));
      const named = { site, kind: KIND_CODE[kind] };
      let i = 0;
      for (; i + MEMBERSHIP_ROWS <= order.length; i += MEMBERSHIP_ROWS) {
        for (let j = 0; j < MEMBERSHIP_ROWS; j++) {
          const k = order[i + j] as number;
          args[2 * j] = ids[k] as number;
          args[2 * j + 1] = hashes[k] as number;
        }
        batch.run(...args, named);
      }
      for (; i < order.length; i++) {
        const k = order[i] as number;
        single.run(ids[k], hashes[k], named);
      }
      written += order.length;
    }
    return written;
  }
}

function isSorted(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++)
    if ((ids[i] as number) < (ids[i - 1] as number)) return false;
  return true;
}

/**
 * Records `state` as what `site`'s edge holds now (after sending it as a snapshot): its
 * records and their hashes replace the site's site_record rows, in bulk, and the site's
 * version becomes `state.version`. Refuses another site's state (INVALID), a version below
 * the site's (CONFLICT) and door ids the site has no policy for (NOT_FOUND).
 */
export function markPublished(store: CentralStore, site: string, state: SiteState): void {
  store.transaction(() => {
    const info = siteOrThrow(store, site);
    if (state.site !== site) throw invalid("site", `the state is for site "${state.site}"`);
    if (state.version < info.version) {
      throw conflict(
        "version",
        `site "${site}" is at version ${info.version}, the state at ${state.version}`,
      );
    }
    const doorIds = new Map(
      store
        .statement("SELECT door_id, id FROM door_policy WHERE site_id = ?")
        .raw(true)
        .all(site) as [string, number][],
    );
    const membership = new Membership();
    membership.add("sitePolicy", 0, hashRow(SPECS.sitePolicy.toRaw(state.sitePolicy)));
    for (const kind of RECORD_KINDS) {
      const spec = SPECS[kind] as unknown as {
        toRaw(r: unknown): unknown[];
        key(r: unknown): number | string;
      };
      for (const record of state[kind] as readonly unknown[]) {
        let id = spec.key(record);
        if (typeof id === "string") {
          const surrogate = doorIds.get(id);
          if (surrogate === undefined) {
            throw new CentralError("NOT_FOUND", "doorPolicies", `no policy for door "${id}"`);
          }
          id = surrogate;
        }
        membership.add(kind, id, hashRow(spec.toRaw(record)));
      }
    }
    membership.replace(store, site);
    store
      .statement("UPDATE site SET version = ?, needs_snapshot = 0 WHERE id = ?")
      .run(state.version, site);
  });
}

/** Record counts of the site's published membership (site_record), by kind. */
export function publishedCounts(
  store: CentralStore,
  site: string,
): Partial<Record<PublishedKind, number>> {
  const rows = store
    .statement("SELECT kind, count(*) FROM site_record WHERE site = ? GROUP BY kind")
    .raw(true)
    .all(site) as [number, number][];
  return Object.fromEntries(rows.map(([code, n]) => [KIND_OF_CODE[code], n]));
}

/** Record counts of the state in force for `site` (what a snapshot now would hold), by kind. */
export function siteCounts(store: CentralStore, site: string): Record<RecordKind, number> {
  return store.db
    .transaction(() => {
      siteOrThrow(store, site);
      const count = (sql: string): number => store.statement(sql).pluck().get(site) as number;
      const auths = `SELECT t.employment_id FROM area a JOIN access_authorization t ON t.area_id = a.id
        WHERE a.site_id = ? AND t.revoked_at IS NULL`;
      const persons = `SELECT DISTINCT e.person_id FROM employment e WHERE e.id IN (${auths})`;
      return {
        doorPolicies: count("SELECT count(*) FROM door_policy WHERE site_id = ?"),
        persons: count(`SELECT count(*) FROM (${persons})`),
        cards: count(`SELECT count(*) FROM card WHERE person_id IN (${persons})`),
        employments: count(`SELECT count(DISTINCT employment_id) FROM (${auths})`),
        areas: count("SELECT count(*) FROM area WHERE site_id = ?"),
        authorizations: count(`SELECT count(*) FROM (${auths})`),
        schedules: count("SELECT count(*) FROM schedule WHERE site_id = ?"),
        holidayCalendars: count("SELECT count(*) FROM holiday_calendar WHERE site_id = ?"),
        certificates: count(`SELECT count(*) FROM certificate WHERE person_id IN (${persons})`),
      };
    })
    .deferred();
}
