import { type PublishedKind, type RecordKind, SPECS } from "../state/records.js";

/**
 * How the compiler reads one kind. A row is the kind's model columns (SPECS[kind].columns,
 * hashed), followed, for door policies and the site policy, by the record's id in
 * site_record (for the other kinds that is the first column, the record's own id).
 */
export interface KindQuery {
  readonly kind: PublishedKind;
  /** Columns of a row that make the record (and its hash). */
  readonly width: number;
  /** Index of the site_record id in a row. */
  readonly idIndex: number;
  /** One record by its site_record id (the site policy: by site id). */
  readonly one: string;
}

const cols = (kind: PublishedKind): string => SPECS[kind].columns;
const width = (kind: PublishedKind): number => SPECS[kind].columns.split(",").length;

function byId(kind: RecordKind, table: string): KindQuery {
  return {
    kind,
    width: width(kind),
    idIndex: 0,
    one: `SELECT ${cols(kind)} FROM ${table} t WHERE t.id = ?`,
  };
}

export const QUERIES: { readonly [K in PublishedKind]: KindQuery } = {
  sitePolicy: {
    kind: "sitePolicy",
    width: 2,
    idIndex: 2,
    one: `SELECT ${cols("sitePolicy")}, 0 FROM site t WHERE t.id = ?`,
  },
  doorPolicies: {
    kind: "doorPolicies",
    width: 3,
    idIndex: 3,
    one: `SELECT ${cols("doorPolicies")}, t.id FROM door_policy t WHERE t.id = ?`,
  },
  areas: byId("areas", "area"),
  schedules: byId("schedules", "schedule"),
  holidayCalendars: byId("holidayCalendars", "holiday_calendar"),
  authorizations: byId("authorizations", "access_authorization"),
  employments: byId("employments", "employment"),
  persons: byId("persons", "person"),
  cards: byId("cards", "card"),
  certificates: byId("certificates", "certificate"),
};

/** The kinds a site owns directly: all of them, read with one parameter, the site id. */
export const SITE_SCOPED: readonly {
  readonly kind: "sitePolicy" | "doorPolicies" | "areas" | "schedules" | "holidayCalendars";
  readonly sql: string;
}[] = [
  { kind: "sitePolicy", sql: `SELECT ${cols("sitePolicy")}, 0 FROM site t WHERE t.id = ?` },
  {
    kind: "doorPolicies",
    sql: `SELECT ${cols("doorPolicies")}, t.id FROM door_policy t WHERE t.site_id = ? ORDER BY t.id`,
  },
  { kind: "areas", sql: `SELECT ${cols("areas")} FROM area t WHERE t.site_id = ? ORDER BY t.id` },
  {
    kind: "schedules",
    sql: `SELECT ${cols("schedules")} FROM schedule t WHERE t.site_id = ? ORDER BY t.id`,
  },
  {
    kind: "holidayCalendars",
    sql: `SELECT ${cols("holidayCalendars")} FROM holiday_calendar t WHERE t.site_id = ? ORDER BY t.id`,
  },
];

/**
 * Rows per chunk of the large kinds: SQLite builds one JSON array of this many rows and
 * JavaScript parses it at once, which costs about a third of fetching the rows one by one
 * through better-sqlite3 (measured on 2 M cards: 2.3 s against 6-7 s, most of it GC).
 */
export const CHUNK_ROWS = 50_000;

/**
 * Reads one chunk of a large kind as JSON: `[rows, last key]`. `from` must expose the
 * kind's columns on alias `t` and end in a WHERE clause; the chunk continues after the key
 * given as the last parameter.
 */
export function chunkSql(kind: RecordKind, key: string, from: string): string {
  return `SELECT json_group_array(json_array(${cols(kind)})), max(t.k)
    FROM (SELECT ${key} AS k, ${cols(kind)} ${from} AND ${key} > ? ORDER BY ${key} LIMIT ${CHUNK_ROWS}) t`;
}

export const TEMP_TABLES = `
CREATE TEMP TABLE IF NOT EXISTS compile_employment (id INTEGER PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS compile_person (id INTEGER PRIMARY KEY);
`;

/** Fills a temp set from a JSON array of ids (sorted, so that the B-tree is appended to). */
export const FILL_EMPLOYMENTS =
  "INSERT OR IGNORE INTO temp.compile_employment (id) SELECT value FROM json_each(?)";
export const FILL_PERSONS =
  "INSERT OR IGNORE INTO temp.compile_person (id) SELECT value FROM json_each(?)";
export const CLEAR_SETS = [
  "DELETE FROM temp.compile_employment",
  "DELETE FROM temp.compile_person",
] as const;

/** A site's unrevoked authorizations of one area (first parameter), from the covering index. */
export const AUTHORIZATIONS_OF_AREA = chunkSql(
  "authorizations",
  "t.id",
  "FROM access_authorization t WHERE t.area_id = ? AND t.revoked_at IS NULL",
);
export const EMPLOYMENTS_OF_SITE = chunkSql(
  "employments",
  "s.id",
  "FROM temp.compile_employment s JOIN employment t ON t.id = s.id WHERE 1",
);
export const PERSONS_OF_SITE = chunkSql(
  "persons",
  "s.id",
  "FROM temp.compile_person s JOIN person t ON t.id = s.id WHERE 1",
);
/** Cards of the site's persons by a scan of all cards: for sites holding many of them. */
export const CARDS_BY_SCAN = chunkSql(
  "cards",
  "t.id",
  "FROM card t WHERE +t.person_id IN temp.compile_person",
);
export const CERTIFICATES_BY_SCAN = chunkSql(
  "certificates",
  "t.id",
  "FROM certificate t WHERE +t.person_id IN temp.compile_person",
);
/** Cards of the site's persons in (lower, upper] by the person index: for small sites. */
export const CARDS_OF_PERSONS = `SELECT json_group_array(json_array(${cols("cards")}))
  FROM temp.compile_person s JOIN card t ON t.person_id = s.id WHERE s.id > ? AND s.id <= ?`;
export const CERTIFICATES_OF_PERSONS = `SELECT json_group_array(json_array(${cols("certificates")}))
  FROM temp.compile_person s JOIN certificate t ON t.person_id = s.id WHERE s.id > ? AND s.id <= ?`;

/**
 * The sites that need one record now (the closure rules). One parameter: the record's id.
 * A site's state holds its areas, schedules, calendars and door policies; the unrevoked
 * authorizations for its areas; their employments; those employments' persons; all cards
 * and certificates of those persons.
 */
export const NEEDED_AT: { readonly [K in RecordKind]: string } = {
  doorPolicies: "SELECT site_id FROM door_policy WHERE id = ?",
  areas: "SELECT site_id FROM area WHERE id = ?",
  schedules: "SELECT site_id FROM schedule WHERE id = ?",
  holidayCalendars: "SELECT site_id FROM holiday_calendar WHERE id = ?",
  authorizations: `SELECT a.site_id FROM access_authorization z JOIN area a ON a.id = z.area_id
    WHERE z.id = ? AND z.revoked_at IS NULL`,
  employments: `SELECT DISTINCT a.site_id FROM access_authorization z JOIN area a ON a.id = z.area_id
    WHERE z.employment_id = ? AND z.revoked_at IS NULL`,
  persons: `SELECT DISTINCT a.site_id FROM employment e
    JOIN access_authorization z ON z.employment_id = e.id AND z.revoked_at IS NULL
    JOIN area a ON a.id = z.area_id WHERE e.person_id = ?`,
  cards: `SELECT DISTINCT a.site_id FROM card c JOIN employment e ON e.person_id = c.person_id
    JOIN access_authorization z ON z.employment_id = e.id AND z.revoked_at IS NULL
    JOIN area a ON a.id = z.area_id WHERE c.id = ?`,
  certificates: `SELECT DISTINCT a.site_id FROM certificate c JOIN employment e ON e.person_id = c.person_id
    JOIN access_authorization z ON z.employment_id = e.id AND z.revoked_at IS NULL
    JOIN area a ON a.id = z.area_id WHERE c.id = ?`,
};
