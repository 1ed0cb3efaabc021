import type { RunResult, Statement } from "better-sqlite3";
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
  /** Runs a statement whose `?` placeholders follow `columns`, bound from one record. */
  bind(statement: Statement<unknown[]>, record: T): RunResult;
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
  bind: (s, p) => s.run(p.id, p.displayName),
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
  bind: (s, c) =>
    s.run(
      c.id,
      c.personId,
      c.format,
      c.facility,
      c.number,
      c.rawBits,
      c.status,
      c.statusReason,
      c.activatedAt,
      c.validFrom,
      c.validUntil,
    ),
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
  bind: (s, e) => s.run(e.id, e.personId, e.companyId, e.start, e.end),
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
  bind: (s, a) => s.run(a.id, a.name, JSON.stringify(a.requiredCertificates)),
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
  bind: (s, a) => s.run(a.id, a.employmentId, a.areaId, a.validFrom, a.validUntil, a.scheduleId),
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
  bind: (s, h) =>
    s.run(
      h.id,
      h.name,
      JSON.stringify(h.windows),
      h.holidayCalendarId,
      JSON.stringify(h.holidayWindows),
    ),
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
  bind: (s, c) => s.run(c.id, c.name, JSON.stringify(c.dates)),
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
  bind: (s, c) => s.run(c.id, c.personId, c.type, c.validFrom, c.validUntil),
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
  bind: (s, d) => s.run(d.doorId, d.mode, d.unlockScheduleId),
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

export function insertSql(t: TableInfo): string {
  return `INSERT INTO ${t.table} (${t.columns.join(", ")}) VALUES (${t.columns.map(() => "?").join(", ")})`;
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
