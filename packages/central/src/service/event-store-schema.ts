import type Database from "better-sqlite3";

/**
 * The event store's schema, versioned by `PRAGMA user_version` (the file is central's own,
 * apart from the state store). Version 1 keyed events by (site, seq); version 2 keys them
 * by (site, epoch, seq), so a wiped, restored or replaced edge store is never mistaken for
 * an old one, and adds the quarantine and the security log. Rows of version 1 keep the
 * epoch '' (before epochs).
 */
export const EVENT_STORE_VERSION = 2;

const V2 = `
CREATE TABLE access_event (
  site TEXT NOT NULL,
  epoch TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  door_id TEXT,
  reader_id TEXT,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (site, epoch, seq)
) WITHOUT ROWID;
CREATE INDEX access_event_at ON access_event (site, at);
CREATE INDEX access_event_received ON access_event (received_at, site, epoch, seq);
CREATE INDEX access_event_card_door ON access_event
  (site, door_id, json_extract(payload, '$.cardId'), at) WHERE type = 'access-decision';
CREATE INDEX access_event_person ON access_event
  (site, json_extract(payload, '$.personId'), at) WHERE type = 'access-decision';
-- Events of a correctly signed batch that are no access events (bad JSON, bad type, an
-- instant out of range): kept as received, flagged with the problem, acknowledged.
CREATE TABLE quarantined_event (
  site TEXT NOT NULL,
  epoch TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  door_id TEXT,
  reader_id TEXT,
  payload TEXT NOT NULL,
  problem TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (site, epoch, seq)
) WITHOUT ROWID;
-- Messages central refused (unsigned, badly signed, another site's key ...), rate-limited.
CREATE TABLE security_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  site TEXT,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  key_id TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX security_event_at ON security_event (at);
`;

/** Brings the file to EVENT_STORE_VERSION, in one transaction. */
export function migrateEventStore(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > EVENT_STORE_VERSION)
    throw new Error(`event store of schema ${version}; this central knows ${EVENT_STORE_VERSION}`);
  if (version === EVENT_STORE_VERSION) return;
  db.transaction(() => {
    const v1 = db
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'access_event'")
      .get();
    if (v1) {
      db.exec("ALTER TABLE access_event RENAME TO access_event_v1");
      for (const index of [
        "access_event_at",
        "access_event_received",
        "access_event_card_door",
        "access_event_person",
      ])
        db.exec(`DROP INDEX IF EXISTS ${index}`);
    }
    db.exec(V2);
    if (v1) {
      db.exec(`INSERT INTO access_event (site, epoch, seq, at, type, door_id, reader_id, payload, received_at)
               SELECT site, '', seq, at, type, door_id, reader_id, payload, received_at FROM access_event_v1`);
      db.exec("DROP TABLE access_event_v1");
    }
    db.pragma(`user_version = ${EVENT_STORE_VERSION}`);
  })();
}
