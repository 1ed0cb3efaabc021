import type {
  Area,
  Authorization,
  Card,
  CardStatus,
  Certificate,
  DoorMode,
  DoorPolicy,
  Employment,
  HolidayCalendar,
  Person,
  Schedule,
  ScheduleWindow,
  SiteDelta,
} from "../state/model.js";

/** The central-owned record kinds, named as in SiteState / SiteDelta. */
export type StateKind = keyof SiteDelta["upsert"];

/** Every kind, in the order a full state is written. */
export const STATE_KINDS: readonly StateKind[] = [
  "persons",
  "cards",
  "employments",
  "areas",
  "authorizations",
  "schedules",
  "holidayCalendars",
  "certificates",
  "doorPolicies",
];

/** Where one kind lives: table, key column and the columns in bind order. */
export interface TableInfo {
  readonly kind: StateKind;
  readonly table: string;
  readonly key: string;
  readonly columns: readonly string[];
}

/** How one kind maps to its table and back. */
export interface TableSpec<T, K extends number | string = number> extends TableInfo {
  // Method syntax on purpose: a TableSpec<Card> is then usable as a TableSpec<unknown>.
  keyOf(record: T): K;
  /** Writes the record's column values, in `columns` order, into `out` from `at` on. */
  fill(out: unknown[], at: number, record: T): void;
  /** Maps a row of `selectSql` (column names as keys) back to the model; rows are trusted. */
  fromRow(row: unknown): T;
}

// Row shapes as better-sqlite3 returns them (column names as keys).
interface PersonRow {
  id: number;
  display_name: string;
}
interface CardRow {
  id: number;
  person_id: number;
  format: string;
  facility: number | null;
  number: number | null;
  raw_bits: string | null;
  status: string;
  status_reason: string | null;
  activated_at: number | null;
  valid_from: number | null;
  valid_until: number | null;
}
interface EmploymentRow {
  id: number;
  person_id: number;
  company_id: number;
  start: number;
  end: number | null;
}
interface AreaRow {
  id: number;
  name: string;
  required_certificates: string;
}
interface AuthorizationRow {
  id: number;
  employment_id: number;
  area_id: number;
  valid_from: number | null;
  valid_until: number | null;
  schedule_id: number | null;
}
interface ScheduleRow {
  id: number;
  name: string;
  windows: string;
  holiday_calendar_id: number | null;
  holiday_windows: string;
}
interface HolidayCalendarRow {
  id: number;
  name: string;
  dates: string;
}
interface CertificateRow {
  id: number;
  person_id: number;
  type: string;
  valid_from: number | null;
  valid_until: number | null;
}
interface DoorPolicyRow {
  door_id: string;
  mode: string;
  unlock_schedule_id: number | null;
}

const byId = (record: { readonly id: number }): number => record.id;

export const PERSON: TableSpec<Person> = {
  kind: "persons",
  table: "person",
  key: "id",
  columns: ["id", "display_name"],
  keyOf: byId,
  fill: (o, at, p) => {
    o[at] = p.id;
    o[at + 1] = p.displayName;
  },
  fromRow: (r: PersonRow) => ({ id: r.id, displayName: r.display_name }),
};

export const CARD: TableSpec<Card> = {
  kind: "cards",
  table: "card",
  key: "id",
  columns: [
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
  keyOf: byId,
  fill: (o, at, c) => {
    o[at] = c.id;
    o[at + 1] = c.personId;
    o[at + 2] = c.format;
    o[at + 3] = c.facility;
    o[at + 4] = c.number;
    o[at + 5] = c.rawBits;
    o[at + 6] = c.status;
    o[at + 7] = c.statusReason;
    o[at + 8] = c.activatedAt;
    o[at + 9] = c.validFrom;
    o[at + 10] = c.validUntil;
  },
  fromRow: (r: CardRow) => ({
    id: r.id,
    personId: r.person_id,
    format: r.format,
    facility: r.facility,
    number: r.number,
    rawBits: r.raw_bits,
    status: r.status as CardStatus,
    statusReason: r.status_reason,
    activatedAt: r.activated_at,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
  }),
};

export const EMPLOYMENT: TableSpec<Employment> = {
  kind: "employments",
  table: "employment",
  key: "id",
  columns: ["id", "person_id", "company_id", "start", '"end"'],
  keyOf: byId,
  fill: (o, at, e) => {
    o[at] = e.id;
    o[at + 1] = e.personId;
    o[at + 2] = e.companyId;
    o[at + 3] = e.start;
    o[at + 4] = e.end;
  },
  fromRow: (r: EmploymentRow) => ({
    id: r.id,
    personId: r.person_id,
    companyId: r.company_id,
    start: r.start,
    end: r.end,
  }),
};

export const AREA: TableSpec<Area> = {
  kind: "areas",
  table: "area",
  key: "id",
  columns: ["id", "name", "required_certificates"],
  keyOf: byId,
  fill: (o, at, a) => {
    o[at] = a.id;
    o[at + 1] = a.name;
    o[at + 2] = JSON.stringify(a.requiredCertificates);
  },
  fromRow: (r: AreaRow) => ({
    id: r.id,
    name: r.name,
    requiredCertificates: JSON.parse(r.required_certificates) as string[],
  }),
};

export const AUTHORIZATION: TableSpec<Authorization> = {
  kind: "authorizations",
  table: "access_authorization",
  key: "id",
  columns: ["id", "employment_id", "area_id", "valid_from", "valid_until", "schedule_id"],
  keyOf: byId,
  fill: (o, at, a) => {
    o[at] = a.id;
    o[at + 1] = a.employmentId;
    o[at + 2] = a.areaId;
    o[at + 3] = a.validFrom;
    o[at + 4] = a.validUntil;
    o[at + 5] = a.scheduleId;
  },
  fromRow: (r: AuthorizationRow) => ({
    id: r.id,
    employmentId: r.employment_id,
    areaId: r.area_id,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    scheduleId: r.schedule_id,
  }),
};

export const SCHEDULE: TableSpec<Schedule> = {
  kind: "schedules",
  table: "schedule",
  key: "id",
  columns: ["id", "name", "windows", "holiday_calendar_id", "holiday_windows"],
  keyOf: byId,
  fill: (o, at, h) => {
    o[at] = h.id;
    o[at + 1] = h.name;
    o[at + 2] = JSON.stringify(h.windows);
    o[at + 3] = h.holidayCalendarId;
    o[at + 4] = JSON.stringify(h.holidayWindows);
  },
  fromRow: (r: ScheduleRow) => ({
    id: r.id,
    name: r.name,
    windows: JSON.parse(r.windows) as ScheduleWindow[],
    holidayCalendarId: r.holiday_calendar_id,
    holidayWindows: JSON.parse(r.holiday_windows) as ScheduleWindow[],
  }),
};

export const HOLIDAY_CALENDAR: TableSpec<HolidayCalendar> = {
  kind: "holidayCalendars",
  table: "holiday_calendar",
  key: "id",
  columns: ["id", "name", "dates"],
  keyOf: byId,
  fill: (o, at, c) => {
    o[at] = c.id;
    o[at + 1] = c.name;
    o[at + 2] = JSON.stringify(c.dates);
  },
  fromRow: (r: HolidayCalendarRow) => ({
    id: r.id,
    name: r.name,
    dates: JSON.parse(r.dates) as string[],
  }),
};

export const CERTIFICATE: TableSpec<Certificate> = {
  kind: "certificates",
  table: "certificate",
  key: "id",
  columns: ["id", "person_id", "type", "valid_from", "valid_until"],
  keyOf: byId,
  fill: (o, at, c) => {
    o[at] = c.id;
    o[at + 1] = c.personId;
    o[at + 2] = c.type;
    o[at + 3] = c.validFrom;
    o[at + 4] = c.validUntil;
  },
  fromRow: (r: CertificateRow) => ({
    id: r.id,
    personId: r.person_id,
    type: r.type,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
  }),
};

export const DOOR_POLICY: TableSpec<DoorPolicy, string> = {
  kind: "doorPolicies",
  table: "door_policy",
  key: "door_id",
  columns: ["door_id", "mode", "unlock_schedule_id"],
  keyOf: (d) => d.doorId,
  fill: (o, at, d) => {
    o[at] = d.doorId;
    o[at + 1] = d.mode;
    o[at + 2] = d.unlockScheduleId;
  },
  fromRow: (r: DoorPolicyRow) => ({
    doorId: r.door_id,
    mode: r.mode as DoorMode,
    unlockScheduleId: r.unlock_schedule_id,
  }),
};

/** The tables a full state replaces besides `meta` and `site_policy`, by kind. */
export const TABLES = {
  persons: PERSON,
  cards: CARD,
  employments: EMPLOYMENT,
  areas: AREA,
  authorizations: AUTHORIZATION,
  schedules: SCHEDULE,
  holidayCalendars: HOLIDAY_CALENDAR,
  certificates: CERTIFICATE,
  doorPolicies: DOOR_POLICY,
} as const satisfies { readonly [K in StateKind]: TableInfo };

/** The record's column values in `columns` order, for a one-row statement. */
export function valuesOf<T>(spec: TableSpec<T, number | string>, record: T): unknown[] {
  const out = new Array<unknown>(spec.columns.length);
  spec.fill(out, 0, record);
  return out;
}

/** INSERT of `rows` records in one statement (fewer calls into SQLite for bulk writes). */
export function insertSql(t: TableInfo, rows = 1): string {
  const tuple = `(${t.columns.map(() => "?").join(", ")})`;
  return `INSERT INTO ${t.table} (${t.columns.join(", ")}) VALUES ${Array(rows).fill(tuple).join(", ")}`;
}

export function upsertSql(t: TableInfo): string {
  const set = t.columns
    .filter((c) => c !== t.key)
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");
  return `${insertSql(t)} ON CONFLICT(${t.key}) DO UPDATE SET ${set}`;
}

export function deleteSql(t: TableInfo): string {
  return `DELETE FROM ${t.table} WHERE ${t.key} = ?`;
}

export function selectSql(t: TableInfo): string {
  return `SELECT ${t.columns.join(", ")} FROM ${t.table}`;
}
