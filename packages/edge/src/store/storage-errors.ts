import Database from "better-sqlite3";

/**
 * Result codes that say something about the record being written rather than about the
 * store: writing the same record again can never work, so it must not hold up the others.
 */
const RECORD_FAULTS = [
  /^SQLITE_CONSTRAINT/,
  /^SQLITE_MISMATCH$/,
  /^SQLITE_TOOBIG$/,
  /^SQLITE_RANGE$/,
];

/**
 * The code under which a failed write is "the store cannot take writes now" (disk full,
 * I/O error, read-only file, busy, closed): the same write may work later, so what was
 * being written is kept and tried again. Undefined when the record itself is at fault (a
 * payload JSON cannot express, a constraint): trying again would fail forever.
 *
 * Anything SQLite says that is not about the record counts as the store's fault: keeping
 * an event a little longer is always safer than dropping it.
 */
export function storeFaultCode(error: unknown): string | undefined {
  if (error instanceof Database.SqliteError) {
    return RECORD_FAULTS.some((fault) => fault.test(error.code)) ? undefined : error.code;
  }
  // better-sqlite3's own words for a statement on a closed connection.
  if (error instanceof TypeError && /database connection is not open/i.test(error.message))
    return "STORE_CLOSED";
  return undefined;
}

/** Busy and locked: each try may wait for SQLite's busy timeout, so they are not tried often. */
export function isBusyCode(code: string): boolean {
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}
