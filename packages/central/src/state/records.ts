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
  SitePolicy,
} from "@acs/protocol";

/** The record kinds of a site state, named as in SiteState / SiteDelta. */
export type RecordKind = keyof SiteDelta["upsert"];

/** Every record kind, in the order a state lists them. */
export const RECORD_KINDS = [
  "doorPolicies",
  "persons",
  "cards",
  "employments",
  "areas",
  "authorizations",
  "schedules",
  "holidayCalendars",
  "certificates",
] as const satisfies readonly RecordKind[];

// Every kind is listed (a compile error here means RECORD_KINDS misses one).
const allKinds: Exclude<RecordKind, (typeof RECORD_KINDS)[number]> extends never ? true : never =
  true;
void allKinds;

/** What `site_record` tracks per site: the record kinds, plus the site policy (id 0). */
export type PublishedKind = RecordKind | "sitePolicy";

/** site_record's code of each kind (the record_kind table says the same). */
export const KIND_CODE: { readonly [K in PublishedKind]: number } = {
  sitePolicy: 0,
  doorPolicies: 1,
  persons: 2,
  cards: 3,
  employments: 4,
  areas: 5,
  authorizations: 6,
  schedules: 7,
  holidayCalendars: 8,
  certificates: 9,
};

/** The kind of each site_record code. */
export const KIND_OF_CODE: readonly PublishedKind[] = (
  Object.entries(KIND_CODE) as [PublishedKind, number][]
)
  .sort((a, b) => a[1] - b[1])
  .map(([kind]) => kind);

/** The record type of each kind. */
export interface RecordOf {
  doorPolicies: DoorPolicy;
  persons: Person;
  cards: Card;
  employments: Employment;
  areas: Area;
  authorizations: Authorization;
  schedules: Schedule;
  holidayCalendars: HolidayCalendar;
  certificates: Certificate;
  sitePolicy: SitePolicy;
}

/**
 * How one kind is read from central's tables and hashed. `columns` is the SELECT list over
 * the kind's table aliased `t`, in the order of `fromRaw`'s row; `toRaw` is its inverse, so
 * a record hashes the same whether it comes from a row or from a compiled state.
 */
export interface RecordSpec<K extends PublishedKind> {
  readonly kind: K;
  readonly table: string;
  readonly columns: string;
  fromRaw(row: readonly unknown[]): RecordOf[K];
  toRaw(record: RecordOf[K]): unknown[];
  key(record: RecordOf[K]): number | string;
}

const byId = (r: { readonly id: number }): number => r.id;
const json = (v: unknown): string => JSON.stringify(v);

export const SPECS: { readonly [K in PublishedKind]: RecordSpec<K> } = {
  doorPolicies: {
    kind: "doorPolicies",
    table: "door_policy",
    columns: "t.door_id, t.mode, t.unlock_schedule_id",
    fromRaw: (r) => ({
      doorId: r[0] as string,
      mode: r[1] as DoorMode,
      unlockScheduleId: r[2] as number | null,
    }),
    toRaw: (d) => [d.doorId, d.mode, d.unlockScheduleId],
    key: (d) => d.doorId,
  },
  persons: {
    kind: "persons",
    table: "person",
    columns: "t.id, t.display_name",
    fromRaw: (r) => ({ id: r[0] as number, displayName: r[1] as string }),
    toRaw: (p) => [p.id, p.displayName],
    key: byId,
  },
  cards: {
    kind: "cards",
    table: "card",
    columns:
      "t.id, t.person_id, t.format, t.facility, t.number, t.raw_bits, t.status, t.status_reason, t.activated_at, t.valid_from, t.valid_until",
    fromRaw: (r) => ({
      id: r[0] as number,
      personId: r[1] as number,
      format: r[2] as string,
      facility: r[3] as number | null,
      number: r[4] as number | null,
      rawBits: r[5] as string | null,
      status: r[6] as CardStatus,
      statusReason: r[7] as string | null,
      activatedAt: r[8] as number | null,
      validFrom: r[9] as number | null,
      validUntil: r[10] as number | null,
    }),
    toRaw: (c) => [
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
    ],
    key: byId,
  },
  employments: {
    kind: "employments",
    table: "employment",
    columns: "t.id, t.person_id, t.company_id, t.start_at, t.end_at",
    fromRaw: (r) => ({
      id: r[0] as number,
      personId: r[1] as number,
      companyId: r[2] as number,
      start: r[3] as number,
      end: r[4] as number | null,
    }),
    toRaw: (e) => [e.id, e.personId, e.companyId, e.start, e.end],
    key: byId,
  },
  areas: {
    kind: "areas",
    table: "area",
    columns: "t.id, t.name, t.required_certificates",
    fromRaw: (r) => ({
      id: r[0] as number,
      name: r[1] as string,
      requiredCertificates: JSON.parse(r[2] as string) as string[],
    }),
    toRaw: (a) => [a.id, a.name, json(a.requiredCertificates)],
    key: byId,
  },
  authorizations: {
    kind: "authorizations",
    table: "access_authorization",
    columns: "t.id, t.employment_id, t.area_id, t.valid_from, t.valid_until, t.schedule_id",
    fromRaw: (r) => ({
      id: r[0] as number,
      employmentId: r[1] as number,
      areaId: r[2] as number,
      validFrom: r[3] as number | null,
      validUntil: r[4] as number | null,
      scheduleId: r[5] as number | null,
    }),
    toRaw: (a) => [a.id, a.employmentId, a.areaId, a.validFrom, a.validUntil, a.scheduleId],
    key: byId,
  },
  schedules: {
    kind: "schedules",
    table: "schedule",
    columns: "t.id, t.name, t.windows, t.holiday_calendar_id, t.holiday_windows",
    fromRaw: (r) => ({
      id: r[0] as number,
      name: r[1] as string,
      windows: JSON.parse(r[2] as string) as ScheduleWindow[],
      holidayCalendarId: r[3] as number | null,
      holidayWindows: JSON.parse(r[4] as string) as ScheduleWindow[],
    }),
    toRaw: (s) => [s.id, s.name, json(s.windows), s.holidayCalendarId, json(s.holidayWindows)],
    key: byId,
  },
  holidayCalendars: {
    kind: "holidayCalendars",
    table: "holiday_calendar",
    columns: "t.id, t.name, t.dates",
    fromRaw: (r) => ({
      id: r[0] as number,
      name: r[1] as string,
      dates: JSON.parse(r[2] as string) as string[],
    }),
    toRaw: (c) => [c.id, c.name, json(c.dates)],
    key: byId,
  },
  certificates: {
    kind: "certificates",
    table: "certificate",
    columns: "t.id, t.person_id, t.type, t.valid_from, t.valid_until",
    fromRaw: (r) => ({
      id: r[0] as number,
      personId: r[1] as number,
      type: r[2] as string,
      validFrom: r[3] as number | null,
      validUntil: r[4] as number | null,
    }),
    toRaw: (c) => [c.id, c.personId, c.type, c.validFrom, c.validUntil],
    key: byId,
  },
  sitePolicy: {
    kind: "sitePolicy",
    table: "site",
    columns: "t.fingerprint_required, t.fingerprint_threshold",
    fromRaw: (r) => ({ fingerprintRequired: r[0] === 1, fingerprintThreshold: r[1] as number }),
    toRaw: (p) => [p.fingerprintRequired ? 1 : 0, p.fingerprintThreshold],
    key: () => 0,
  },
};
