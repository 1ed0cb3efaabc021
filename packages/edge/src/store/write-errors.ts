import Database from "better-sqlite3";
import { InvalidStateError } from "./errors.js";

/**
 * Turns an error from binding or writing one record into an InvalidStateError naming the
 * record (`cards[12]`) when the record itself is at fault: a constraint (duplicate id,
 * missing required field), a value of the wrong type. Anything else (disk full, I/O) is
 * returned as it is.
 */
export function recordError(path: string, error: unknown): unknown {
  const isDataError =
    (error instanceof Database.SqliteError &&
      (error.code.startsWith("SQLITE_CONSTRAINT") || error.code === "SQLITE_MISMATCH")) ||
    error instanceof TypeError ||
    error instanceof RangeError;
  if (!isDataError) return error;
  return new InvalidStateError(path, (error as Error).message, { cause: error });
}

/** Refuses a version that is not a positive safe integer. */
export function checkVersion(version: unknown, what: string): void {
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1) {
    throw new InvalidStateError(
      "version",
      `${what} version must be an integer >= 1, got ${String(version)}`,
    );
  }
}
