import type { Database, Statement } from "better-sqlite3";

/** A key of central's that a signed key rotation added (trusted) or withdrew (not). */
export interface CentralKeyRow {
  readonly keyId: string;
  /** SPKI PEM of an added key; null for a withdrawn one that was only in the config. */
  readonly publicKeyPem: string | null;
  readonly trusted: boolean;
  readonly changedAt: number;
}

interface Row {
  key_id: string;
  public_key_pem: string | null;
  trusted: number;
  changed_at: number;
}

/**
 * Central's keys as changed by signed `trust-central-key` / `untrust-central-key`
 * commands, over the ones the site config names (local data: a full state never touches
 * it). A withdrawn key stays withdrawn across restarts even when the config still names it.
 */
export class CentralKeyTable {
  private readonly listStatement: Statement<[], Row>;
  private readonly setStatement: Statement<[string, string | null, number, number]>;

  constructor(db: Database) {
    this.listStatement = db.prepare<[], Row>(
      "SELECT key_id, public_key_pem, trusted, changed_at FROM central_key ORDER BY key_id",
    );
    this.setStatement = db.prepare(
      `INSERT INTO central_key (key_id, public_key_pem, trusted, changed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(key_id) DO UPDATE SET public_key_pem = coalesce(excluded.public_key_pem, public_key_pem),
         trusted = excluded.trusted, changed_at = excluded.changed_at`,
    );
  }

  list(): CentralKeyRow[] {
    return this.listStatement.all().map((r) => ({
      keyId: r.key_id,
      publicKeyPem: r.public_key_pem,
      trusted: r.trusted === 1,
      changedAt: r.changed_at,
    }));
  }

  /** Records a key as trusted (with its PEM) or withdrawn; committed on return. */
  set(keyId: string, publicKeyPem: string | null, trusted: boolean, at: number): void {
    this.setStatement.run(keyId, publicKeyPem, trusted ? 1 : 0, at);
  }
}
