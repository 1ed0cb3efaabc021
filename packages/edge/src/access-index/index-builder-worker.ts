import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { buildAccessIndex } from "./build-index.js";
import { buildAccessIndexParallel } from "./build-index-parallel.js";
import { toPortable } from "./index-transfer.js";

/**
 * Builds decision indexes off the daemon's thread, one per request, for as long as the
 * daemon runs: starting a thread and opening the store costs ~180 ms, far more than a
 * small site's build, so the thread and its (read-only) connection stay.
 */
const { path } = workerData as { path: string };
const db = new Database(path, { readonly: true });
db.pragma("busy_timeout = 5000");
const countAuthorizations = db.prepare("SELECT count(*) FROM access_authorization").pluck();

/** Above this many authorizations a second thread reading them pays for its start. */
const PARALLEL_FROM = 200_000;

parentPort?.on("message", async ({ id }: { id: number }) => {
  try {
    const large = (countAuthorizations.get() as number) >= PARALLEL_FROM;
    const index = large ? await buildAccessIndexParallel(db, path) : buildAccessIndex(db);
    const { portable, transfer } = toPortable(index);
    parentPort?.postMessage({ id, portable }, transfer);
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
