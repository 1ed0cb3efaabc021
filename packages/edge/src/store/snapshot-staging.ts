import type { Database, Statement } from "better-sqlite3";

/** The snapshot the edge asked for, and the manifest central answered with (once it did). */
export interface StagedSnapshot {
  readonly requestId: string;
  /** Why it was asked for (SnapshotRequest.reason). */
  readonly reason: string;
  /** The version the store held when it was asked for. */
  readonly haveVersion: number;
  /** Wall-clock epoch ms of the request. */
  readonly requestedAt: number;
  /** The verified manifest (protocol-encoded), once one arrived for this snapshot. */
  readonly manifest: StagedManifest | null;
}

export interface StagedManifest {
  readonly version: number;
  readonly sha256: Uint8Array;
  readonly chunkCount: number;
  /** The manifest as the protocol encodes it (decoded again after a restart). */
  readonly encoded: Uint8Array;
}

interface StagingRow {
  request_id: string;
  reason: string;
  have_version: number;
  requested_at: number;
  manifest_version: number | null;
  manifest_sha256: Buffer | null;
  manifest_chunk_count: number | null;
  manifest: Buffer | null;
}

/**
 * A full snapshot on its way in: the pending request, the signed manifest it was answered
 * with, and the chunks received so far, keyed by (version, sha256) so that a restart or a
 * new request for the same snapshot keeps what already arrived. Local data: a full state
 * never touches it. Protocol-agnostic: it stores bytes.
 */
export class SnapshotStaging {
  private readonly db: Database;
  private readonly getStatement: Statement<[], StagingRow>;
  private readonly setRequestStatement: Statement<[string, string, number, number]>;
  private readonly setManifestStatement: Statement<[number, Uint8Array, number, Uint8Array]>;
  private readonly dropOtherChunksStatement: Statement<[number, Uint8Array]>;
  private readonly putChunkStatement: Statement<[number, Uint8Array, number, Uint8Array]>;
  private readonly countStatement: Statement<[number, Uint8Array], number>;
  private readonly indexesStatement: Statement<[number, Uint8Array], number>;
  private readonly dataStatement: Statement<[number, Uint8Array], Buffer>;

  constructor(db: Database) {
    this.db = db;
    this.getStatement = db.prepare<[], StagingRow>(
      "SELECT request_id, reason, have_version, requested_at, manifest_version, manifest_sha256, manifest_chunk_count, manifest FROM snapshot_staging WHERE id = 1",
    );
    this.setRequestStatement = db.prepare(
      `INSERT INTO snapshot_staging (id, request_id, reason, have_version, requested_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET request_id = excluded.request_id, reason = excluded.reason,
         have_version = excluded.have_version, requested_at = excluded.requested_at`,
    );
    this.setManifestStatement = db.prepare(
      "UPDATE snapshot_staging SET manifest_version = ?, manifest_sha256 = ?, manifest_chunk_count = ?, manifest = ? WHERE id = 1",
    );
    this.dropOtherChunksStatement = db.prepare(
      "DELETE FROM snapshot_staging_chunk WHERE NOT (version = ? AND sha256 = ?)",
    );
    this.putChunkStatement = db.prepare(
      "INSERT OR IGNORE INTO snapshot_staging_chunk (version, sha256, idx, data) VALUES (?, ?, ?, ?)",
    );
    this.countStatement = db
      .prepare<[number, Uint8Array], number>(
        "SELECT count(*) FROM snapshot_staging_chunk WHERE version = ? AND sha256 = ?",
      )
      .pluck();
    this.indexesStatement = db
      .prepare<[number, Uint8Array], number>(
        "SELECT idx FROM snapshot_staging_chunk WHERE version = ? AND sha256 = ? ORDER BY idx",
      )
      .pluck();
    this.dataStatement = db
      .prepare<[number, Uint8Array], Buffer>(
        "SELECT data FROM snapshot_staging_chunk WHERE version = ? AND sha256 = ? ORDER BY idx",
      )
      .pluck();
  }

  /** The pending snapshot, if any. */
  current(): StagedSnapshot | undefined {
    const row = this.getStatement.get();
    if (!row) return undefined;
    const manifest =
      row.manifest_version !== null &&
      row.manifest_sha256 !== null &&
      row.manifest_chunk_count !== null &&
      row.manifest !== null
        ? {
            version: row.manifest_version,
            sha256: new Uint8Array(row.manifest_sha256),
            chunkCount: row.manifest_chunk_count,
            encoded: new Uint8Array(row.manifest),
          }
        : null;
    return {
      requestId: row.request_id,
      reason: row.reason,
      haveVersion: row.have_version,
      requestedAt: row.requested_at,
      manifest,
    };
  }

  /** Records a (new) request; a manifest and chunks already staged are kept. */
  request(requestId: string, reason: string, haveVersion: number, at: number): void {
    this.setRequestStatement.run(requestId, reason, haveVersion, at);
  }

  /**
   * Records the manifest a request was answered with. Chunks of another (version, sha256)
   * are dropped; chunks of this one (from an earlier request or before a restart) are kept.
   */
  setManifest(manifest: StagedManifest): void {
    this.db
      .transaction(() => {
        this.setManifestStatement.run(
          manifest.version,
          manifest.sha256,
          manifest.chunkCount,
          manifest.encoded,
        );
        this.dropOtherChunksStatement.run(manifest.version, manifest.sha256);
      })
      .immediate();
  }

  /** Stores one chunk; false when it was already there. Committed when this returns. */
  putChunk(version: number, sha256: Uint8Array, index: number, data: Uint8Array): boolean {
    return this.putChunkStatement.run(version, sha256, index, data).changes > 0;
  }

  chunksHeld(version: number, sha256: Uint8Array): number {
    return this.countStatement.get(version, sha256) ?? 0;
  }

  /** Indexes of the chunks in [0, chunkCount) not yet received. */
  missing(version: number, sha256: Uint8Array, chunkCount: number): number[] {
    const held = new Set(this.indexesStatement.all(version, sha256));
    const missing: number[] = [];
    for (let i = 0; i < chunkCount; i++) if (!held.has(i)) missing.push(i);
    return missing;
  }

  /** All chunks of (version, sha256) in index order, as one buffer. */
  assemble(version: number, sha256: Uint8Array): Buffer {
    return Buffer.concat(this.dataStatement.all(version, sha256));
  }

  /** Drops the chunks of (version, sha256) only, keeping the request (a corrupt snapshot). */
  dropChunks(version: number, sha256: Uint8Array): void {
    this.db
      .prepare("DELETE FROM snapshot_staging_chunk WHERE version = ? AND sha256 = ?")
      .run(version, sha256);
    this.db
      .prepare(
        "UPDATE snapshot_staging SET manifest_version = NULL, manifest_sha256 = NULL, manifest_chunk_count = NULL, manifest = NULL WHERE id = 1",
      )
      .run();
  }

  /** Forgets the pending snapshot and its chunks (applied, or no longer needed). */
  clear(): void {
    this.db
      .transaction(() => {
        this.db.exec("DELETE FROM snapshot_staging_chunk");
        this.db.exec("DELETE FROM snapshot_staging");
      })
      .immediate();
  }
}
