import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { buildAccessIndexParallel } from "./build-index-parallel.js";
import { toPortable } from "./index-transfer.js";

/** Builds a whole decision index off the daemon's thread, so doors keep deciding meanwhile. */
const { path } = workerData as { path: string };
const db = new Database(path, { readonly: true });
db.pragma("busy_timeout = 5000");
const index = await buildAccessIndexParallel(db, path);
db.close();
const { portable, transfer } = toPortable(index);
parentPort?.postMessage(portable, transfer);
