import { statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/**
 * Runs WAL checkpoints on its own connection and thread. A checkpoint fsyncs the database
 * file, which can take milliseconds; on the daemon's thread that would sit between a card
 * read and its relay. A PASSIVE checkpoint never blocks the daemon's readers or writer.
 *
 * PASSIVE alone does not bound the WAL: the file keeps its largest size (up to
 * journal_size_limit), and it keeps growing while a checkpoint cannot finish (a reader in
 * the way, a database file that cannot grow on a full disk). Past `walLimitBytes` a
 * TRUNCATE checkpoint follows, which empties the file; it holds the write lock while it
 * waits for readers, so it runs only once PASSIVE has copied every frame (no reader holds
 * old ones back), waits at most TRUNCATE_WAIT_MS (the daemon's writes wait that long at
 * most) and is tried again on the next tick. "now" from the daemon (a write
 * failed, the WAL is over its limit) runs a tick at once.
 */
const { path, intervalMs, walLimitBytes } = workerData as {
  path: string;
  intervalMs: number;
  walLimitBytes: number;
};
const TRUNCATE_WAIT_MS = 100;

/** A row of PRAGMA wal_checkpoint: frames in the WAL and frames copied to the database. */
interface Checkpoint {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}
const MIN_GAP_MS = 100;
const walPath = `${path}-wal`;
const db = new Database(path);
db.pragma("busy_timeout = 1000");
let lastTick = 0;

function walBytes(): number {
  try {
    return statSync(walPath).size;
  } catch {
    return 0;
  }
}

function tick(): void {
  lastTick = Date.now();
  try {
    const [passive] = db.pragma("wal_checkpoint(PASSIVE)") as Array<Checkpoint>;
    const before = walBytes();
    // Not while a reader holds frames back (PASSIVE could not copy them all): TRUNCATE
    // would hold the daemon's writes for its whole wait, and still not finish.
    const caughtUp = passive !== undefined && passive.log === passive.checkpointed;
    if (before > walLimitBytes && caughtUp) {
      db.pragma(`busy_timeout = ${TRUNCATE_WAIT_MS}`);
      try {
        const [result] = db.pragma("wal_checkpoint(TRUNCATE)") as Array<Checkpoint>;
        parentPort?.postMessage({ truncated: result?.busy === 0, before, walBytes: walBytes() });
      } finally {
        db.pragma("busy_timeout = 1000");
      }
      return;
    }
    parentPort?.postMessage({ walBytes: before });
  } catch (err) {
    parentPort?.postMessage({ error: (err as Error).message, walBytes: walBytes() });
  }
}

const timer = setInterval(tick, intervalMs);
parentPort?.on("message", (message: unknown) => {
  if (message === "now") {
    if (Date.now() - lastTick >= MIN_GAP_MS) tick();
    return;
  }
  if (message === "stop") {
    clearInterval(timer);
    db.close();
    parentPort?.close();
  }
});
