import { type SiteDelta, type SitePolicy, splitDelta } from "@acs/protocol";
import type { PublishedKind, RecordKind, RecordOf } from "../state/records.js";
import { KIND_CODE, RECORD_KINDS, SPECS } from "../state/records.js";
import type { CentralStore } from "../state/store.js";
import { hashRow } from "./hash.js";
import { NEEDED_AT, QUERIES } from "./queries.js";

/**
 * A record a command changed (created, edited, ended, revoked). Door policies are named by
 * their row id in central (`door_policy.id`), the site policy by its site.
 */
export type TouchedRecord =
  | { readonly kind: RecordKind; readonly id: number }
  | { readonly kind: "sitePolicy"; readonly site: string };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface SiteChanges {
  sitePolicy?: SitePolicy;
  readonly upserts: Map<RecordKind, { key: number | string; record: unknown }[]>;
  readonly deletes: Map<RecordKind, (number | string)[]>;
  readonly recordUpserts: { kind: PublishedKind; id: number; hash: number }[];
  readonly recordDeletes: { kind: PublishedKind; id: number }[];
}

/**
 * Follows the closure down from the touched records to every record whose membership in a
 * site may have changed with them: an authorization brings its employment; an employment
 * its person; a person all its cards and certificates. (Cards, certificates, areas,
 * schedules, calendars and door policies decide nobody else's membership.)
 */
function closure(
  store: CentralStore,
  touched: Iterable<TouchedRecord>,
): { records: Map<RecordKind, Set<number>>; sitePolicies: Set<string> } {
  const records = new Map<RecordKind, Set<number>>(RECORD_KINDS.map((k) => [k, new Set()]));
  const sitePolicies = new Set<string>();
  const set = (kind: RecordKind): Set<number> => records.get(kind) as Set<number>;
  for (const t of touched) {
    if (t.kind === "sitePolicy") sitePolicies.add(t.site);
    else set(t.kind).add(t.id);
  }
  const employmentOf = store.statement(
    "SELECT employment_id FROM access_authorization WHERE id = ?",
  );
  for (const id of set("authorizations")) {
    const e = employmentOf.pluck().get(id) as number | undefined;
    if (e !== undefined) set("employments").add(e);
  }
  const personOf = store.statement("SELECT person_id FROM employment WHERE id = ?");
  for (const id of set("employments")) {
    const p = personOf.pluck().get(id) as number | undefined;
    if (p !== undefined) set("persons").add(p);
  }
  const cardsOf = store.statement("SELECT id FROM card WHERE person_id = ?");
  const certificatesOf = store.statement("SELECT id FROM certificate WHERE person_id = ?");
  for (const id of set("persons")) {
    for (const c of cardsOf.pluck().all(id) as number[]) set("cards").add(c);
    for (const c of certificatesOf.pluck().all(id) as number[]) set("certificates").add(c);
  }
  return { records, sitePolicies };
}

/**
 * Compiles what the touched records change at every site, inside the caller's transaction
 * (a command's, so that its change and its deltas commit together): for every site that
 * either had one of the records (site_record) or needs it now (the closure rules), the
 * records to upsert (new, or hash changed) and to delete (no longer needed, or gone). Each
 * site with a change gets its next version; its site_record, version and the delta outbox
 * are updated. Sites that need a snapshot (bulk-loaded) are left to it. Returns the deltas,
 * by site, in version order.
 */
export function compileDeltas(store: CentralStore, touched: Iterable<TouchedRecord>): SiteDelta[] {
  return store.transaction(() => compileInTransaction(store, touched));
}

function compileInTransaction(store: CentralStore, touched: Iterable<TouchedRecord>): SiteDelta[] {
  const { records, sitePolicies } = closure(store, touched);
  const siteState = new Map<string, { version: number; needsSnapshot: boolean } | null>();
  const siteInfo = (site: string) => {
    let info = siteState.get(site);
    if (info === undefined) {
      const s = store.site(site);
      info = s === undefined ? null : { version: s.version, needsSnapshot: s.needsSnapshot };
      siteState.set(site, info);
    }
    return info;
  };
  const changes = new Map<string, SiteChanges>();
  const changesOf = (site: string): SiteChanges => {
    let c = changes.get(site);
    if (c === undefined) {
      c = { upserts: new Map(), deletes: new Map(), recordUpserts: [], recordDeletes: [] };
      changes.set(site, c);
    }
    return c;
  };
  const publishedAt = store.statement(
    "SELECT site, hash FROM site_record WHERE kind = ? AND id = ?",
  );

  for (const kind of RECORD_KINDS) {
    const ids = records.get(kind) as Set<number>;
    if (ids.size === 0) continue;
    const q = QUERIES[kind];
    const one = store.statement(q.one).raw(true);
    const needed = store.statement(NEEDED_AT[kind]).pluck();
    const fromRaw = SPECS[kind].fromRaw as (row: readonly unknown[]) => RecordOf[RecordKind];
    const keyOf = SPECS[kind].key as (r: RecordOf[RecordKind]) => number | string;
    for (const id of [...ids].sort((a, b) => a - b)) {
      const row = one.get(id) as unknown[] | undefined;
      const hash = row === undefined ? null : hashRow(row, q.width);
      const record = row === undefined ? undefined : fromRaw(row);
      const need = new Set(row === undefined ? [] : (needed.all(id) as string[]));
      const had = new Map(
        (publishedAt.raw(true).all(KIND_CODE[kind], id) as [string, number][]).map(([s, h]) => [
          s,
          h,
        ]),
      );
      for (const site of new Set([...need, ...had.keys()])) {
        const info = siteInfo(site);
        if (info === null || info.needsSnapshot) continue;
        const old = had.get(site);
        if (need.has(site) && record !== undefined && hash !== null) {
          if (old === hash) continue;
          const c = changesOf(site);
          listOf(c.upserts, kind).push({ key: keyOf(record), record });
          c.recordUpserts.push({ kind, id, hash });
        } else if (old !== undefined) {
          if (record === undefined && kind === "doorPolicies") {
            throw new Error(`door policy ${id} is gone: door policies are never deleted`);
          }
          const c = changesOf(site);
          listOf(c.deletes, kind).push(record === undefined ? id : keyOf(record));
          c.recordDeletes.push({ kind, id });
        }
      }
    }
  }

  const policyQuery = store.statement(QUERIES.sitePolicy.one).raw(true);
  const publishedPolicy = store
    .statement(
      `SELECT hash FROM site_record WHERE site = ? AND kind = ${KIND_CODE.sitePolicy} AND id = 0`,
    )
    .pluck();
  for (const site of [...sitePolicies].sort()) {
    const info = siteInfo(site);
    if (info === null || info.needsSnapshot) continue;
    const row = policyQuery.get(site) as unknown[] | undefined;
    if (row === undefined) continue;
    const hash = hashRow(row, QUERIES.sitePolicy.width);
    if (publishedPolicy.get(site) === hash) continue;
    const c = changesOf(site);
    c.sitePolicy = SPECS.sitePolicy.fromRaw(row);
    c.recordUpserts.push({ kind: "sitePolicy", id: 0, hash });
  }

  const now = store.clock.now();
  const upsertRecord = store.statement(
    "INSERT INTO site_record (site, kind, id, hash) VALUES (?, ?, ?, ?) ON CONFLICT (site, kind, id) DO UPDATE SET hash = excluded.hash",
  );
  const deleteRecord = store.statement(
    "DELETE FROM site_record WHERE site = ? AND kind = ? AND id = ?",
  );
  const setVersion = store.statement("UPDATE site SET version = ? WHERE id = ?");
  const enqueue = store.statement(
    "INSERT INTO delta_outbox (site, version, delta, upserts, deletes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const deltas: SiteDelta[] = [];
  for (const site of [...changes.keys()].sort()) {
    const c = changes.get(site) as SiteChanges;
    const info = siteInfo(site) as { version: number };
    const version = info.version + 1;
    const upsert: Mutable<SiteDelta["upsert"]> = {};
    const remove: Mutable<SiteDelta["delete"]> = {};
    for (const kind of RECORD_KINDS) {
      const u = c.upserts.get(kind);
      if (u !== undefined && u.length > 0) {
        u.sort((a, b) => compareKeys(a.key, b.key));
        (upsert as Record<string, unknown[]>)[kind] = u.map((x) => x.record);
      }
      const d = c.deletes.get(kind);
      if (d !== undefined && d.length > 0) {
        d.sort(compareKeys);
        (remove as Record<string, unknown[]>)[kind] = d;
      }
    }
    const whole: SiteDelta = {
      site,
      version,
      ...(c.sitePolicy === undefined ? {} : { sitePolicy: c.sitePolicy }),
      upsert,
      delete: remove,
    };
    for (const r of c.recordUpserts) upsertRecord.run(site, KIND_CODE[r.kind], r.id, r.hash);
    for (const r of c.recordDeletes) deleteRecord.run(site, KIND_CODE[r.kind], r.id);
    // A change too big for one message travels as consecutive deltas, all but the last
    // marked partial: the edge acts on it only when the whole change is in.
    const pieces = splitDelta(whole);
    for (const delta of pieces) {
      const upserted = Object.values(delta.upsert).reduce((n, list) => n + (list?.length ?? 0), 0);
      const deleted = Object.values(delta.delete).reduce((n, list) => n + (list?.length ?? 0), 0);
      enqueue.run(
        site,
        delta.version,
        JSON.stringify(delta),
        upserted + (delta.sitePolicy === undefined ? 0 : 1),
        deleted,
        now,
      );
      deltas.push(delta);
    }
    info.version = version + pieces.length - 1;
    setVersion.run(info.version, site);
  }
  return deltas;
}

function listOf<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Upserted and deleted record counts of a delta, by kind (for logs and the CLI). */
export function deltaCounts(delta: SiteDelta): {
  upserts: Partial<Record<RecordKind, number>>;
  deletes: Partial<Record<RecordKind, number>>;
  sitePolicy: boolean;
} {
  const upserts: Partial<Record<RecordKind, number>> = {};
  const deletes: Partial<Record<RecordKind, number>> = {};
  for (const kind of RECORD_KINDS) {
    const u = delta.upsert[kind]?.length ?? 0;
    const d = delta.delete[kind]?.length ?? 0;
    if (u > 0) upserts[kind] = u;
    if (d > 0) deletes[kind] = d;
  }
  return { upserts, deletes, sitePolicy: delta.sitePolicy !== undefined };
}
