import type Database from "better-sqlite3";
import type { AccessIndex } from "./access-index.js";
import {
  compileScheduleRows,
  doorPoliciesFrom,
  placeAuthorizations,
  type RawAuthorizations,
  readAreas,
  readCards,
  readCertificates,
  readEmployments,
  readEnrollments,
  readPersons,
  readRawAuthorizations,
  readScheduleRows,
  readSchedules,
} from "./table-readers.js";

export { type RawAuthorizations, readRawAuthorizations, readSchedules };

type Db = Database.Database;

/** The state version the store holds (read inside the caller's transaction). */
export function storedVersion(db: Db): number {
  const value = db.prepare("SELECT value FROM meta WHERE key = 'state_version'").pluck().get() as
    | string
    | undefined;
  return Number(value ?? 0);
}

/**
 * Builds the decision index from the store's tables (see store/schema), all read in one
 * transaction so the index is one whole state. `authorizations`, when given, were read by
 * another thread from the same state version (see build-index-parallel.ts).
 */
export function buildAccessIndex(db: Db): AccessIndex {
  return db.transaction(() => readTables(db).finish(readRawAuthorizations(db)))();
}

/**
 * Reads every table but the authorizations (inside the caller's transaction); `finish`
 * then places authorizations read from the same state version and returns the index.
 */
export function readTables(db: Db): {
  version: number;
  finish(raw: RawAuthorizations): AccessIndex;
} {
  const meta = new Map(
    (db.prepare("SELECT key, value FROM meta").all() as Array<{ key: string; value: string }>).map(
      (r) => [r.key, r.value],
    ),
  );
  const problems: string[] = [];
  const persons = readPersons(db);
  const areas = readAreas(db);
  const scheduleRows = readScheduleRows(db);
  const schedules = compileScheduleRows(scheduleRows, problems);
  const certs = readCertificates(db, persons.ids);
  const employments = readEmployments(db, persons.ids);
  const cards = readCards(db, persons.ids);
  const enrollments = readEnrollments(db);
  const policy = db
    .prepare("SELECT fingerprint_required, fingerprint_threshold FROM site_policy WHERE id = 1")
    .get() as { fingerprint_required: number; fingerprint_threshold: number } | undefined;
  const doorPolicies = doorPoliciesFrom(scheduleRows, schedules);
  const version = Number(meta.get("state_version") ?? 0);
  const finish = (raw: RawAuthorizations): AccessIndex => {
    const authorizations = placeAuthorizations(raw, employments.ids, areas.ids, schedules.ids);
    return {
      site: meta.get("site") ?? "",
      version,
      sitePolicy: {
        fingerprintRequired: (policy?.fingerprint_required ?? 0) === 1,
        fingerprintThreshold: policy?.fingerprint_threshold ?? 60,
      },
      doorPolicies,
      ...cards,
      personIds: persons.ids,
      personId: persons.id,
      personEmploymentStart: employments.personStart,
      personCertificateStart: certs.personStart,
      employmentId: employments.id,
      employmentStart: employments.start,
      employmentEnd: employments.end,
      employmentAuthorizationStart: authorizations.employmentStart,
      authorizationId: authorizations.id,
      authorizationArea: authorizations.area,
      authorizationFrom: authorizations.from,
      authorizationUntil: authorizations.until,
      authorizationSchedule: authorizations.schedule,
      certificateId: certs.id,
      certificateType: certs.type,
      certificateFrom: certs.from,
      certificateUntil: certs.until,
      certificateTypes: certs.types,
      areaIds: areas.ids,
      areas: areas.entries.map((a) => ({
        ...a,
        requiredCertificates: Int32Array.from(a.required, (t) => certs.typeCode(t)),
      })),
      schedules: schedules.compiled,
      scheduleRows,
      ...enrollments,
      problems,
    };
  };
  return { version, finish };
}

/** The same index with the fingerprint enrollments read again (an enrollment changes nothing else). */
export function rebuildEnrollments(index: AccessIndex, db: Db): AccessIndex {
  return { ...index, ...readEnrollments(db) };
}
