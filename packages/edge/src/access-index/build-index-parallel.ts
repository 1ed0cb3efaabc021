import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { AccessIndex } from "./access-index.js";
import { buildAccessIndex, type RawAuthorizations, readTables } from "./build-index.js";
import { fromPortable, type PortableIndex } from "./index-transfer.js";

const READER = new URL("./authorization-reader.js", import.meta.url);

function readAuthorizationsInWorker(
  path: string,
): Promise<{ version: number; raw: RawAuthorizations }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(READER, { workerData: { path } });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`authorization reader exited with ${code}`));
    });
  });
}

/**
 * buildAccessIndex on two cores: a worker thread reads the authorizations (more than half
 * the rows of a large site) while this thread reads the rest. If a state was committed
 * between the two reads, the versions differ and the index is built again on one thread.
 * Where the worker's compiled file is absent (tests run from sources), it builds on one.
 */
export async function buildAccessIndexParallel(
  db: Database.Database,
  path: string,
): Promise<AccessIndex> {
  if (!existsSync(fileURLToPath(READER))) return buildAccessIndex(db);
  const fromWorker = readAuthorizationsInWorker(path);
  // Keep the rejection handled while this thread is busy reading.
  fromWorker.catch(() => undefined);
  const tables = db.transaction(() => readTables(db))();
  const { version, raw } = await fromWorker;
  if (version !== tables.version) return buildAccessIndex(db);
  return tables.finish(raw);
}

const BUILDER = new URL("./index-builder-worker.js", import.meta.url);

/**
 * Builds the index entirely on other threads and hands it over, so the calling thread
 * (the daemon deciding at the doors) is blocked only for compiling the few schedules.
 * The index is of the state version it was read at, even if the store has moved on
 * since (its `version` says which); builds here only when the compiled worker is absent.
 */
export async function buildAccessIndexOffThread(
  db: Database.Database,
  path: string,
): Promise<AccessIndex> {
  if (!existsSync(fileURLToPath(BUILDER))) return buildAccessIndexParallel(db, path);
  const portable = await new Promise<PortableIndex>((resolve, reject) => {
    const worker = new Worker(BUILDER, { workerData: { path } });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`index builder exited with ${code}`));
    });
  });
  return fromPortable(portable);
}
