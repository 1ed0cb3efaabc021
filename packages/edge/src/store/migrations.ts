import type { Database } from "better-sqlite3";
import type { Logger } from "pino";
import { SchemaTooNewError } from "./errors.js";

/** One schema step. Never edit a released migration: add the next one. */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

/**
 * The store's schema history, in order. JSON columns hold the model's shapes:
 * `area.required_certificates` string[], `schedule.windows` / `holiday_windows`
 * ScheduleWindow[], `holiday_calendar.dates` string[]; `event_outbox.payload` an object.
 * Instants are epoch ms. `fingerprint_enrollment` and `event_outbox` are local data that a
 * full state never touches; every other table is central's (see docs/state-file.md).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE person (id INTEGER PRIMARY KEY, display_name TEXT NOT NULL);
CREATE TABLE card (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, format TEXT NOT NULL, facility INTEGER, number INTEGER,
  raw_bits TEXT, status TEXT NOT NULL, status_reason TEXT, activated_at INTEGER, valid_from INTEGER, valid_until INTEGER);
CREATE INDEX card_person ON card(person_id);
CREATE TABLE employment (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, company_id INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER);
CREATE INDEX employment_person ON employment(person_id);
CREATE TABLE area (id INTEGER PRIMARY KEY, name TEXT NOT NULL, required_certificates TEXT NOT NULL);
CREATE TABLE access_authorization (id INTEGER PRIMARY KEY, employment_id INTEGER NOT NULL, area_id INTEGER NOT NULL,
  valid_from INTEGER, valid_until INTEGER, schedule_id INTEGER);
CREATE INDEX access_authorization_employment ON access_authorization(employment_id);
CREATE TABLE schedule (id INTEGER PRIMARY KEY, name TEXT NOT NULL, windows TEXT NOT NULL, holiday_calendar_id INTEGER, holiday_windows TEXT NOT NULL);
CREATE TABLE holiday_calendar (id INTEGER PRIMARY KEY, name TEXT NOT NULL, dates TEXT NOT NULL);
CREATE TABLE certificate (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, type TEXT NOT NULL, valid_from INTEGER, valid_until INTEGER);
CREATE INDEX certificate_person ON certificate(person_id);
CREATE TABLE site_policy (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint_required INTEGER NOT NULL, fingerprint_threshold INTEGER NOT NULL);
CREATE TABLE door_policy (door_id TEXT PRIMARY KEY, mode TEXT NOT NULL, unlock_schedule_id INTEGER);
CREATE TABLE fingerprint_enrollment (person_id INTEGER NOT NULL, card_id INTEGER NOT NULL, enrolled_at INTEGER NOT NULL,
  sealed_template BLOB NOT NULL, PRIMARY KEY (person_id, card_id));
CREATE TABLE event_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, type TEXT NOT NULL, door_id TEXT, reader_id TEXT, payload TEXT NOT NULL);
`,
  },
  {
    // Sync client (src/sync): a full snapshot being received, kept across a restart, and
    // the ids of commands already seen (with their expiry), so a replay stays refused.
    version: 2,
    sql: `
CREATE TABLE snapshot_staging (id INTEGER PRIMARY KEY CHECK (id = 1), request_id TEXT NOT NULL, reason TEXT NOT NULL,
  have_version INTEGER NOT NULL, requested_at INTEGER NOT NULL, manifest_version INTEGER, manifest_sha256 BLOB,
  manifest_chunk_count INTEGER, manifest BLOB);
CREATE TABLE snapshot_staging_chunk (version INTEGER NOT NULL, sha256 BLOB NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (version, sha256, idx)) WITHOUT ROWID;
CREATE TABLE seen_command (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX seen_command_expiry ON seen_command(expires_at);
`,
  },
  {
    // Sync you can trust: outbox epochs (a random id each time the store is opened for
    // events; every event keeps its own, so a wiped, restored or replaced store never
    // reuses (epoch, seq) at central), and central's keys added or withdrawn by a signed
    // key rotation. Events recorded before this migration get one epoch of their own.
    version: 3,
    sql: `
CREATE TABLE outbox_epoch (id INTEGER PRIMARY KEY, epoch TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
INSERT INTO outbox_epoch (id, epoch, created_at) VALUES (0, lower(hex(randomblob(16))), CAST(unixepoch('subsec') * 1000 AS INTEGER));
ALTER TABLE event_outbox ADD COLUMN epoch_id INTEGER NOT NULL DEFAULT 0;
CREATE TABLE central_key (key_id TEXT PRIMARY KEY, public_key_pem TEXT, trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),
  changed_at INTEGER NOT NULL) WITHOUT ROWID;
`,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The schema versions recorded in the database, ascending. */
export function appliedVersions(db: Database): number[] {
  return db
    .prepare("SELECT version FROM schema_migrations ORDER BY version")
    .pluck()
    .all() as number[];
}

/**
 * Brings the database to SCHEMA_VERSION, each migration in its own transaction together
 * with its `schema_migrations` row. Refuses a database from a newer schema, untouched.
 */
export function migrate(
  db: Database,
  path: string,
  log: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const applied = new Set(appliedVersions(db));
  const newest = Math.max(0, ...applied);
  if (newest > known) throw new SchemaTooNewError(path, newest, known);
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, CAST(unixepoch('subsec') * 1000 AS INTEGER))",
  );
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version);
    }).immediate();
    log.info({ version: migration.version }, "store schema migrated");
  }
}
