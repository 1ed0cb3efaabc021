import type { SiteDelta, SitePolicy } from "@acs/protocol";
import Database from "better-sqlite3";
import { type Clock, systemClock } from "../clock.js";
import { migrate } from "./migrations.js";

export interface CentralStoreOptions {
  /** The clock of every rule and timestamp; the system clock by default. */
  readonly clock?: Clock;
  /**
   * Read large sites (100,000 authorizations and more) on a second core when compiling a
   * snapshot; true by default. Needs the compiled package (dist), not the sources.
   */
  readonly parallelCompile?: boolean;
  /** Where the store reports what it recovered from (pino fits); silent by default. */
  readonly log?: StoreLog;
}

/** The part of a logger the store uses (a pino logger is one). */
export interface StoreLog {
  warn(details: object, message: string): void;
}

const silent: StoreLog = { warn: () => undefined };

/** A site as central keeps it. */
export interface SiteInfo {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly policy: SitePolicy;
  /** The version of the last state announced to the site; 0 before the first. */
  readonly version: number;
  /** The state changed without deltas (bulk load): the site's next state is a snapshot. */
  readonly needsSnapshot: boolean;
  readonly createdAt: number;
}

/** A delta in the outbox. */
export interface OutboxDelta {
  readonly seq: number;
  readonly site: string;
  readonly version: number;
  readonly delta: SiteDelta;
  readonly upserts: number;
  readonly deletes: number;
  readonly createdAt: number;
  readonly publishedAt: number | null;
}

/**
 * Opens (creating if needed) central's SQLite store and brings its schema up to date.
 * Throws CentralError SCHEMA_TOO_NEW, leaving the file untouched, for newer code's file.
 */
export function openCentralStore(path: string, options: CentralStoreOptions = {}): CentralStore {
  const clock = options.clock ?? systemClock;
  const db = new Database(path);
  try {
    // WAL + NORMAL: a commit survives a killed process; a power cut may lose the last
    // commits but never corrupts the file.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // The CLI next to the service waits for the writer instead of failing.
    db.pragma("busy_timeout = 5000");
    // The compiler's working sets (employments and persons of a site) stay in memory.
    db.pragma("temp_store = MEMORY");
    db.pragma("cache_size = -131072");
    db.pragma("journal_size_limit = 67108864");
    migrate(db, path, () => clock.now());
  } catch (error) {
    db.close();
    throw error;
  }
  return new CentralStore(db, clock, options.parallelCompile ?? true, options.log ?? silent);
}

interface SiteRow {
  id: string;
  name: string;
  timezone: string;
  fingerprint_required: number;
  fingerprint_threshold: number;
  version: number;
  needs_snapshot: number;
  created_at: number;
}

interface OutboxRow {
  seq: number;
  site: string;
  version: number;
  delta: string;
  upserts: number;
  deletes: number;
  created_at: number;
  published_at: number | null;
}

/**
 * Central's store: the state in force for all sites, what each site was last sent
 * (site_record) and the delta outbox. Synchronous, like better-sqlite3. Change state only
 * through the commands (src/state/commands.ts), which compile their deltas in the same
 * transaction.
 */
export class CentralStore {
  readonly db: Database.Database;
  readonly clock: Clock;
  /** See CentralStoreOptions.parallelCompile. */
  readonly parallelCompile: boolean;
  readonly log: StoreLog;
  private readonly statements = new Map<string, Database.Statement<unknown[]>>();

  /** Use openCentralStore; this expects an open, migrated database. */
  constructor(db: Database.Database, clock: Clock, parallelCompile = true, log: StoreLog = silent) {
    this.db = db;
    this.clock = clock;
    this.parallelCompile = parallelCompile;
    this.log = log;
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  /** A prepared statement, cached by its SQL. */
  statement<R = unknown>(sql: string): Database.Statement<unknown[], R> {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s as Database.Statement<unknown[], R>;
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE), or inside the caller's (as a
   * savepoint). Everything it did is undone if it throws.
   */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    return this.db.transaction(fn).immediate();
  }

  // --- sites ---

  site(id: string): SiteInfo | undefined {
    const row = this.statement<SiteRow>("SELECT * FROM site WHERE id = ?").get(id);
    return row === undefined ? undefined : siteInfo(row);
  }

  sites(): SiteInfo[] {
    return this.statement<SiteRow>("SELECT * FROM site ORDER BY id").all().map(siteInfo);
  }

  /** Sites whose state changed without deltas (bulk load): compile and send them a snapshot. */
  sitesNeedingSnapshot(): string[] {
    return this.statement<string>("SELECT id FROM site WHERE needs_snapshot = 1 ORDER BY id")
      .pluck()
      .all() as unknown as string[];
  }

  // --- delta outbox ---

  /**
   * Deltas not yet marked published, in commit order (so per site in version order), at
   * most `limit`; only `site`'s when given.
   */
  pendingDeltas(limit = 100, site?: string): OutboxDelta[] {
    const rows =
      site === undefined
        ? this.statement<OutboxRow>(
            "SELECT * FROM delta_outbox WHERE published_at IS NULL ORDER BY seq LIMIT ?",
          ).all(limit)
        : this.statement<OutboxRow>(
            "SELECT * FROM delta_outbox WHERE published_at IS NULL AND site = ? ORDER BY seq LIMIT ?",
          ).all(site, limit);
    return rows.map(outboxDelta);
  }

  /** Number of deltas not yet marked published. */
  pendingDeltaCount(site?: string): number {
    return (
      site === undefined
        ? this.statement("SELECT count(*) FROM delta_outbox WHERE published_at IS NULL")
            .pluck()
            .get()
        : this.statement(
            "SELECT count(*) FROM delta_outbox WHERE published_at IS NULL AND site = ?",
          )
            .pluck()
            .get(site)
    ) as number;
  }

  /** The outbox's delta of `site` at `version`, published or not. */
  delta(site: string, version: number): OutboxDelta | undefined {
    const row = this.statement<OutboxRow>(
      "SELECT * FROM delta_outbox WHERE site = ? AND version = ?",
    ).get(site, version);
    return row === undefined ? undefined : outboxDelta(row);
  }

  /**
   * Marks a delta as sent (the broker took it); returns false when there is no such
   * delta or it was already marked. Idempotent, so a publisher may repeat it after a crash.
   */
  markDeltaPublished(site: string, version: number, at: number = this.clock.now()): boolean {
    return (
      this.statement(
        "UPDATE delta_outbox SET published_at = ? WHERE site = ? AND version = ? AND published_at IS NULL",
      ).run(at, site, version).changes === 1
    );
  }

  /** Deletes deltas published before `before` (epoch ms); returns how many. */
  prunePublishedDeltas(before: number): number {
    return this.statement(
      "DELETE FROM delta_outbox WHERE published_at IS NOT NULL AND published_at < ?",
    ).run(before).changes;
  }
}

function siteInfo(r: SiteRow): SiteInfo {
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    policy: {
      fingerprintRequired: r.fingerprint_required === 1,
      fingerprintThreshold: r.fingerprint_threshold,
    },
    version: r.version,
    needsSnapshot: r.needs_snapshot === 1,
    createdAt: r.created_at,
  };
}

function outboxDelta(r: OutboxRow): OutboxDelta {
  return {
    seq: r.seq,
    site: r.site,
    version: r.version,
    delta: JSON.parse(r.delta) as SiteDelta,
    upserts: r.upserts,
    deletes: r.deletes,
    createdAt: r.created_at,
    publishedAt: r.published_at,
  };
}
