import Database from "better-sqlite3";
import { CentralError, conflict, invalid } from "../errors.js";
import { bulkInsert } from "./bulk.js";
import type { CheckedDataset } from "./dataset-checks.js";
import { instant, orNull } from "./dataset-fields.js";
import type { DatasetKey } from "./dataset-schemas.js";
import type { CentralStore } from "./store.js";

/**
 * Inserts every list of a checked dataset, in the caller's transaction (with foreign keys
 * off: the references were checked), timing each list into `insertMs`. `now` is the
 * creation time of the sites and authorizations.
 */
export function insertDataset(
  store: CentralStore,
  checked: CheckedDataset,
  now: number,
  insertMs: Partial<Record<DatasetKey | "commit", number>>,
): void {
  const {
    sites,
    companies,
    calendars,
    schedules,
    areas,
    doorPolicies,
    persons,
    employments,
    cards,
    authorizations,
    certificates,
  } = checked;
  const db = store.db;
  /** Inserts one list: `fill` writes record i's values (checked before) in column order. */
  const load = <T>(
    key: DatasetKey,
    table: string,
    columns: readonly string[],
    list: readonly T[],
    fill: (out: unknown[], at: number, record: T) => void,
  ): void => {
    if (list.length === 0) return;
    const t = performance.now();
    withIndexesRebuilt(store, table, list.length, () =>
      bulkInsert(
        db,
        table,
        columns,
        list.length,
        (out, k, i) => fill(out, k, list[i] as T),
        (i, error) => storeError(`${key}[${i}]`, error),
      ),
    );
    insertMs[key] = Math.round(performance.now() - t);
  };
  const rec = (v: unknown): Record<string, unknown> => v as Record<string, unknown>;
  load(
    "sites",
    "site",
    [
      "id",
      "name",
      "timezone",
      "fingerprint_required",
      "fingerprint_threshold",
      "version",
      "needs_snapshot",
      "created_at",
    ],
    sites,
    (o, k, s) => {
      o[k] = s.id;
      o[k + 1] = s.name;
      o[k + 2] = s.timezone;
      o[k + 3] = s.fingerprintRequired ? 1 : 0;
      o[k + 4] = s.fingerprintThreshold;
      o[k + 5] = 0;
      o[k + 6] = 1;
      o[k + 7] = now;
    },
  );
  load("companies", "company", ["id", "name"], companies, (o, k, c) => {
    o[k] = c.id;
    o[k + 1] = c.name;
  });
  load("persons", "person", ["id", "display_name"], persons, (o, k, p) => {
    o[k] = p.id;
    o[k + 1] = p.displayName;
  });
  load(
    "holidayCalendars",
    "holiday_calendar",
    ["id", "site_id", "name", "dates"],
    calendars,
    (o, k, c) => {
      o[k] = c.id;
      o[k + 1] = c.siteId;
      o[k + 2] = c.name;
      o[k + 3] = JSON.stringify(c.dates);
    },
  );
  load(
    "schedules",
    "schedule",
    ["id", "site_id", "name", "windows", "holiday_calendar_id", "holiday_windows"],
    schedules,
    (o, k, s) => {
      o[k] = s.id;
      o[k + 1] = s.siteId;
      o[k + 2] = s.name;
      o[k + 3] = JSON.stringify(s.windows);
      o[k + 4] = s.holidayCalendarId;
      o[k + 5] = JSON.stringify(s.holidayWindows);
    },
  );
  load("areas", "area", ["id", "site_id", "name", "required_certificates"], areas, (o, k, a) => {
    o[k] = a.id;
    o[k + 1] = a.siteId;
    o[k + 2] = a.name;
    o[k + 3] = JSON.stringify([...new Set(a.requiredCertificates)]);
  });
  load(
    "employments",
    "employment",
    ["id", "person_id", "company_id", "start_at", "end_at"],
    employments,
    (o, k, v) => {
      const e = rec(v);
      o[k] = e.id;
      o[k + 1] = e.personId;
      o[k + 2] = e.companyId;
      o[k + 3] = instant(e.start);
      o[k + 4] = instant(e.end);
    },
  );
  load(
    "cards",
    "card",
    [
      "id",
      "person_id",
      "format",
      "facility",
      "number",
      "raw_bits",
      "status",
      "status_reason",
      "activated_at",
      "valid_from",
      "valid_until",
    ],
    cards,
    (o, k, v) => {
      const c = rec(v);
      o[k] = c.id;
      o[k + 1] = c.personId;
      o[k + 2] = c.format;
      o[k + 3] = orNull(c.facility);
      o[k + 4] = orNull(c.number);
      o[k + 5] = orNull(c.rawBits);
      o[k + 6] = c.status;
      o[k + 7] = orNull(c.statusReason);
      o[k + 8] = instant(c.activatedAt);
      o[k + 9] = instant(c.validFrom);
      o[k + 10] = instant(c.validUntil);
    },
  );
  load(
    "authorizations",
    "access_authorization",
    ["id", "employment_id", "area_id", "valid_from", "valid_until", "schedule_id", "created_at"],
    authorizations,
    (o, k, v) => {
      const z = rec(v);
      o[k] = z.id;
      o[k + 1] = z.employmentId;
      o[k + 2] = z.areaId;
      o[k + 3] = instant(z.validFrom);
      o[k + 4] = instant(z.validUntil);
      o[k + 5] = orNull(z.scheduleId);
      o[k + 6] = now;
    },
  );
  load(
    "certificates",
    "certificate",
    ["id", "person_id", "type", "valid_from", "valid_until"],
    certificates,
    (o, k, v) => {
      const c = rec(v);
      o[k] = c.id;
      o[k + 1] = c.personId;
      o[k + 2] = c.type;
      o[k + 3] = instant(c.validFrom);
      o[k + 4] = instant(c.validUntil);
    },
  );
  load(
    "doorPolicies",
    "door_policy",
    ["site_id", "door_id", "mode", "unlock_schedule_id"],
    doorPolicies,
    (o, k, d) => {
      o[k] = d.siteId;
      o[k + 1] = d.doorId;
      o[k + 2] = d.mode;
      o[k + 3] = d.unlockScheduleId;
    },
  );
}

/**
 * Runs `insert` with the table's secondary indexes dropped and rebuilt afterwards (in the
 * caller's transaction) when it adds more rows than the table holds: building an index
 * once from the finished table is a sort, keeping it costs a random B-tree insert per row.
 * A unique index that cannot be rebuilt names a duplicate.
 */
function withIndexesRebuilt(
  store: CentralStore,
  table: string,
  adding: number,
  insert: () => void,
): void {
  const held = store.statement(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  if (adding < 10_000 || adding <= held) {
    insert();
    return;
  }
  const indexes = store.db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
    )
    .all(table) as { name: string; sql: string }[];
  for (const index of indexes) store.db.exec(`DROP INDEX ${index.name}`);
  insert();
  for (const index of indexes) {
    try {
      store.db.exec(index.sql);
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code.startsWith("SQLITE_CONSTRAINT")) {
        throw conflict(table, `duplicate values for the unique index ${index.name}`);
      }
      throw error;
    }
  }
}

function storeError(path: string, error: unknown): unknown {
  if (error instanceof CentralError) return error;
  if (error instanceof Database.SqliteError && error.code.startsWith("SQLITE_CONSTRAINT")) {
    return conflict(path, error.message);
  }
  if (error instanceof TypeError || error instanceof RangeError)
    return invalid(path, error.message);
  return error;
}
