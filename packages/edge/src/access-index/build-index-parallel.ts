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
 * A thread that builds the indexes of one store file, kept for the life of the process.
 * Requests are answered in order.
 */
class IndexBuilderThread {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (p: PortableIndex) => void; reject: (e: Error) => void }
  >();

  constructor(path: string, onGone: () => void) {
    this.worker = new Worker(BUILDER, { workerData: { path } });
    this.worker.on("message", (m: { id: number; portable?: PortableIndex; error?: string }) => {
      const waiting = this.pending.get(m.id);
      if (!waiting) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.portable) waiting.resolve(m.portable);
      else waiting.reject(new Error(m.error ?? "index builder failed"));
    });
    const fail = (error: Error) => {
      onGone();
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    this.worker.once("error", fail);
    this.worker.once("exit", (code) => fail(new Error(`index builder exited with ${code}`)));
    // Idle, the thread never holds the process open (after the listeners: adding a
    // "message" listener refs it again); a build in flight does.
    this.worker.unref();
  }

  build(): Promise<PortableIndex> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id });
    });
  }
}

const builders = new Map<string, IndexBuilderThread>();

/**
 * Builds the index entirely on another thread and hands it over, so the calling thread
 * (the daemon deciding at the doors) is blocked only for compiling the few schedules. The
 * thread stays for the next build of the same store file. The index is of the state
 * version it was read at, even if the store has moved on since (its `version` says which);
 * builds here only when the compiled worker is absent (tests run from sources).
 */
export async function buildAccessIndexOffThread(
  db: Database.Database,
  path: string,
): Promise<AccessIndex> {
  if (!existsSync(fileURLToPath(BUILDER))) return buildAccessIndexParallel(db, path);
  let builder = builders.get(path);
  if (builder === undefined) {
    builder = new IndexBuilderThread(path, () => builders.delete(path));
    builders.set(path, builder);
  }
  return fromPortable(await builder.build());
}
