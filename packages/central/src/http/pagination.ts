import { z } from "zod";
import { validationProblem } from "./problem.js";

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** `?limit=&cursor=`: the query of every paginated list (strict: other parameters refused). */
export const PageQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^\d+$/, "limit must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_LIMIT))
    .optional()
    .describe(`Items per page, 1..${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`),
  cursor: z
    .string()
    .max(1024)
    .regex(/^[A-Za-z0-9_-]+$/, "cursor must be a cursor from a previous page")
    .optional()
    .describe("nextCursor of the previous page; opaque"),
});
export type PageQuery = z.output<typeof PageQuerySchema>;

/** `{ items, nextCursor }`: a page of `item`; nextCursor null on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next page; null: done"),
  });
}

/** The sort key a cursor stands for: the last item's key (strings and numbers). */
export type CursorKey = readonly (string | number)[];

/** An opaque cursor: base64url of the JSON of the last item's sort key. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify({ k: key }), "utf8").toString("base64url");
}

/** The key of a cursor; a 400 problem (path /cursor) for one this API did not make. */
export function decodeCursor(cursor: string): CursorKey {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    const k = (value as { k?: unknown } | null)?.k;
    if (
      Array.isArray(k) &&
      k.length > 0 &&
      k.every((p) => typeof p === "string" || typeof p === "number")
    ) {
      return k as CursorKey;
    }
  } catch {
    // Falls through to the problem below.
  }
  throw validationProblem(
    [{ path: "/cursor", in: "querystring", message: "not a cursor of this list" }],
    "invalid cursor",
  );
}

/** Compares two sort keys element by element (numbers numerically, strings by code unit). */
export function compareKeys(a: CursorKey, b: CursorKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/**
 * One page of `all`, which must be sorted by `keyOf` ascending with unique keys (a stable
 * sort key, e.g. the primary key): the items after the cursor, at most `limit`.
 * For large tables, query `WHERE key > ? ORDER BY key LIMIT limit + 1` and use `pageOf`.
 */
export function paginate<T>(
  all: readonly T[],
  keyOf: (item: T) => CursorKey,
  query: PageQuery,
): { items: T[]; nextCursor: string | null } {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rest = after === undefined ? all : all.filter((i) => compareKeys(keyOf(i), after) > 0);
  return pageOf(rest.slice(0, (query.limit ?? DEFAULT_PAGE_LIMIT) + 1), keyOf, query.limit);
}

/** A page from up to `limit + 1` rows fetched after the cursor (the extra row: more follow). */
export function pageOf<T>(
  rows: readonly T[],
  keyOf: (item: T) => CursorKey,
  limit = DEFAULT_PAGE_LIMIT,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
