import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import {
  MIGRATIONS,
  openStore,
  SCHEMA_VERSION,
  SchemaTooNewError,
  StoreError,
} from "../../src/store/index.js";
import { migrate } from "../../src/store/migrations.js";
import { open, tempDbPath } from "./fixtures.js";

/** The schema of the brief, table by table: what the index builder's SQL relies on. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  meta: ["key", "value"],
  person: ["id", "display_name"],
  card: [
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
  employment: ["id", "person_id", "company_id", "start", "end"],
  area: ["id", "name", "required_certificates"],
  access_authorization: [
    "id",
    "employment_id",
    "area_id",
    "valid_from",
    "valid_until",
    "schedule_id",
  ],
  schedule: ["id", "name", "windows", "holiday_calendar_id", "holiday_windows"],
  holiday_calendar: ["id", "name", "dates"],
  certificate: ["id", "person_id", "type", "valid_from", "valid_until"],
  site_policy: ["id", "fingerprint_required", "fingerprint_threshold"],
  door_policy: ["door_id", "mode", "unlock_schedule_id"],
  fingerprint_enrollment: ["person_id", "card_id", "enrolled_at", "sealed_template"],
  event_outbox: ["seq", "at", "type", "door_id", "reader_id", "payload", "epoch_id"],
  schema_migrations: ["version", "applied_at"],
  // Migration 2: a snapshot being received survives a restart; commands seen are remembered.
  snapshot_staging: [
    "id",
    "request_id",
    "reason",
    "have_version",
    "requested_at",
    "manifest_version",
    "manifest_sha256",
    "manifest_chunk_count",
    "manifest",
  ],
  snapshot_staging_chunk: ["version", "sha256", "idx", "data"],
  seen_command: ["id", "expires_at", "seen_at"],
  // Migration 3: outbox epochs; central's keys added or withdrawn by a key rotation.
  outbox_epoch: ["id", "epoch", "created_at"],
  central_key: ["key_id", "public_key_pem", "trusted", "changed_at"],
};

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
}

describe("store migrations", () => {
  it("creates the schema in an empty file", () => {
    const store = open(tempDbPath());
    const tables = store.db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    expect(tables.sort()).toEqual(Object.keys(EXPECTED_COLUMNS).sort());
    for (const [table, cols] of Object.entries(EXPECTED_COLUMNS)) {
      expect(columns(store.db, table), table).toEqual(cols);
    }
    const indexes = store.db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")
      .pluck()
      .all() as string[];
    expect(indexes.sort()).toEqual([
      "access_authorization_employment",
      "card_person",
      "certificate_person",
      "employment_person",
      "seen_command_expiry",
    ]);
    expect(store.db.prepare("SELECT version FROM schema_migrations").pluck().all()).toEqual([
      1, 2, 3,
    ]);
    expect(store.stateVersion()).toBeNull();
    expect(store.site()).toBeNull();
    expect(store.state.sitePolicy()).toBeUndefined();
  });

  it("sets WAL, synchronous NORMAL and foreign keys off", () => {
    const store = open(tempDbPath());
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("synchronous", { simple: true })).toBe(1);
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(0);
  });

  it("re-opens without migrating again, keeping the data", () => {
    const path = tempDbPath();
    const logs: Array<Record<string, unknown>> = [];
    const log = pino({ level: "info" }, { write: (l: string) => logs.push(JSON.parse(l)) });
    const first = openStore(path, { log });
    first.appendEvent({ at: 1, type: "test", payload: {} });
    first.close();
    // One line per migration on a new file, none on the second open.
    expect(logs.filter((l) => l.msg === "store schema migrated")).toHaveLength(MIGRATIONS.length);
    const second = openStore(path, { log });
    expect(logs.filter((l) => l.msg === "store schema migrated")).toHaveLength(MIGRATIONS.length);
    expect(second.outboxDepth()).toBe(1);
    second.close();
  });

  it("gives the events of a store older than epochs an epoch of their own (migration 3)", () => {
    const path = tempDbPath();
    const db = new Database(path);
    migrate(db, path, pino({ level: "silent" }), MIGRATIONS.slice(0, 2));
    db.prepare("INSERT INTO event_outbox (at, type, payload) VALUES (1, 'old', '{}')").run();
    db.close();
    const store = openStore(path);
    const [old] = store.events();
    store.appendEvent({ at: 2, type: "new", payload: {} });
    const [, fresh] = store.events();
    expect(old?.epoch).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.epoch).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fresh?.epoch).not.toBe(old?.epoch);
    store.close();
  });

  it("applies only the migrations a database lacks, in version order", () => {
    const db = new Database(":memory:");
    const log = pino({ level: "silent" });
    migrate(db, "mem", log, [{ version: 1, sql: "CREATE TABLE a (x)" }]);
    migrate(db, "mem", log, [
      { version: 2, sql: "ALTER TABLE a ADD COLUMN y" },
      { version: 1, sql: "CREATE TABLE a (x)" },
    ]);
    expect(db.prepare("SELECT version FROM schema_migrations").pluck().all()).toEqual([1, 2]);
    expect(columns(db, "a")).toEqual(["x", "y"]);
    db.close();
  });

  it("keeps versions unique and ascending", () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(SCHEMA_VERSION).toBe(versions.at(-1));
  });

  it("refuses a database from a newer schema, leaving it untouched", () => {
    const path = tempDbPath();
    const store = openStore(path);
    store.db
      .prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)")
      .run(SCHEMA_VERSION + 1);
    store.close();
    const before = readFileSync(path);
    let error: unknown;
    try {
      openStore(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({
      code: "SCHEMA_TOO_NEW",
      databaseVersion: SCHEMA_VERSION + 1,
      knownVersion: SCHEMA_VERSION,
    });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
