import type { Database, Statement } from "better-sqlite3";

/**
 * Ids of the commands central sent that this edge has seen, each with the command's
 * expiry, so that a replay is refused also after a restart. An id is kept at least until
 * its command expired (an expired command is refused for that alone), then pruned.
 */
export class SeenCommands {
  private readonly insertStatement: Statement<[string, number, number]>;
  private readonly hasStatement: Statement<[string], number>;
  private readonly pruneStatement: Statement<[number]>;
  private readonly countStatement: Statement<[], number>;

  constructor(db: Database) {
    this.insertStatement = db.prepare(
      "INSERT OR IGNORE INTO seen_command (id, expires_at, seen_at) VALUES (?, ?, ?)",
    );
    this.hasStatement = db
      .prepare<[string], number>("SELECT 1 FROM seen_command WHERE id = ?")
      .pluck();
    this.pruneStatement = db.prepare("DELETE FROM seen_command WHERE expires_at < ?");
    this.countStatement = db.prepare<[], number>("SELECT count(*) FROM seen_command").pluck();
  }

  /** Records `id` as seen; false when it was seen before (a replay). Committed on return. */
  markSeen(id: string, expiresAt: number, now: number): boolean {
    return this.insertStatement.run(id, expiresAt, now).changes > 0;
  }

  has(id: string): boolean {
    return this.hasStatement.get(id) !== undefined;
  }

  /** Forgets the ids of commands that expired before `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStatement.run(before).changes;
  }

  count(): number {
    return this.countStatement.get() ?? 0;
  }
}
