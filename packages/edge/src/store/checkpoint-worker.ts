import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/**
 * Runs WAL checkpoints on its own connection and thread. A checkpoint fsyncs the database
 * file, which can take milliseconds; on the daemon's thread that would sit between a card
 * read and its relay. A PASSIVE checkpoint never blocks the daemon's readers or writer.
 */
const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);
db.pragma("busy_timeout = 1000");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (err) {
    parentPort?.postMessage({ error: (err as Error).message });
  }
}, intervalMs);
parentPort?.on("message", (message: unknown) => {
  if (message === "stop") {
    clearInterval(timer);
    db.close();
    parentPort?.close();
  }
});
