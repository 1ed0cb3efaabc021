import type { Database } from "better-sqlite3";
import { CentralError } from "../errors.js";
import { WORKFLOW_MIGRATION } from "../iam/workflow-migration.js";

/** One schema step. Never edit a released migration: add the next one. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Central's schema history, in order. Instants are epoch ms (UTC), ids come from
 * AUTOINCREMENT (never reused), JSON columns hold the model's shapes:
 * `area.required_certificates` string[], `schedule.windows` / `holiday_windows`
 * ScheduleWindow[], `holiday_calendar.dates` string[], `delta_outbox.delta` a SiteDelta.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "state in force, published membership per site, delta outbox",
    sql: `
CREATE TABLE site (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL,
  fingerprint_required INTEGER NOT NULL CHECK (fingerprint_required IN (0, 1)),
  fingerprint_threshold INTEGER NOT NULL CHECK (fingerprint_threshold BETWEEN 0 AND 100),
  -- The version of the last state announced to the site (delta or snapshot); 0: none yet.
  version INTEGER NOT NULL DEFAULT 0,
  -- 1: the state changed without deltas (bulk load); the next thing the site gets is a snapshot.
  needs_snapshot INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE company (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL
) STRICT;

CREATE TABLE person (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  display_name TEXT NOT NULL
) STRICT;

CREATE TABLE employment (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  person_id INTEGER NOT NULL REFERENCES person(id),
  company_id INTEGER NOT NULL REFERENCES company(id),
  start_at INTEGER NOT NULL,
  end_at INTEGER,
  CHECK (end_at IS NULL OR end_at >= start_at)
) STRICT;
-- The same person-company pair never gets two employments.
CREATE UNIQUE INDEX employment_person_company ON employment(person_id, company_id);

CREATE TABLE card (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  person_id INTEGER NOT NULL REFERENCES person(id),
  format TEXT NOT NULL,
  facility INTEGER,
  number INTEGER,
  raw_bits TEXT,
  status TEXT NOT NULL,
  status_reason TEXT,
  activated_at INTEGER,
  valid_from INTEGER,
  valid_until INTEGER,
  CHECK (number IS NOT NULL OR raw_bits IS NOT NULL)
) STRICT;
CREATE INDEX card_person ON card(person_id);
-- One card per credential: a reader's bits must name one card.
CREATE UNIQUE INDEX card_credential ON card(format, ifnull(facility, -1), number) WHERE number IS NOT NULL;
CREATE UNIQUE INDEX card_raw_bits ON card(raw_bits) WHERE raw_bits IS NOT NULL;

CREATE TABLE holiday_calendar (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL REFERENCES site(id),
  name TEXT NOT NULL,
  dates TEXT NOT NULL
) STRICT;
CREATE INDEX holiday_calendar_site ON holiday_calendar(site_id);

CREATE TABLE schedule (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL REFERENCES site(id),
  name TEXT NOT NULL,
  windows TEXT NOT NULL,
  holiday_calendar_id INTEGER REFERENCES holiday_calendar(id),
  holiday_windows TEXT NOT NULL
) STRICT;
CREATE INDEX schedule_site ON schedule(site_id);

CREATE TABLE area (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL REFERENCES site(id),
  name TEXT NOT NULL,
  required_certificates TEXT NOT NULL
) STRICT;
CREATE INDEX area_site ON area(site_id);

CREATE TABLE access_authorization (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  employment_id INTEGER NOT NULL REFERENCES employment(id),
  area_id INTEGER NOT NULL REFERENCES area(id),
  valid_from INTEGER,
  valid_until INTEGER,
  schedule_id INTEGER REFERENCES schedule(id),
  created_at INTEGER NOT NULL,
  -- Revoked authorizations are kept (who had access when) but travel nowhere.
  revoked_at INTEGER,
  CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from)
) STRICT;
CREATE INDEX access_authorization_employment ON access_authorization(employment_id);
-- Covering: a site's authorizations are read from this index alone, in id order per area
-- (the snapshot compiler reads millions of them; through the table it costs ~3x).
CREATE INDEX access_authorization_area ON access_authorization(
  area_id, revoked_at, id, employment_id, valid_from, valid_until, schedule_id);

CREATE TABLE certificate (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  person_id INTEGER NOT NULL REFERENCES person(id),
  type TEXT NOT NULL,
  valid_from INTEGER,
  valid_until INTEGER,
  CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from)
) STRICT;
CREATE INDEX certificate_person ON certificate(person_id);

-- A door's policy has a surrogate id so that site_record keys every kind by integer.
CREATE TABLE door_policy (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL REFERENCES site(id),
  door_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  unlock_schedule_id INTEGER REFERENCES schedule(id)
) STRICT;
CREATE UNIQUE INDEX door_policy_site_door ON door_policy(site_id, door_id);

-- What each site's edge was last sent: one row per record of its state, with the record's
-- hash (src/compiler/hash.ts). kind is a code from record_kind (an integer: this table holds
-- millions of rows for a large site); id the record's id (door policy: door_policy.id; site
-- policy: 0).
CREATE TABLE record_kind (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;
INSERT INTO record_kind (code, name) VALUES
  (0, 'sitePolicy'), (1, 'doorPolicies'), (2, 'persons'), (3, 'cards'), (4, 'employments'),
  (5, 'areas'), (6, 'authorizations'), (7, 'schedules'), (8, 'holidayCalendars'),
  (9, 'certificates');
CREATE TABLE site_record (
  site TEXT NOT NULL,
  kind INTEGER NOT NULL,
  id INTEGER NOT NULL,
  hash INTEGER NOT NULL,
  PRIMARY KEY (site, kind, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX site_record_record ON site_record(kind, id);

-- Site deltas committed with their command, sent after commit (and again after a crash).
CREATE TABLE delta_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  site TEXT NOT NULL,
  version INTEGER NOT NULL,
  delta TEXT NOT NULL,
  upserts INTEGER NOT NULL,
  deletes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  published_at INTEGER,
  UNIQUE (site, version)
) STRICT;
CREATE INDEX delta_outbox_pending ON delta_outbox(seq) WHERE published_at IS NULL;
`,
  },
  {
    version: 2,
    description: "IAM: companies (wholesale partners), contact persons, append-only audit",
    sql: `
-- Registrations wait for a manager: status pending -> approved | rejected, decided once.
CREATE TABLE iam_company (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_name TEXT NOT NULL,
  kvk_name TEXT NOT NULL,
  kvk_number TEXT NOT NULL CHECK (length(kvk_number) = 8),
  street TEXT NOT NULL,
  house_number TEXT NOT NULL,
  house_number_addition TEXT,
  address_line2 TEXT,
  postcode TEXT NOT NULL,
  city TEXT NOT NULL,
  country TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  decision_comment TEXT
) STRICT;
-- One live registration per KvK number; a rejected one may be registered again.
CREATE UNIQUE INDEX iam_company_kvk ON iam_company(kvk_number) WHERE status <> 'rejected';

CREATE TABLE iam_contact_person (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES iam_company(id),
  initials TEXT NOT NULL,
  surname_prefix TEXT,
  surname TEXT NOT NULL,
  mobile TEXT NOT NULL,
  email TEXT NOT NULL,
  street TEXT NOT NULL,
  house_number TEXT NOT NULL,
  house_number_addition TEXT,
  address_line2 TEXT,
  postcode TEXT NOT NULL,
  city TEXT NOT NULL,
  country TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  id_type TEXT NOT NULL CHECK (id_type IN ('passport', 'id-card', 'driving-licence')),
  id_number TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  decision_comment TEXT
) STRICT;
CREATE INDEX iam_contact_person_company ON iam_contact_person(company_id);

-- Append-only: before/after are JSON, masked (no full ID numbers, no birth dates).
CREATE TABLE iam_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor_account_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT
) STRICT;
CREATE INDEX iam_audit_entity ON iam_audit(entity, entity_id, id);
CREATE TRIGGER iam_audit_no_update BEFORE UPDATE ON iam_audit
BEGIN SELECT RAISE(ABORT, 'iam_audit is append-only'); END;
CREATE TRIGGER iam_audit_no_delete BEFORE DELETE ON iam_audit
BEGIN SELECT RAISE(ABORT, 'iam_audit is append-only'); END;
`,
  },
  {
    version: 3,
    description:
      "IAM: accounts, login challenges, password resets, sessions, API tokens, notification outbox",
    sql: `
-- Passwords are argon2id (PHC string); every code and token is stored hashed, never in clear.
CREATE TABLE iam_account (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  mobile TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  company_id INTEGER REFERENCES iam_company(id),
  password_hash TEXT,
  password_changed_at INTEGER,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

-- Step two of a login: a 6-digit code sent by SMS, argon2id-hashed, a few attempts.
CREATE TABLE iam_login_challenge (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES iam_account(id),
  code_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts_left INTEGER NOT NULL,
  used_at INTEGER
) STRICT;
CREATE INDEX iam_login_challenge_account ON iam_login_challenge(account_id);

-- Single-use password (re)set tokens, SHA-256 at rest.
CREATE TABLE iam_password_reset (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES iam_account(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invitation')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT;
CREATE INDEX iam_password_reset_account ON iam_password_reset(account_id);

CREATE TABLE iam_session (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES iam_account(id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at INTEGER
) STRICT;
CREATE INDEX iam_session_account ON iam_session(account_id);

CREATE TABLE iam_api_token (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES iam_account(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX iam_api_token_account ON iam_api_token(account_id);

-- Notifications committed with their change, sent after commit; secret parameters are
-- masked once sent.
CREATE TABLE iam_notification_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  recipient TEXT NOT NULL,
  template TEXT NOT NULL,
  parameters TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
) STRICT;
CREATE INDEX iam_notification_outbox_unsent ON iam_notification_outbox(id) WHERE sent_at IS NULL;
`,
  },
  WORKFLOW_MIGRATION,
  {
    version: 5,
    description: "Sync trust: each edge's own signing keys, registered for its site",
    sql: `
-- An edge's Ed25519 public keys. Central accepts what an edge sends only signed by an
-- active key of that edge's site. A key registered while another is active overlaps it:
-- both are accepted until the new one is first used (the edge has switched), then the
-- older ones retire once retire_at passes.
CREATE TABLE edge_key (
  key_id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES site(id),
  public_key_pem TEXT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  registered_at INTEGER NOT NULL,
  registered_by TEXT NOT NULL,
  first_used_at INTEGER,
  retire_at INTEGER,
  retired_at INTEGER,
  retired_reason TEXT
) STRICT;
CREATE INDEX edge_key_site ON edge_key(site_id);
`,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The schema version recorded in the database's meta table; 0 for a new database. */
export function schemaVersion(db: Database): number {
  const hasMeta = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
    .get();
  if (hasMeta === undefined) return 0;
  const value = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get() as
    | string
    | undefined;
  return value === undefined ? 0 : Number(value);
}

/**
 * Brings the database to the newest schema: each migration in its own transaction with its
 * `meta.schema_version`. Refuses (untouched) a database written by newer code.
 */
export function migrate(
  db: Database,
  path: string,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT");
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const setMeta = db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  );
  const applied: number[] = [];
  db.transaction(() => {
    const current = schemaVersion(db);
    if (current > known) {
      throw new CentralError(
        "SCHEMA_TOO_NEW",
        null,
        `${path} has schema version ${current}; this code knows up to ${known}`,
      );
    }
  }).immediate();
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    db.transaction(() => {
      // Read again inside the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      setMeta.run("schema_version", String(migration.version));
      setMeta.run(`migrated_${migration.version}_at`, String(now()));
      applied.push(migration.version);
    }).immediate();
  }
  return applied;
}
