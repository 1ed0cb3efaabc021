import type { Database, Statement } from "better-sqlite3";
import type { PublishedKind } from "../state/records.js";
import {
  AUTHORIZATIONS_OF_AREA,
  CARDS_BY_SCAN,
  CARDS_OF_PERSONS,
  CERTIFICATES_BY_SCAN,
  CERTIFICATES_OF_PERSONS,
  CLEAR_SETS,
  EMPLOYMENTS_OF_SITE,
  FILL_EMPLOYMENTS,
  FILL_PERSONS,
  PERSONS_OF_SITE,
  SITE_SCOPED,
  TEMP_TABLES,
} from "./queries.js";

/**
 * Receives a site's records, kind by kind, chunk by chunk: `rows` parsed (the model's
 * columns in SPECS order), or only `json` (the same rows as a JSON array) when the reader
 * did not need to parse them (see SiteReadOptions.parseAll).
 */
export type SiteSink = (kind: PublishedKind, rows: unknown[][] | null, json: string) => void;

export interface SiteReadOptions {
  /** Parse every chunk (true), or only those whose ids the reader needs itself. */
  readonly parseAll: boolean;
}

/** Ids per JSON array when filling a temp set. */
const FILL_BATCH = 100_000;
/** Persons per chunk when cards and certificates are read through the person index. */
const PERSONS_PER_CHUNK = 5_000;

/**
 * Reads every record of `site`'s state into `sink`, set-based: the site-owned kinds; the
 * unrevoked authorizations of its areas from a covering index; their employments and those
 * employments' persons through temp sets; the cards and certificates of those persons by a
 * scan of all (probing the person set) or by the person index, whichever reads less.
 * Large kinds come in chunks that SQLite renders as one JSON array each (far cheaper than
 * fetching rows one by one). Run it inside a transaction, so that all kinds come from one
 * snapshot of the data. `prepare` may cache statements.
 */
export function readSite(
  db: Database,
  prepare: (sql: string) => Statement<unknown[]>,
  site: string,
  sink: SiteSink,
  options: SiteReadOptions = { parseAll: true },
): void {
  db.exec(TEMP_TABLES);
  for (const sql of CLEAR_SETS) prepare(sql).run();
  const chunks = (
    kind: PublishedKind,
    sql: string,
    params: readonly unknown[],
    onRows?: (rows: unknown[][]) => void,
  ): void => {
    const statement = prepare(sql).raw(true);
    let last: unknown = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const [json, key] = statement.get(...params, last) as [string, number | null];
      if (key === null) return;
      const rows =
        options.parseAll || onRows !== undefined ? (JSON.parse(json) as unknown[][]) : null;
      if (rows !== null) onRows?.(rows);
      sink(kind, rows, json);
      last = key;
    }
  };
  const fill = (sql: string, ids: Float64Array): void => {
    const statement = prepare(sql);
    for (let i = 0; i < ids.length; i += FILL_BATCH) {
      statement.run(JSON.stringify(Array.from(ids.subarray(i, i + FILL_BATCH))));
    }
  };
  try {
    let areaIds: number[] = [];
    for (const { kind, sql } of SITE_SCOPED) {
      const rows = prepare(sql).raw(true).all(site) as unknown[][];
      if (kind === "areas") areaIds = rows.map((r) => r[0] as number);
      sink(kind, rows, options.parseAll ? "" : JSON.stringify(rows));
    }

    const employmentIds = new Set<number>();
    for (const area of areaIds) {
      chunks("authorizations", AUTHORIZATIONS_OF_AREA, [area], (rows) => {
        for (const row of rows) employmentIds.add(row[1] as number);
      });
    }
    fill(FILL_EMPLOYMENTS, sortedUnique(employmentIds));
    employmentIds.clear();

    const personSet = new Set<number>();
    chunks("employments", EMPLOYMENTS_OF_SITE, [], (rows) => {
      for (const row of rows) personSet.add(row[1] as number);
    });
    const personIds = sortedUnique(personSet);
    personSet.clear();
    fill(FILL_PERSONS, personIds);
    chunks("persons", PERSONS_OF_SITE, []);

    const allPersons = (prepare("SELECT max(id) FROM person").pluck().get() as number | null) ?? 0;
    if (personIds.length * 8 >= allPersons) {
      chunks("cards", CARDS_BY_SCAN, []);
      chunks("certificates", CERTIFICATES_BY_SCAN, []);
    } else {
      const cards = prepare(CARDS_OF_PERSONS).pluck();
      const certificates = prepare(CERTIFICATES_OF_PERSONS).pluck();
      let lower = Number.MIN_SAFE_INTEGER;
      for (let i = 0; i < personIds.length; i += PERSONS_PER_CHUNK) {
        const upper = personIds[Math.min(i + PERSONS_PER_CHUNK, personIds.length) - 1] as number;
        for (const [kind, statement] of [
          ["cards", cards],
          ["certificates", certificates],
        ] as const) {
          const json = statement.get(lower, upper) as string;
          sink(kind, options.parseAll ? (JSON.parse(json) as unknown[][]) : null, json);
        }
        lower = upper;
      }
    }
  } finally {
    for (const sql of CLEAR_SETS) prepare(sql).run();
  }
}

function sortedUnique(set: Set<number>): Float64Array {
  return Float64Array.from(set).sort();
}
