import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { CentralError, MIGRATIONS, openCentralStore, SCHEMA_VERSION } from "../src/index.js";
import { openTestStore, tempDbPath } from "./support/fixture.js";

describe("schema migrations", () => {
  it("a new store is at the newest schema version, recorded in meta", () => {
    const { store } = openTestStore();
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.at(-1)?.version);
    expect(
      store.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(),
    ).toBe(String(SCHEMA_VERSION));
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it("reopening a store keeps its data and migrates nothing again", () => {
    const path = tempDbPath();
    const { store, cmd } = openTestStore(path);
    cmd.createSite({ id: "ams-bsl", name: "Amsterdam" });
    store.close();
    const again = openTestStore(path);
    expect(again.store.site("ams-bsl")?.version).toBe(1);
  });

  it("refuses a store of newer code and leaves it untouched", () => {
    const path = tempDbPath();
    openTestStore(path).store.close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => openCentralStore(path)).toThrow(
      expect.objectContaining({ code: "SCHEMA_TOO_NEW" }),
    );
    expect(() => openCentralStore(path)).toThrow(CentralError);
    const check = new Database(path);
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(
      "99",
    );
    check.close();
  });
});
