import type { Database, Statement } from "better-sqlite3";

/** Keys of the `meta` table; values are stored as text. */
export type MetaKey = "site" | "state_version" | "state_applied_at";

/** The `meta` table: which site and which version of its state the store holds. */
export class Meta {
  private readonly getStatement: Statement<[MetaKey], string>;
  private readonly setStatement: Statement<[MetaKey, string]>;

  constructor(db: Database) {
    this.getStatement = db
      .prepare<[MetaKey], string>("SELECT value FROM meta WHERE key = ?")
      .pluck();
    this.setStatement = db.prepare<[MetaKey, string]>(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
  }

  site(): string | null {
    return this.getStatement.get("site") ?? null;
  }

  version(): number | null {
    const value = this.getStatement.get("state_version");
    return value === undefined ? null : Number(value);
  }

  appliedAt(): number | null {
    const value = this.getStatement.get("state_applied_at");
    return value === undefined ? null : Number(value);
  }

  /** Records a state as applied; call inside the transaction that applied it. */
  record(site: string, version: number, appliedAt: number): void {
    this.setStatement.run("site", site);
    this.setStatement.run("state_version", String(version));
    this.setStatement.run("state_applied_at", String(appliedAt));
  }
}
