import Database from "better-sqlite3";

/**
 * A read-only connection held open beside the store's own, closed after it. The last
 * connection to close a WAL database checkpoints it and deletes its -wal and -shm files;
 * a read-only one cannot, so they stay. That matters on a full disk: opening a WAL
 * database whose -shm file is gone must create it (32 KiB), which fails with
 * SQLITE_IOERR_SHMSIZE, while an existing one is simply used: accessd stopped cleanly can
 * start again, read its state and decide, on a disk with no byte free.
 */
export class WalAnchor {
  private db: Database.Database | undefined;

  /** Opens the anchor on `path` (whose store is already open, so its WAL files exist). */
  static hold(path: string): WalAnchor {
    const anchor = new WalAnchor();
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      // A read takes the shared lock and joins the WAL, which is what keeps the files.
      db.prepare("SELECT count(*) FROM sqlite_master").pluck().get();
      anchor.db = db;
    } catch {
      // Without it the files go on a clean stop, as before: nothing else changes.
    }
    return anchor;
  }

  /** Closes the anchor; call after the store closed. */
  release(): void {
    try {
      this.db?.close();
    } catch {
      // already closed
    }
    this.db = undefined;
  }
}
