import { readFileSync } from "node:fs";
import type Database from "better-sqlite3";
import type { Logger } from "pino";

/** SQLite's own largest page count (its default max_page_count). */
const NO_LIMIT = 4_294_967_294;

/**
 * A full disk for tests that cannot mount a small filesystem (not root): while the file
 * says "full", the store may not grow past the pages it has (PRAGMA max_page_count), so a
 * write that needs a new page fails with SQLITE_FULL as on a full disk; anything else in
 * the file (or none) lifts the limit. Read on accessd's reload timer. Never set in the
 * field (store.pageLimitFile).
 */
export class PageLimitFault {
  private readonly file: string;
  private readonly log: Logger;
  private limited = false;

  constructor(file: string, log: Logger) {
    this.file = file;
    this.log = log;
  }

  apply(db: Database.Database): void {
    let full = false;
    try {
      full = readFileSync(this.file, "utf8").trim() === "full";
    } catch {
      // no file: no limit
    }
    if (full === this.limited) return;
    this.limited = full;
    const pages = full ? (db.pragma("page_count", { simple: true }) as number) : NO_LIMIT;
    db.pragma(`max_page_count = ${pages}`);
    this.log.warn({ full, pages }, "store page limit (a test's full disk) changed");
  }
}
