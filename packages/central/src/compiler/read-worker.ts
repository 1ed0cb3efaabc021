import type { MessagePort } from "node:worker_threads";
import { workerData } from "node:worker_threads";
import type Database from "better-sqlite3";
import { readSite } from "./site-reader.js";

/** What readSiteInWorker hands this thread (see parallel-read.ts for the protocol). */
interface ReadJob {
  readonly path: string;
  readonly site: string;
  readonly port: MessagePort;
  /** Int32 [posted, consumed]: the reader stays at most MAX_AHEAD chunks ahead. */
  readonly signal: SharedArrayBuffer;
}

const MAX_AHEAD = 6;
const { path, site, port, signal } = workerData as ReadJob;
const counters = new Int32Array(signal);

function post(message: unknown): void {
  for (;;) {
    const consumed = Atomics.load(counters, 1);
    if (Atomics.load(counters, 0) - consumed < MAX_AHEAD) break;
    Atomics.wait(counters, 1, consumed, 1000);
  }
  port.postMessage(message);
  Atomics.add(counters, 0, 1);
  Atomics.notify(counters, 0);
}

try {
  // Loaded here, not imported: a failure to load is reported like any other.
  const { default: Sqlite } = await import("better-sqlite3");
  const db = new Sqlite(path, { readonly: true });
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma("temp_store = MEMORY");
    db.pragma("cache_size = -131072");
    const statements = new Map<string, Database.Statement<unknown[]>>();
    const prepare = (sql: string): Database.Statement<unknown[]> => {
      let s = statements.get(sql);
      if (s === undefined) {
        s = db.prepare(sql);
        statements.set(sql, s);
      }
      return s;
    };
    // One read transaction: every chunk comes from the same snapshot of the data.
    db.transaction(() => {
      const row = db
        .prepare("SELECT version, needs_snapshot FROM site WHERE id = ?")
        .raw(true)
        .get(site) as [number, number] | undefined;
      post({ type: "site", version: row?.[0] ?? null, needsSnapshot: row?.[1] === 1 });
      if (row === undefined) return;
      readSite(db, prepare, site, (kind, _rows, json) => post({ type: "rows", kind, json }), {
        parseAll: false,
      });
    })();
  } finally {
    db.close();
  }
  post({ type: "done" });
} catch (error) {
  post({ type: "error", message: (error as Error).message });
}
