import type Database from "better-sqlite3";
import { type CompiledSchedule, compileSchedule } from "../schedule/compiled-schedule.js";
import type {
  CardStatus,
  DoorMode,
  HolidayCalendar,
  Schedule,
  ScheduleWindow,
} from "../state/model.js";
import {
  type AreaEntry,
  CARD_STATUSES,
  type DoorPolicyEntry,
  OPEN_END,
  OPEN_START,
} from "./access-index.js";
import { CredentialMap } from "./credential-map.js";
import { IdMap } from "./id-map.js";

type Db = Database.Database;
type Cell = number | string | null;

/** Table readers of the decision index: each reads one table into typed arrays. */
const STATUS_CODE = new Map<CardStatus, number>(CARD_STATUSES.map((s, i) => [s, i]));
const INACTIVE = CARD_STATUSES.indexOf("inactive");

/**
 * Reads one table through a SQL function that writes each row into typed arrays: for
 * millions of rows this is several times faster than iterating rows as JS arrays, which
 * allocates one per row. `sql` must select the function applied to the columns.
 */
export function scan(db: Db, name: string, sql: string, row: (...cells: Cell[]) => void): number {
  // Registered with the row function's own arity: no argument array per row.
  db.function(name, { directOnly: true }, row as (...args: unknown[]) => void);
  const result = db.prepare(sql).pluck().get() as number | null;
  return result ?? 0;
}

export function count(db: Db, table: string): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

const from = (v: Cell): number => (v === null ? OPEN_START : Number(v));
const until = (v: Cell): number => (v === null ? OPEN_END : Number(v));

export function readPersons(db: Db) {
  const n = count(db, "person");
  const id = new Float64Array(n);
  const ids = new IdMap(n);
  let k = 0;
  scan(db, "acs_person", "SELECT count(acs_person(id)) FROM person", (pid) => {
    id[k] = pid as number;
    ids.set(pid as number, k);
    k++;
  });
  return { id, ids };
}

export function readAreas(db: Db) {
  const rows = db
    .prepare("SELECT id, name, required_certificates FROM area ORDER BY id")
    .all() as Array<{
    id: number;
    name: string;
    required_certificates: string;
  }>;
  const ids = new IdMap(rows.length);
  const entries: Array<Omit<AreaEntry, "requiredCertificates"> & { required: string[] }> = [];
  for (const row of rows) {
    ids.set(row.id, entries.length);
    entries.push({
      id: row.id,
      name: row.name,
      required: JSON.parse(row.required_certificates) as string[],
    });
  }
  return { ids, entries };
}

const NEVER_OPEN = (id: number): CompiledSchedule => ({ id, isOpen: () => false });

/** Central's door policies, with their unlock schedules resolved. */
/**
 * The rows behind schedules, holiday calendars and door policies: few and small, read in
 * the same transaction as the rest of the index and compiled where the index is used
 * (compiled schedules are objects with code, which do not cross threads).
 */
export interface ScheduleRows {
  readonly calendars: ReadonlyArray<{ id: number; name: string; dates: string }>;
  readonly schedules: ReadonlyArray<{
    id: number;
    name: string;
    windows: string;
    holiday_calendar_id: number | null;
    holiday_windows: string;
  }>;
  readonly doorPolicies: ReadonlyArray<{
    door_id: string;
    mode: DoorMode;
    unlock_schedule_id: number | null;
  }>;
}

export function readScheduleRows(db: Db): ScheduleRows {
  return {
    calendars: db
      .prepare("SELECT id, name, dates FROM holiday_calendar")
      .all() as ScheduleRows["calendars"],
    schedules: db
      .prepare(
        "SELECT id, name, windows, holiday_calendar_id, holiday_windows FROM schedule ORDER BY id",
      )
      .all() as ScheduleRows["schedules"],
    doorPolicies: db
      .prepare("SELECT door_id, mode, unlock_schedule_id FROM door_policy")
      .all() as ScheduleRows["doorPolicies"],
  };
}

export function doorPoliciesFrom(
  rows: ScheduleRows,
  schedules: { ids: IdMap; compiled: readonly CompiledSchedule[] },
): Map<string, DoorPolicyEntry> {
  const doorPolicies = new Map<string, DoorPolicyEntry>();
  for (const row of rows.doorPolicies) {
    const slot = row.unlock_schedule_id === null ? -1 : schedules.ids.get(row.unlock_schedule_id);
    doorPolicies.set(row.door_id, {
      doorId: row.door_id,
      mode: row.mode,
      unlockScheduleId: row.unlock_schedule_id,
      unlockSchedule: slot >= 0 ? schedules.compiled[slot] : undefined,
    });
  }
  return doorPolicies;
}

/** Schedules compiled in id order: an authorization refers to one by its position. */
export function compileScheduleRows(rows: ScheduleRows, problems: string[]) {
  const calendars = new Map<number, HolidayCalendar>();
  for (const row of rows.calendars) {
    calendars.set(row.id, { id: row.id, name: row.name, dates: JSON.parse(row.dates) as string[] });
  }
  const ids = new IdMap(rows.schedules.length);
  const compiled = rows.schedules.map((row, slot) => {
    ids.set(row.id, slot);
    const schedule: Schedule = {
      id: row.id,
      name: row.name,
      windows: JSON.parse(row.windows) as ScheduleWindow[],
      holidayCalendarId: row.holiday_calendar_id,
      holidayWindows: JSON.parse(row.holiday_windows) as ScheduleWindow[],
    };
    try {
      return compileSchedule(
        schedule,
        row.holiday_calendar_id === null ? undefined : calendars.get(row.holiday_calendar_id),
      );
    } catch (err) {
      // A schedule that cannot be compiled (say its holiday calendar is missing) is never
      // open: refusing access is safe, failing the whole index is not.
      problems.push(`schedule ${row.id}: ${(err as Error).message}`);
      return NEVER_OPEN(row.id);
    }
  });
  return { ids, compiled };
}

export function readSchedules(db: Db, problems: string[]) {
  return compileScheduleRows(readScheduleRows(db), problems);
}

/** Counting sort of row positions by group slot: returns range starts and the order. */
export function groupBy(
  groupOf: Int32Array,
  groups: number,
): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as number;
    if (g >= 0) start[g + 1] = (start[g + 1] as number) + 1;
  }
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const fill = start.slice(0, groups);
  const order = new Int32Array(start[groups] as number);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as number;
    if (g < 0) continue;
    const at = fill[g] as number;
    order[at] = i;
    fill[g] = at + 1;
  }
  return { start, order };
}

export function readEmployments(db: Db, persons: IdMap) {
  const n = count(db, "employment");
  const rawId = new Float64Array(n);
  const rawPerson = new Int32Array(n);
  const rawStart = new Float64Array(n);
  const rawEnd = new Float64Array(n);
  let k = 0;
  scan(
    db,
    "acs_employment",
    'SELECT count(acs_employment(id, person_id, start, "end")) FROM employment',
    (id, p, s, e) => {
      rawId[k] = id as number;
      rawPerson[k] = persons.get(p as number);
      rawStart[k] = s as number;
      rawEnd[k] = until(e);
      k++;
    },
  );
  // Employments are laid out grouped by person, so a person's are one contiguous range.
  const { start: personStart, order } = groupBy(rawPerson, persons.size);
  const m = order.length;
  const id = new Float64Array(m);
  const start = new Float64Array(m);
  const end = new Float64Array(m);
  const ids = new IdMap(m);
  for (let slot = 0; slot < m; slot++) {
    const i = order[slot] as number;
    id[slot] = rawId[i] as number;
    start[slot] = rawStart[i] as number;
    end[slot] = rawEnd[i] as number;
    ids.set(rawId[i] as number, slot);
  }
  return { id, start, end, ids, personStart };
}

/** Authorization rows as stored, ids unresolved: what the parallel reader thread hands over. */
export interface RawAuthorizations {
  readonly id: Float64Array;
  readonly employment: Float64Array;
  readonly area: Float64Array;
  readonly from: Float64Array;
  readonly until: Float64Array;
  /** NaN where the authorization has no schedule. */
  readonly schedule: Float64Array;
}

export function readRawAuthorizations(db: Db): RawAuthorizations {
  const n = count(db, "access_authorization");
  const raw = {
    id: new Float64Array(n),
    employment: new Float64Array(n),
    area: new Float64Array(n),
    from: new Float64Array(n),
    until: new Float64Array(n),
    schedule: new Float64Array(n),
  };
  let k = 0;
  scan(
    db,
    "acs_authorization",
    "SELECT count(acs_authorization(id, employment_id, area_id, valid_from, valid_until, schedule_id)) FROM access_authorization",
    (id, e, a, f, u, s) => {
      raw.id[k] = id as number;
      raw.employment[k] = e as number;
      raw.area[k] = a as number;
      raw.from[k] = from(f);
      raw.until[k] = until(u);
      raw.schedule[k] = s === null ? Number.NaN : (s as number);
      k++;
    },
  );
  return raw;
}

export function placeAuthorizations(
  raw: RawAuthorizations,
  employments: IdMap,
  areas: IdMap,
  schedules: IdMap,
) {
  const n = raw.id.length;
  const employmentSlot = new Int32Array(n);
  for (let i = 0; i < n; i++) employmentSlot[i] = employments.get(raw.employment[i] as number);
  const { start: employmentStart, order } = groupBy(employmentSlot, employments.size);
  const m = order.length;
  const id = new Float64Array(m);
  const area = new Int32Array(m);
  const fromA = new Float64Array(m);
  const untilA = new Float64Array(m);
  const schedule = new Int32Array(m);
  for (let slot = 0; slot < m; slot++) {
    const i = order[slot] as number;
    id[slot] = raw.id[i] as number;
    area[slot] = areas.get(raw.area[i] as number);
    fromA[slot] = raw.from[i] as number;
    untilA[slot] = raw.until[i] as number;
    const s = raw.schedule[i] as number;
    // An authorization whose schedule is unknown here is never inside it: -2, not "any time".
    const scheduleSlot = Number.isNaN(s) ? -1 : schedules.get(s);
    schedule[slot] = Number.isNaN(s) ? -1 : scheduleSlot >= 0 ? scheduleSlot : -2;
  }
  return { id, area, from: fromA, until: untilA, schedule, employmentStart };
}

export function readCertificates(db: Db, persons: IdMap) {
  const n = count(db, "certificate");
  const types: string[] = [];
  const typeIds = new Map<string, number>();
  const typeCode = (type: string): number => {
    let code = typeIds.get(type);
    if (code === undefined) {
      code = types.length;
      types.push(type);
      typeIds.set(type, code);
    }
    return code;
  };
  const rawId = new Float64Array(n);
  const rawPerson = new Int32Array(n);
  const rawType = new Int32Array(n);
  const rawFrom = new Float64Array(n);
  const rawUntil = new Float64Array(n);
  let k = 0;
  scan(
    db,
    "acs_certificate",
    "SELECT count(acs_certificate(id, person_id, type, valid_from, valid_until)) FROM certificate",
    (id, p, t, f, u) => {
      rawId[k] = id as number;
      rawPerson[k] = persons.get(p as number);
      rawType[k] = typeCode(String(t));
      rawFrom[k] = from(f);
      rawUntil[k] = until(u);
      k++;
    },
  );
  const { start: personStart, order } = groupBy(rawPerson, persons.size);
  const id = Float64Array.from(order, (i) => rawId[i] as number);
  const type = Int32Array.from(order, (i) => rawType[i] as number);
  const fromC = Float64Array.from(order, (i) => rawFrom[i] as number);
  const untilC = Float64Array.from(order, (i) => rawUntil[i] as number);
  return { id, type, from: fromC, until: untilC, personStart, types, typeCode };
}

export function readCards(db: Db, persons: IdMap) {
  const n = count(db, "card");
  const cardId = new Float64Array(n);
  const cardPerson = new Int32Array(n);
  const cardStatus = new Uint8Array(n);
  const cardFrom = new Float64Array(n);
  const cardUntil = new Float64Array(n);
  const cardIds = new IdMap(n);
  const credentials = new CredentialMap(n);
  const rawCredentials = new Map<string, number>();
  const formatIds = new Map<string, number>();
  let k = 0;
  scan(
    db,
    "acs_card",
    "SELECT count(acs_card(id, person_id, format, facility, number, raw_bits, status, valid_from, valid_until)) FROM card",
    (id, p, format, facility, number, rawBits, status, f, u) => {
      const slot = k++;
      cardId[slot] = id as number;
      cardIds.set(id as number, slot);
      cardPerson[slot] = persons.get(p as number);
      cardStatus[slot] = STATUS_CODE.get(status as CardStatus) ?? INACTIVE;
      cardFrom[slot] = from(f);
      cardUntil[slot] = until(u);
      if (rawBits !== null) {
        rawCredentials.set(String(rawBits), slot);
        return;
      }
      const name = String(format);
      let formatId = formatIds.get(name);
      if (formatId === undefined) {
        formatId = formatIds.size + 1;
        formatIds.set(name, formatId);
      }
      credentials.set(
        formatId,
        facility === null ? -1 : Number(facility),
        number === null ? -1 : Number(number),
        slot,
      );
    },
  );
  return {
    cardId,
    cardPerson,
    cardStatus,
    cardFrom,
    cardUntil,
    cardIds,
    credentials,
    rawCredentials,
    formatIds,
  };
}

export function readEnrollments(db: Db) {
  const enrolledCards = new IdMap(count(db, "fingerprint_enrollment"));
  const enrolledPersons = new IdMap(count(db, "fingerprint_enrollment"));
  for (const row of db
    .prepare("SELECT person_id, card_id FROM fingerprint_enrollment")
    .raw()
    .iterate() as Iterable<[number, number]>) {
    enrolledCards.set(row[1], 1);
    enrolledPersons.set(row[0], 1);
  }
  return { enrolledCards, enrolledPersons };
}
