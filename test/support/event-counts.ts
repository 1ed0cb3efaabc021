import { createRequire } from "node:module";
import type { EventStore } from "@acs/central";
import type { CentralLine, CentralProcess } from "./central-process.js";
import { until } from "./log-sink.js";

type Db = EventStore["db"];
/** better-sqlite3 as central and the edge load it (the test package does not depend on it). */
const Database = createRequire(createRequire(import.meta.url).resolve("@acs/central"))(
  "better-sqlite3",
) as new (
  path: string,
  options: { readonly: boolean; fileMustExist: boolean },
) => Db;

/** What the edge wrote to its outbox: the last seq it assigned, and what is still there. */
export function edgeOutbox(storePath: string): { lastSeq: number; depth: number } {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const lastSeq = db
      .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'event_outbox'")
      .pluck()
      .get() as number | undefined;
    // The outbox only ever loses its prefix (what central acknowledged): its depth is its
    // seq span, found on the key without scanning a large outbox.
    const { lo, hi } = db
      .prepare("SELECT min(seq) AS lo, max(seq) AS hi FROM event_outbox")
      .get() as {
      lo: number | null;
      hi: number | null;
    };
    return { lastSeq: lastSeq ?? 0, depth: lo === null || hi === null ? 0 : hi - lo + 1 };
  } finally {
    db.close();
  }
}

export interface CentralEvents {
  readonly rows: number;
  readonly distinct: number;
  readonly minSeq: number;
  readonly maxSeq: number;
  /** card-read events with from < seq <= to. */
  readonly cardReads: number;
}

/** The events central stored for `site` (its `<db>.events` file, read only). */
export function centralEvents(
  eventsDb: string,
  site: string,
  cardReadsIn: { from: number; to: number } = { from: 0, to: Number.MAX_SAFE_INTEGER },
): CentralEvents {
  const db = new Database(eventsDb, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT count(*) AS rows, count(DISTINCT seq) AS "distinct",
                coalesce(min(seq), 0) AS minSeq, coalesce(max(seq), 0) AS maxSeq,
                sum(type = 'card-read' AND seq > ? AND seq <= ?) AS cardReads
         FROM access_event WHERE site = ?`,
      )
      .get(cardReadsIn.from, cardReadsIn.to, site) as Omit<CentralEvents, "cardReads"> & {
      cardReads: number | null;
    };
    return { ...row, cardReads: row.cardReads ?? 0 };
  } finally {
    db.close();
  }
}

/** Central's own counts, summed over every run that has stopped ("central stopped"). */
export function centralStats(lines: readonly CentralLine[]): {
  runs: number;
  stored: number;
  duplicate: number;
  batches: number;
} {
  const stops = lines.filter((l) => l.msg === "central stopped");
  const sum = (key: string) => stops.reduce((n, l) => n + Number(l[key] ?? 0), 0);
  return {
    runs: stops.length,
    stored: sum("eventsStored"),
    duplicate: sum("eventsDuplicate"),
    batches: sum("batches"),
  };
}

/** The highest seq central stored for `site` (on the key: cheap, also for a large table). */
export function centralLastSeq(eventsDb: string, site: string): number {
  const db = new Database(eventsDb, { readonly: true, fileMustExist: true });
  try {
    const max = db.prepare("SELECT max(seq) FROM access_event WHERE site = ?").pluck().get(site);
    return (max as number | null) ?? 0;
  } finally {
    db.close();
  }
}

/**
 * Waits until the edge's outbox is empty and central holds the last seq the edge assigned,
 * with nothing new for a second; returns the edge's outbox then (count central's events
 * afterwards: holes would be lost events).
 */
export async function drained(
  storePath: string,
  eventsDb: string,
  site: string,
  timeoutMs: number,
): Promise<{ lastSeq: number; depth: number }> {
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  let since = Date.now();
  for (;;) {
    const edge = edgeOutbox(storePath);
    const central = centralLastSeq(eventsDb, site);
    const now = JSON.stringify({ edge, central });
    if (now !== seen) [seen, since] = [now, Date.now()];
    if (edge.depth === 0 && central === edge.lastSeq && Date.now() - since >= 1000) return edge;
    if (Date.now() > deadline) throw new Error(`not drained after ${timeoutMs} ms: ${now}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = (service: CentralProcess, msg: string) =>
  service.lines.filter((l) => l.msg === msg).length;

/** `central serve` (again): waits for this run's own "central serving". */
export async function startCentral(service: CentralProcess): Promise<void> {
  const before = count(service, "central serving");
  await service.start();
  await until(() => count(service, "central serving") > before, 15_000, "central serving");
}

/** Stops `central serve` (SIGTERM) and waits for the counts it logs on the way out. */
export async function stopCentral(service: CentralProcess): Promise<void> {
  const before = count(service, "central stopped");
  await service.stop();
  await until(() => count(service, "central stopped") > before, 5000, "central's last counts");
}

/** The security events central kept (its `security_event` table), oldest first. */
export function centralSecurityEvents(
  eventsDb: string,
): Array<{ site: string | null; kind: string; reason: string; keyId: string | null }> {
  const db = new Database(eventsDb, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT site, kind, reason, key_id AS keyId FROM security_event ORDER BY id")
      .all() as Array<{ site: string | null; kind: string; reason: string; keyId: string | null }>;
  } finally {
    db.close();
  }
}

/** The events of `type` central stored for `site`, with their payloads, in arrival order. */
export function centralEventsOf(
  eventsDb: string,
  site: string,
  type: string,
): Array<{ epoch: string; seq: number; payload: Record<string, unknown> }> {
  const db = new Database(eventsDb, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        "SELECT epoch, seq, payload FROM access_event WHERE site = ? AND type = ? ORDER BY received_at, seq",
      )
      .all(site, type) as Array<{ epoch: string; seq: number; payload: string }>;
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

/** How many events of each of `types` central stored for `site`. */
export function centralTypeCounts(
  eventsDb: string,
  site: string,
  types: readonly string[],
): Record<string, number> {
  const db = new Database(eventsDb, { readonly: true, fileMustExist: true });
  try {
    const count = db.prepare("SELECT count(*) FROM access_event WHERE site = ? AND type = ?");
    return Object.fromEntries(types.map((type) => [type, count.pluck().get(site, type) as number]));
  } finally {
    db.close();
  }
}

/**
 * A read transaction held open on the edge's store (as a long report or an index rebuild
 * holds one): while it lasts, SQLite cannot start the WAL over, so the WAL must grow.
 */
export function longReader(storePath: string): { readonly open: boolean; close(): void } {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  db.prepare("BEGIN").run();
  db.prepare("SELECT count(*) FROM event_outbox").get();
  return {
    get open() {
      return db.open;
    },
    close() {
      if (!db.open) return;
      db.prepare("COMMIT").run();
      db.close();
    },
  };
}
