import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { readRawAuthorizations, storedVersion } from "./build-index.js";

/**
 * Reads the authorizations table (the largest) on its own thread and connection while
 * the main thread reads the others; the version tells the main thread whether both saw
 * the same state.
 */
const { path } = workerData as { path: string };
const db = new Database(path, { readonly: true });
db.pragma("busy_timeout = 5000");
const result = db.transaction(() => ({
  version: storedVersion(db),
  raw: readRawAuthorizations(db),
}))();
db.close();
const { raw } = result;
parentPort?.postMessage(result, [
  raw.id.buffer,
  raw.employment.buffer,
  raw.area.buffer,
  raw.from.buffer,
  raw.until.buffer,
  raw.schedule.buffer,
] as ArrayBuffer[]);
