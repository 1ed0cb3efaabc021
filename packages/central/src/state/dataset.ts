import type { CardStatus, DoorMode } from "@acs/protocol";
import Database from "better-sqlite3";
import { z } from "zod";
import { CentralError, conflict, invalid } from "../errors.js";
import { bulkInsert } from "./bulk.js";
import {
  CARD_STATUS_VALUES,
  certificateType,
  DOOR_MODE_VALUES,
  doorId,
  holidayWindow,
  localDate,
  name,
  SITE_ID_PATTERN,
  timezone,
  weeklyWindow,
} from "./schemas.js";
import type { CentralStore } from "./store.js";

/** Epoch ms, or an ISO-8601 date-time with an offset ("2026-01-01T00:00:00+01:00"). */
export type DatasetInstant = number | string;

export interface DatasetSite {
  readonly id: string;
  readonly name: string;
  readonly timezone?: string;
  readonly fingerprintRequired?: boolean;
  readonly fingerprintThreshold?: number;
}
export interface DatasetCompany {
  readonly id: number;
  readonly name: string;
}
export interface DatasetPerson {
  readonly id: number;
  readonly displayName: string;
}
export interface DatasetEmployment {
  readonly id: number;
  readonly personId: number;
  readonly companyId: number;
  readonly start: DatasetInstant;
  readonly end?: DatasetInstant | null;
}
export interface DatasetCard {
  readonly id: number;
  readonly personId: number;
  readonly format: string;
  readonly facility?: number | null;
  readonly number?: number | null;
  readonly rawBits?: string | null;
  readonly status: CardStatus;
  readonly statusReason?: string | null;
  readonly activatedAt?: DatasetInstant | null;
  readonly validFrom?: DatasetInstant | null;
  readonly validUntil?: DatasetInstant | null;
}
export interface DatasetArea {
  readonly id: number;
  readonly siteId: string;
  readonly name: string;
  readonly requiredCertificates?: readonly string[];
}
export interface DatasetWindow {
  readonly days?: readonly number[];
  readonly from: string;
  readonly until: string;
}
export interface DatasetHolidayCalendar {
  readonly id: number;
  readonly siteId: string;
  readonly name: string;
  readonly dates: readonly string[];
}
export interface DatasetSchedule {
  readonly id: number;
  readonly siteId: string;
  readonly name: string;
  readonly windows: readonly DatasetWindow[];
  readonly holidayCalendarId?: number | null;
  readonly holidayWindows?: readonly DatasetWindow[];
}
export interface DatasetAuthorization {
  readonly id: number;
  readonly employmentId: number;
  readonly areaId: number;
  readonly validFrom?: DatasetInstant | null;
  readonly validUntil?: DatasetInstant | null;
  readonly scheduleId?: number | null;
}
export interface DatasetCertificate {
  readonly id: number;
  readonly personId: number;
  readonly type: string;
  readonly validFrom?: DatasetInstant | null;
  readonly validUntil?: DatasetInstant | null;
}
export interface DatasetDoorPolicy {
  readonly siteId: string;
  readonly doorId: string;
  readonly mode: DoorMode;
  readonly unlockScheduleId?: number | null;
}

/**
 * Plain JSON for demos and benchmarks: new records with their ids (ids already in the store
 * are refused). References may point into the dataset or to records already stored. Every
 * list may be left out.
 */
export interface Dataset {
  readonly sites?: readonly DatasetSite[];
  readonly companies?: readonly DatasetCompany[];
  readonly persons?: readonly DatasetPerson[];
  readonly employments?: readonly DatasetEmployment[];
  readonly cards?: readonly DatasetCard[];
  readonly holidayCalendars?: readonly DatasetHolidayCalendar[];
  readonly schedules?: readonly DatasetSchedule[];
  readonly areas?: readonly DatasetArea[];
  readonly authorizations?: readonly DatasetAuthorization[];
  readonly certificates?: readonly DatasetCertificate[];
  readonly doorPolicies?: readonly DatasetDoorPolicy[];
}

const DATASET_KEYS = [
  "sites",
  "companies",
  "persons",
  "employments",
  "cards",
  "holidayCalendars",
  "schedules",
  "areas",
  "authorizations",
  "certificates",
  "doorPolicies",
] as const;
type DatasetKey = (typeof DATASET_KEYS)[number];

export interface LoadResult {
  /** Records inserted per list. */
  readonly rows: Readonly<Record<DatasetKey, number>>;
  /** Sites whose state changed: marked to get a snapshot next (no deltas were made). */
  readonly sitesMarked: readonly string[];
  /** The whole load, and the part of it spent checking the records before the transaction. */
  readonly ms: number;
  readonly checkMs: number;
  /** Milliseconds per list inserted (with its indexes rebuilt), and for the commit. */
  readonly insertMs: Readonly<Partial<Record<DatasetKey | "commit", number>>>;
}

// --- fast validation of the large lists (zod costs microseconds per record) ---
// A path (`cards[12].personId`) is only built for an error: building it per field would cost
// more than the checks.

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const STATUSES = new Set<string>(CARD_STATUS_VALUES);
const RAW_BITS = /^[01]{1,128}$/;
const CERTIFICATE_TYPE = /^[A-Za-z0-9_-]{1,32}$/;

const at = (list: string, i: number, field?: string): string =>
  field === undefined ? `${list}[${i}]` : `${list}[${i}].${field}`;

function checkId(v: unknown, list: string, i: number, field: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
    throw invalid(at(list, i, field), "expected an id (an integer >= 1)");
  }
  return v;
}
function checkText(v: unknown, list: string, i: number, field: string, max: number): void {
  if (typeof v !== "string" || v.length === 0 || v.length > max) {
    throw invalid(at(list, i, field), `expected a non-empty string of at most ${max} characters`);
  }
}
function checkOptText(v: unknown, list: string, i: number, field: string, max: number): void {
  if (v !== undefined && v !== null) checkText(v, list, i, field, max);
}
function checkOptInt(v: unknown, list: string, i: number, field: string): void {
  if (v === undefined || v === null) return;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw invalid(at(list, i, field), "expected an integer >= 0");
  }
}
/** An instant as epoch ms; null for null/undefined; NaN when it is not an instant. */
function instant(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : Number.NaN;
  if (typeof v === "string" && ISO_INSTANT.test(v)) return Date.parse(v);
  return Number.NaN;
}
function checkInstant(
  v: unknown,
  list: string,
  i: number,
  field: string,
  required: boolean,
): number | null {
  const t = instant(v);
  if ((t === null && required) || (t !== null && !Number.isFinite(t))) {
    throw invalid(
      at(list, i, field),
      "expected epoch ms or an ISO-8601 date-time with offset, e.g. 2026-01-01T00:00:00+01:00",
    );
  }
  return t;
}
function checkInterval(
  r: Record<string, unknown>,
  list: string,
  i: number,
  fromField: string,
  untilField: string,
  fromRequired = false,
): void {
  const from = checkInstant(r[fromField], list, i, fromField, fromRequired);
  const until = checkInstant(r[untilField], list, i, untilField, false);
  if (from !== null && until !== null && until < from) {
    throw invalid(at(list, i, untilField), "lies before the start of the interval");
  }
}
function checkRecord(
  v: unknown,
  list: string,
  i: number,
  allowed: ReadonlySet<string>,
): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw invalid(at(list, i), "expected an object");
  }
  for (const key in v) {
    if (!allowed.has(key)) throw invalid(at(list, i, key), "unknown field");
  }
  return v as Record<string, unknown>;
}
const fields = (...names: string[]): ReadonlySet<string> => new Set(names);
const orNull = (v: unknown): unknown => (v === undefined ? null : v);

/**
 * The ids of one list: a bitmap when they are dense enough (millions of ids check in
 * milliseconds), else a Set.
 */
class IdSet {
  private readonly bits: Uint8Array | null;
  private readonly set: Set<number> | null;
  readonly size: number;

  constructor(ids: readonly number[], onDuplicate: (i: number) => never) {
    let max = 0;
    for (const id of ids) if (id > max) max = id;
    this.size = ids.length;
    if (max <= Math.max(1 << 20, ids.length * 16)) {
      const bits = new Uint8Array(max + 1);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        if (bits[id] === 1) onDuplicate(i);
        bits[id] = 1;
      }
      this.bits = bits;
      this.set = null;
    } else {
      const set = new Set<number>();
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        if (set.has(id)) onDuplicate(i);
        set.add(id);
      }
      this.bits = null;
      this.set = set;
    }
  }

  has(id: number): boolean {
    return this.bits !== null ? this.bits[id] === 1 : (this.set as Set<number>).has(id);
  }
}

// --- zod for the small lists (sites, schedules, ...) ---

const siteSchema = z.strictObject({
  id: z.string().regex(SITE_ID_PATTERN, "a site id is 1..64 characters of a-z, 0-9, _ and -"),
  name,
  timezone: timezone.default("Europe/Amsterdam"),
  fingerprintRequired: z.boolean().default(false),
  fingerprintThreshold: z.number().int().min(0).max(100).default(60),
});
const companySchema = z.strictObject({ id: z.number().int().positive(), name });
const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const areaSchema = z.strictObject({
  id: idSchema,
  siteId: z.string(),
  name,
  requiredCertificates: z.array(certificateType).default([]),
});
const calendarSchema = z.strictObject({
  id: idSchema,
  siteId: z.string(),
  name,
  dates: z.array(localDate),
});
const scheduleSchema = z.strictObject({
  id: idSchema,
  siteId: z.string(),
  name,
  windows: z.array(weeklyWindow),
  holidayCalendarId: idSchema.nullable().default(null),
  holidayWindows: z.array(holidayWindow).default([]),
});
const doorPolicySchema = z.strictObject({
  siteId: z.string(),
  doorId,
  mode: z.enum(DOOR_MODE_VALUES),
  unlockScheduleId: idSchema.nullable().default(null),
});

function parseList<S extends z.ZodType>(
  schema: S,
  list: readonly unknown[] | undefined,
  key: string,
): z.output<S>[] {
  return (list ?? []).map((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    const path = [key, i, ...(issue?.path ?? [])]
      .map((p, j) => (typeof p === "number" ? `[${p}]` : j === 0 ? String(p) : `.${String(p)}`))
      .join("");
    throw invalid(path, issue?.message ?? "invalid");
  });
}

/**
 * Loads a dataset in one transaction with multi-row prepared INSERTs, without deltas: the
 * sites whose state it changed are marked `needs_snapshot` (their edges take snapshots).
 * Refuses the whole dataset (changing nothing) on the first bad record, naming it
 * (`cards[12].personId`). Not inside another transaction: it may drop and rebuild indexes.
 */
export function loadDataset(store: CentralStore, dataset: Dataset): LoadResult {
  const started = performance.now();
  const db = store.db;
  const now = store.clock.now();
  if (typeof dataset !== "object" || dataset === null)
    throw invalid("dataset", "expected an object");
  for (const key of Object.keys(dataset)) {
    if (!(DATASET_KEYS as readonly string[]).includes(key)) throw invalid(key, "unknown list");
    if (!Array.isArray((dataset as Record<string, unknown>)[key])) {
      throw invalid(key, "expected an array");
    }
  }
  const sites = parseList(siteSchema, dataset.sites, "sites");
  const companies = parseList(companySchema, dataset.companies, "companies");
  const calendars = parseList(calendarSchema, dataset.holidayCalendars, "holidayCalendars");
  const schedules = parseList(scheduleSchema, dataset.schedules, "schedules");
  const areas = parseList(areaSchema, dataset.areas, "areas");
  const doorPolicies = parseList(doorPolicySchema, dataset.doorPolicies, "doorPolicies");
  const persons = dataset.persons ?? [];
  const employments = dataset.employments ?? [];
  const cards = dataset.cards ?? [];
  const authorizations = dataset.authorizations ?? [];
  const certificates = dataset.certificates ?? [];

  const exists = (table: string, key: string | number): boolean =>
    store.statement(`SELECT 1 FROM ${table} WHERE id = ?`).get(key) !== undefined;
  /** The ids of one list, refusing invalid and duplicate ids and ids already stored. */
  const idSet = (list: readonly unknown[], key: string, table: string): IdSet => {
    const ids = new Array<number>(list.length);
    for (let i = 0; i < list.length; i++) {
      const record = list[i];
      ids[i] = checkId(
        typeof record === "object" && record !== null ? (record as { id?: unknown }).id : undefined,
        key,
        i,
        "id",
      );
    }
    const set = new IdSet(ids, (i) => {
      throw conflict(at(key, i, "id"), `duplicate id ${ids[i]}`);
    });
    // Ids already stored: only ids at or below the table's largest can be (one lookup each).
    const max = store.statement(`SELECT max(id) FROM ${table}`).pluck().get() as number | null;
    if (max !== null) {
      for (let i = 0; i < ids.length; i++) {
        if ((ids[i] as number) <= max && exists(table, ids[i] as number)) {
          throw conflict(at(key, i, "id"), `id ${ids[i]} is already stored`);
        }
      }
    }
    return set;
  };
  /** A reference into the dataset or the store (store answers cached). */
  const reference = (ids: IdSet, table: string, what: string) => {
    const stored = new Map<number, boolean>();
    return (v: unknown, list: string, i: number, field: string): number => {
      const k = checkId(v, list, i, field);
      if (ids.has(k)) return k;
      let found = stored.get(k);
      if (found === undefined) {
        found = exists(table, k);
        stored.set(k, found);
      }
      if (!found)
        throw new CentralError("NOT_FOUND", at(list, i, field), `no ${what} with id ${k}`);
      return k;
    };
  };

  const siteIds = new Set<string>();
  sites.forEach((site, i) => {
    if (siteIds.has(site.id) || exists("site", site.id)) {
      throw conflict(at("sites", i, "id"), `site "${site.id}" already exists`);
    }
    siteIds.add(site.id);
  });
  const companyIds = idSet(companies, "companies", "company");
  const personIds = idSet(persons, "persons", "person");
  const employmentIds = idSet(employments, "employments", "employment");
  idSet(cards, "cards", "card");
  idSet(calendars, "holidayCalendars", "holiday_calendar");
  idSet(schedules, "schedules", "schedule");
  idSet(areas, "areas", "area");
  idSet(authorizations, "authorizations", "access_authorization");
  idSet(certificates, "certificates", "certificate");

  const siteRef = (site: string, path: string): void => {
    if (!siteIds.has(site) && !exists("site", site)) {
      throw new CentralError("NOT_FOUND", path, `no site with id "${site}"`);
    }
  };
  const companyRef = reference(companyIds, "company", "company");
  const personRef = reference(personIds, "person", "person");
  const employmentRef = reference(employmentIds, "employment", "employment");

  // Site of every calendar, schedule and area (dataset or store): references stay in a site.
  const siteOf = (table: string, what: string, list: readonly { id: number; siteId: string }[]) => {
    const map = new Map<number, string>(list.map((r) => [r.id, r.siteId]));
    return (v: unknown, list: string, i: number, field: string): string => {
      const k = checkId(v, list, i, field);
      let s = map.get(k);
      if (s === undefined) {
        s = store.statement(`SELECT site_id FROM ${table} WHERE id = ?`).pluck().get(k) as
          | string
          | undefined;
        if (s === undefined) {
          throw new CentralError("NOT_FOUND", at(list, i, field), `no ${what} with id ${k}`);
        }
        map.set(k, s);
      }
      return s;
    };
  };
  const calendarSite = siteOf("holiday_calendar", "holiday calendar", calendars);
  const scheduleSite = siteOf("schedule", "schedule", schedules);
  const areaSite = siteOf("area", "area", areas);
  const sameSite = (got: string, want: string, list: string, i: number, field: string): void => {
    if (got !== want) {
      throw invalid(at(list, i, field), `belongs to site "${got}", not to "${want}"`);
    }
  };

  const marked = new Set<string>(sites.map((s) => s.id));
  calendars.forEach((c, i) => {
    siteRef(c.siteId, at("holidayCalendars", i, "siteId"));
    marked.add(c.siteId);
  });
  schedules.forEach((s, i) => {
    siteRef(s.siteId, at("schedules", i, "siteId"));
    if (s.holidayCalendarId !== null) {
      const cal = calendarSite(s.holidayCalendarId, "schedules", i, "holidayCalendarId");
      sameSite(cal, s.siteId, "schedules", i, "holidayCalendarId");
    }
    marked.add(s.siteId);
  });
  areas.forEach((a, i) => {
    siteRef(a.siteId, at("areas", i, "siteId"));
    marked.add(a.siteId);
  });
  const doorKeys = new Set<string>();
  doorPolicies.forEach((d, i) => {
    siteRef(d.siteId, at("doorPolicies", i, "siteId"));
    const key = `${d.siteId}\u0000${d.doorId}`;
    if (doorKeys.has(key)) throw conflict(at("doorPolicies", i, "doorId"), "duplicate door");
    doorKeys.add(key);
    if (
      store
        .statement("SELECT 1 FROM door_policy WHERE site_id = ? AND door_id = ?")
        .get(d.siteId, d.doorId) !== undefined
    ) {
      throw conflict(at("doorPolicies", i, "doorId"), "this door already has a policy");
    }
    if (d.unlockScheduleId !== null) {
      const site = scheduleSite(d.unlockScheduleId, "doorPolicies", i, "unlockScheduleId");
      sameSite(site, d.siteId, "doorPolicies", i, "unlockScheduleId");
    }
    marked.add(d.siteId);
  });

  // Persons stored before this load whose cards or certificates it adds: their sites change.
  const storedPersonsTouched = new Set<number>();

  const personFields = fields("id", "displayName");
  persons.forEach((p, i) => {
    const r = checkRecord(p, "persons", i, personFields);
    checkText(r.displayName, "persons", i, "displayName", 100);
  });
  const employmentFields = fields("id", "personId", "companyId", "start", "end");
  // A person-company pair twice is refused by the unique index (CONFLICT).
  employments.forEach((e, i) => {
    const r = checkRecord(e, "employments", i, employmentFields);
    personRef(r.personId, "employments", i, "personId");
    companyRef(r.companyId, "employments", i, "companyId");
    checkInterval(r, "employments", i, "start", "end", true);
  });
  const cardFields = fields(
    "id",
    "personId",
    "format",
    "facility",
    "number",
    "rawBits",
    "status",
    "statusReason",
    "activatedAt",
    "validFrom",
    "validUntil",
  );
  cards.forEach((c, i) => {
    const r = checkRecord(c, "cards", i, cardFields);
    const personId = personRef(r.personId, "cards", i, "personId");
    if (!personIds.has(personId)) storedPersonsTouched.add(personId);
    checkText(r.format, "cards", i, "format", 32);
    checkOptInt(r.facility, "cards", i, "facility");
    checkOptInt(r.number, "cards", i, "number");
    const bits = r.rawBits;
    if (bits !== undefined && bits !== null && (typeof bits !== "string" || !RAW_BITS.test(bits))) {
      throw invalid(at("cards", i, "rawBits"), "expected 1..128 bits of 0 and 1");
    }
    if ((r.number === undefined || r.number === null) && (bits === undefined || bits === null)) {
      throw invalid(at("cards", i, "number"), "a card needs a number or raw bits");
    }
    if (typeof r.status !== "string" || !STATUSES.has(r.status)) {
      throw invalid(at("cards", i, "status"), `expected one of ${CARD_STATUS_VALUES.join(", ")}`);
    }
    checkOptText(r.statusReason, "cards", i, "statusReason", 500);
    checkInstant(r.activatedAt, "cards", i, "activatedAt", false);
    checkInterval(r, "cards", i, "validFrom", "validUntil");
  });
  const authorizationFields = fields(
    "id",
    "employmentId",
    "areaId",
    "validFrom",
    "validUntil",
    "scheduleId",
  );
  let lastArea = -1;
  let lastSite = "";
  authorizations.forEach((z, i) => {
    const r = checkRecord(z, "authorizations", i, authorizationFields);
    employmentRef(r.employmentId, "authorizations", i, "employmentId");
    const site =
      r.areaId === lastArea ? lastSite : areaSite(r.areaId, "authorizations", i, "areaId");
    lastArea = r.areaId as number;
    lastSite = site;
    marked.add(site);
    if (r.scheduleId !== undefined && r.scheduleId !== null) {
      const scheduleSiteId = scheduleSite(r.scheduleId, "authorizations", i, "scheduleId");
      sameSite(scheduleSiteId, site, "authorizations", i, "scheduleId");
    }
    checkInterval(r, "authorizations", i, "validFrom", "validUntil");
  });
  const certificateFields = fields("id", "personId", "type", "validFrom", "validUntil");
  certificates.forEach((c, i) => {
    const r = checkRecord(c, "certificates", i, certificateFields);
    const personId = personRef(r.personId, "certificates", i, "personId");
    if (!personIds.has(personId)) storedPersonsTouched.add(personId);
    if (typeof r.type !== "string" || !CERTIFICATE_TYPE.test(r.type)) {
      throw invalid(
        at("certificates", i, "type"),
        "a certificate type is 1..32 of A-Z, a-z, 0-9, _ and -",
      );
    }
    checkInterval(r, "certificates", i, "validFrom", "validUntil");
  });

  /** Inserts one list: `fill` writes record i's values (validated above) in column order. */
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
  const insertMs: Partial<Record<DatasetKey | "commit", number>> = {};
  const checkMs = Math.round(performance.now() - started);
  const rec = (v: unknown): Record<string, unknown> => v as Record<string, unknown>;

  if (db.inTransaction) {
    throw new CentralError("CONFLICT", null, "loadDataset runs its own transaction");
  }
  // References were checked above (and the FK checks would cost a lookup per row): off for
  // the load, which needs its own transaction for that (the pragma is a no-op inside one).
  const foreignKeys = db.pragma("foreign_keys", { simple: true }) as number;
  db.pragma("foreign_keys = OFF");
  try {
    let commitFrom = 0;
    const result = store.transaction(() => {
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
      load(
        "areas",
        "area",
        ["id", "site_id", "name", "required_certificates"],
        areas,
        (o, k, a) => {
          o[k] = a.id;
          o[k + 1] = a.siteId;
          o[k + 2] = a.name;
          o[k + 3] = JSON.stringify([...new Set(a.requiredCertificates)]);
        },
      );
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
        [
          "id",
          "employment_id",
          "area_id",
          "valid_from",
          "valid_until",
          "schedule_id",
          "created_at",
        ],
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
      for (const person of storedPersonsTouched) {
        for (const site of store
          .statement(
            `SELECT DISTINCT a.site_id FROM employment e
           JOIN access_authorization z ON z.employment_id = e.id AND z.revoked_at IS NULL
           JOIN area a ON a.id = z.area_id WHERE e.person_id = ?`,
          )
          .pluck()
          .all(person) as string[]) {
          marked.add(site);
        }
      }
      const mark = store.statement("UPDATE site SET needs_snapshot = 1 WHERE id = ?");
      for (const site of marked) mark.run(site);
      commitFrom = performance.now();
      return [...marked].sort();
    });
    insertMs.commit = Math.round(performance.now() - commitFrom);
    return {
      rows: {
        sites: sites.length,
        companies: companies.length,
        persons: persons.length,
        employments: employments.length,
        cards: cards.length,
        holidayCalendars: calendars.length,
        schedules: schedules.length,
        areas: areas.length,
        authorizations: authorizations.length,
        certificates: certificates.length,
        doorPolicies: doorPolicies.length,
      },
      sitesMarked: result,
      ms: Math.round(performance.now() - started),
      checkMs,
      insertMs,
    };
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? "ON" : "OFF"}`);
  }
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
