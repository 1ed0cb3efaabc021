import fc from "fast-check";
import {
  type Area,
  type Authorization,
  CARD_STATUSES,
  type Card,
  type CentralStatus,
  type Certificate,
  COMMAND_OUTCOMES,
  type CommandAction,
  type CommandResult,
  DOOR_MODES,
  type DoorPolicy,
  type EdgeStatus,
  type Employment,
  type EventAck,
  type EventBatch,
  type EventRecord,
  type HolidayCalendar,
  type Person,
  type ReaderHealth,
  type Schedule,
  type ScheduleWindow,
  type SiteCommand,
  type SiteDelta,
  type SitePolicy,
  type SiteState,
  SNAPSHOT_REASONS,
  type SnapshotChunk,
  type SnapshotManifest,
  type SnapshotRequest,
} from "../src/index.js";

/** Generators of valid model values and messages, for the property tests. */

/** fc.record with plain objects (fast-check also makes null-prototype ones by default). */
const record: typeof fc.record = ((model: never, constraints?: object) =>
  fc.record(model, { ...constraints, noNullPrototype: true } as never)) as typeof fc.record;

const MAX = Number.MAX_SAFE_INTEGER;

export const id = fc.oneof(
  fc.integer({ min: 1, max: 2000 }),
  fc.integer({ min: 1, max: MAX }),
  fc.constantFrom(1, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, MAX),
);
export const count = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: MAX }));
export const instant = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
  fc.integer({ min: -MAX, max: MAX }),
  fc.constantFrom(0, -1, 1, MAX, -MAX, -(2 ** 32), 2 ** 53 - 2),
);
export const uint32 = fc.integer({ min: 0, max: 0xffffffff });
export const text = fc.string({ unit: "binary", maxLength: 40 });
export const nonEmpty = fc.string({ unit: "binary", minLength: 1, maxLength: 40 });
export const site = fc.stringMatching(/^[a-z0-9_-]{1,64}$/);
const clockFrom = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const clockUntil = fc.oneof(clockFrom, fc.constant("24:00"));
const localDate = fc
  .tuple(
    fc.integer({ min: 1970, max: 2100 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
  )
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);
const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.option(arb, { nil: null, freq: 3 });
const list = <T>(arb: fc.Arbitrary<T>, maxLength = 4): fc.Arbitrary<T[]> =>
  fc.array(arb, { maxLength });

export const card: fc.Arbitrary<Card> = record({
  id,
  personId: id,
  format: fc.oneof(fc.constantFrom("H10301", "C1000_35", "H10302", "raw"), nonEmpty),
  facility: nullable(count),
  number: nullable(count),
  rawBits: nullable(fc.stringMatching(/^[01]{1,128}$/)),
  status: fc.constantFrom(...CARD_STATUSES),
  statusReason: nullable(text),
  activatedAt: nullable(instant),
  validFrom: nullable(instant),
  validUntil: nullable(instant),
});

export const person: fc.Arbitrary<Person> = record({ id, displayName: nonEmpty });

export const employment: fc.Arbitrary<Employment> = record({
  id,
  personId: id,
  companyId: id,
  start: instant,
  end: nullable(instant),
});

export const area: fc.Arbitrary<Area> = record({
  id,
  name: nonEmpty,
  requiredCertificates: list(nonEmpty),
});

export const authorization: fc.Arbitrary<Authorization> = record({
  id,
  employmentId: id,
  areaId: id,
  validFrom: nullable(instant),
  validUntil: nullable(instant),
  scheduleId: nullable(id),
});

const scheduleWindow: fc.Arbitrary<ScheduleWindow> = record({
  days: fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 7 }),
  from: clockFrom,
  until: clockUntil,
});

export const schedule: fc.Arbitrary<Schedule> = record({
  id,
  name: nonEmpty,
  windows: list(scheduleWindow),
  holidayCalendarId: nullable(id),
  holidayWindows: list(scheduleWindow, 2),
});

export const holidayCalendar: fc.Arbitrary<HolidayCalendar> = record({
  id,
  name: nonEmpty,
  dates: list(localDate, 6),
});

export const certificate: fc.Arbitrary<Certificate> = record({
  id,
  personId: id,
  type: nonEmpty,
  validFrom: nullable(instant),
  validUntil: nullable(instant),
});

export const sitePolicy: fc.Arbitrary<SitePolicy> = record({
  fingerprintRequired: fc.boolean(),
  fingerprintThreshold: fc.integer({ min: 0, max: 100 }),
});

export const doorPolicy: fc.Arbitrary<DoorPolicy> = record({
  doorId: nonEmpty,
  mode: fc.constantFrom(...DOOR_MODES),
  unlockScheduleId: nullable(id),
});

export const siteState: fc.Arbitrary<SiteState> = record({
  site,
  version: count,
  sitePolicy,
  doorPolicies: list(doorPolicy),
  persons: list(person),
  cards: list(card),
  employments: list(employment),
  areas: list(area),
  authorizations: list(authorization),
  schedules: list(schedule),
  holidayCalendars: list(holidayCalendar),
  certificates: list(certificate),
});

/** Deltas as central builds them: any kind may be absent or empty. */
export const siteDelta: fc.Arbitrary<SiteDelta> = record(
  {
    site,
    version: id,
    partial: fc.boolean(),
    sitePolicy,
    upsert: record(
      {
        doorPolicies: list(doorPolicy),
        persons: list(person),
        cards: list(card),
        employments: list(employment),
        areas: list(area),
        authorizations: list(authorization),
        schedules: list(schedule),
        holidayCalendars: list(holidayCalendar),
        certificates: list(certificate),
      },
      { requiredKeys: [] },
    ),
    delete: record(
      {
        doorPolicies: list(nonEmpty),
        persons: list(id),
        cards: list(id),
        employments: list(id),
        areas: list(id),
        authorizations: list(id),
        schedules: list(id),
        holidayCalendars: list(id),
        certificates: list(id),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["site", "version", "upsert", "delete"] },
);

/** A delta as decodeDelta returns it: only non-empty kinds, partial only when true. */
export function canonicalDelta(delta: SiteDelta): SiteDelta {
  const keep = <T extends object>(lists: T): T =>
    Object.fromEntries(
      Object.entries(lists).filter(([, v]) => Array.isArray(v) && v.length > 0),
    ) as T;
  return {
    site: delta.site,
    version: delta.version,
    ...(delta.partial === true ? { partial: true } : {}),
    ...(delta.sitePolicy !== undefined ? { sitePolicy: delta.sitePolicy } : {}),
    upsert: keep(delta.upsert),
    delete: keep(delta.delete),
  };
}

export const manifest: fc.Arbitrary<SnapshotManifest> = fc
  .record({
    site,
    version: count,
    requestId: nonEmpty,
    chunkCount: fc.integer({ min: 1, max: 5000 }),
    extraBytes: fc.integer({ min: 0, max: 400_000_000 }),
    sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    counts: fc.dictionary(nonEmpty, count, { maxKeys: 9, noNullPrototype: true }),
    createdAt: instant,
  })
  .map(({ extraBytes, ...m }) => ({ ...m, totalBytes: m.chunkCount + extraBytes }));

export const chunk: fc.Arbitrary<SnapshotChunk> = record({
  site,
  version: count,
  requestId: nonEmpty,
  index: uint32,
  data: fc.uint8Array({ maxLength: 300 }),
});

export const snapshotRequest: fc.Arbitrary<SnapshotRequest> = record({
  site,
  requestId: nonEmpty,
  haveVersion: count,
  reason: fc.constantFrom(...SNAPSHOT_REASONS),
});

const eventRecord: fc.Arbitrary<EventRecord> = record({
  seq: id,
  at: instant,
  type: nonEmpty,
  doorId: nullable(nonEmpty),
  readerId: nullable(nonEmpty),
  payloadJson: fc.oneof(fc.json(), text),
});

const epoch = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

export const eventBatch: fc.Arbitrary<EventBatch> = record({
  site,
  batchId: count,
  epoch,
  events: list(eventRecord, 8),
});

export const eventAck: fc.Arbitrary<EventAck> = record({
  site,
  batchId: count,
  epoch,
  ranges: list(
    fc
      .tuple(id, fc.integer({ min: 0, max: 1000 }))
      .map(([from, n]): readonly [number, number] => [from, Math.min(MAX, from + n)]),
  ),
});

const readerHealth: fc.Arbitrary<ReaderHealth> = record(
  { bus: nonEmpty, address: fc.integer({ min: 0, max: 126 }), state: nonEmpty },
  { requiredKeys: ["bus", "state"] },
);

export const edgeStatus: fc.Arbitrary<EdgeStatus> = record({
  site,
  online: fc.boolean(),
  stateVersion: count,
  outboxDepth: count,
  outboxAlarm: fc.boolean(),
  readers: list(readerHealth),
  at: instant,
  session: text,
  edgeKeyId: text,
  centralKeyIds: list(nonEmpty, 4),
  storeUnwritable: fc.boolean(),
  eventsQueued: count,
  eventsDropped: count,
  outboxEpoch: text,
  syncHealthy: fc.boolean(),
});

export const centralStatus: fc.Arbitrary<CentralStatus> = record({
  online: fc.boolean(),
  at: instant,
  session: text,
});

const commandAction: fc.Arbitrary<CommandAction> = fc.oneof(
  record({
    kind: fc.constant("remote-open" as const),
    doorId: nonEmpty,
    reason: text,
    operator: text,
  }),
  record({ kind: fc.constant("lockdown" as const), on: fc.boolean(), reason: text }),
  record({
    kind: fc.constant("door-mode" as const),
    doorId: nonEmpty,
    mode: fc.constantFrom(...DOOR_MODES),
  }),
  record({
    kind: fc.constant("trust-central-key" as const),
    keyId: fc.stringMatching(/^[\x21-\x7e]{1,128}$/),
    publicKeyPem: nonEmpty,
  }),
  record({
    kind: fc.constant("untrust-central-key" as const),
    keyId: fc.stringMatching(/^[\x21-\x7e]{1,128}$/),
  }),
);

export const siteCommand: fc.Arbitrary<SiteCommand> = record({
  id: nonEmpty,
  site,
  issuedAt: instant,
  expiresAt: instant,
  action: commandAction,
});

export const commandResult: fc.Arbitrary<CommandResult> = record({
  id: nonEmpty,
  site,
  outcome: fc.constantFrom(...COMMAND_OUTCOMES),
  reason: nullable(text),
  at: instant,
});
