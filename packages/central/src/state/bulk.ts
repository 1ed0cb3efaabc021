import type { Database, Statement } from "better-sqlite3";

/**
 * Rows per INSERT statement in bulk writes: crossing from JS into SQLite per statement is
 * what costs, not SQLite (the edge measured 1 row ~1.0 M rows/s, 64 rows ~2.1 M rows/s).
 * Kept under SQLite's 32,766 bound parameters for the widest table (11 columns).
 */
export const BULK_ROWS = 64;

/**
 * Inserts `count` rows into `table`, `fill` writing row `i`'s values (in `columns` order)
 * into `out` from `at` on. Runs inside the caller's transaction. `onError` may turn a
 * failed row (found by redoing a failed batch row by row) into an error naming it.
 */
export function bulkInsert(
  db: Database,
  table: string,
  columns: readonly string[],
  count: number,
  fill: (out: unknown[], at: number, i: number) => void,
  onError: (i: number, error: unknown) => unknown = (_i, error) => error,
  verb = "INSERT",
): void {
  const width = columns.length;
  const sql = (rows: number): string =>
    `${verb} INTO ${table} (${columns.join(", ")}) VALUES ${Array(rows)
      .fill(`(${columns.map(() => "?").join(", ")})`)
      .join(", ")}`;
  const single: Statement<unknown[]> = db.prepare(sql(1));
  const one = new Array<unknown>(width);
  const insertOne = (i: number): void => {
    try {
      fill(one, 0, i);
      single.run(one);
    } catch (error) {
      throw onError(i, error);
    }
  };
  let i = 0;
  if (count >= BULK_ROWS) {
    const batch: Statement<unknown[]> = db.prepare(sql(BULK_ROWS));
    const args = new Array<unknown>(BULK_ROWS * width);
    for (; i + BULK_ROWS <= count; i += BULK_ROWS) {
      try {
        for (let j = 0; j < BULK_ROWS; j++) fill(args, j * width, i + j);
        batch.run(args);
      } catch (error) {
        // The failed statement inserted nothing: redo its rows one by one to name the bad one.
        for (let j = i; j < i + BULK_ROWS; j++) insertOne(j);
        throw error;
      }
    }
  }
  for (; i < count; i++) insertOne(i);
}
