import { performance } from "node:perf_hooks";
import type { Database } from "better-sqlite3";
import type { Logger } from "pino";
import type { SitePolicy, SiteState } from "../state/model.js";
import { bulkInsert } from "./bulk-insert.js";
import { SiteMismatchError, VersionNotNewerError } from "./errors.js";
import type { Meta } from "./meta.js";
import { STATE_KINDS, type StateKind, TABLES, type TableSpec } from "./tables.js";
import { checkVersion, recordError } from "./write-errors.js";

/** What every state change is checked against. */
export interface ApplyOptions {
  /** The site this edge serves (from its config); a state for another site is refused. */
  readonly expectedSite: string;
  /** Wall-clock epoch ms, recorded as `state_applied_at`. */
  readonly now: number;
}

export interface FullApplyOptions extends ApplyOptions {
  /**
   * Drop the secondary indexes before the bulk insert and build them again after it
   * (inside the same transaction). Default true: measured faster on large states, see
   * docs/state-file.md ("Store notes").
   */
  readonly rebuildIndexes?: boolean;
}

export interface FullApplyResult {
  readonly site: string;
  readonly version: number;
  /** Records written, by kind. */
  readonly rows: Readonly<Record<StateKind, number>>;
  readonly totalRows: number;
  readonly ms: number;
}

/** The central tables: every table but `fingerprint_enrollment`, `event_outbox` and `schema_migrations`. */
const CENTRAL_TABLES = ["meta", "site_policy", ...STATE_KINDS.map((k) => TABLES[k].table)];

/** Writes a full state over the central tables in one transaction. */
export class FullStateWriter {
  private readonly db: Database;
  private readonly meta: Meta;
  private readonly log: Logger;

  constructor(db: Database, meta: Meta, log: Logger) {
    this.db = db;
    this.meta = meta;
    this.log = log;
  }

  apply(state: SiteState, options: FullApplyOptions): FullApplyResult {
    const started = performance.now();
    if (state.site !== options.expectedSite) {
      throw new SiteMismatchError(options.expectedSite, state.site, "full state");
    }
    checkVersion(state.version, "full state");
    const rows = this.db
      .transaction(() => {
        this.checkNewer(state, options.expectedSite);
        const indexes = options.rebuildIndexes === false ? [] : this.dropSecondaryIndexes();
        for (const table of CENTRAL_TABLES) this.db.exec(`DELETE FROM ${table}`);
        const written = this.insertAll(state);
        this.insertSitePolicy(state.sitePolicy);
        for (const sql of indexes) this.db.exec(sql);
        this.meta.record(state.site, state.version, options.now);
        return written;
      })
      .immediate();
    const totalRows = STATE_KINDS.reduce((sum, kind) => sum + rows[kind], 0);
    const ms = Math.round(performance.now() - started);
    this.log.info(
      { site: state.site, version: state.version, totalRows, ms },
      "full state applied",
    );
    return { site: state.site, version: state.version, rows, totalRows, ms };
  }

  private checkNewer(state: SiteState, expectedSite: string): void {
    const storedSite = this.meta.site();
    const current = this.meta.version();
    if (storedSite !== null && storedSite !== expectedSite) {
      // Versions of another site's state say nothing about this one: any version goes.
      this.log.warn(
        { storedSite, site: expectedSite, storedVersion: current },
        "store held another site's state; replacing it",
      );
      return;
    }
    if (current !== null && state.version <= current) {
      throw new VersionNotNewerError(current, state.version);
    }
  }

  /** Drops the explicit indexes of the central tables and returns the SQL that rebuilds them. */
  private dropSecondaryIndexes(): string[] {
    const placeholders = CENTRAL_TABLES.map(() => "?").join(", ");
    const indexes = this.db
      .prepare<string[], { name: string; sql: string }>(
        `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${placeholders})`,
      )
      .all(...CENTRAL_TABLES);
    for (const index of indexes) this.db.exec(`DROP INDEX "${index.name}"`);
    return indexes.map((index) => index.sql);
  }

  private insertAll(state: SiteState): Record<StateKind, number> {
    return {
      persons: this.insert(TABLES.persons, state.persons),
      cards: this.insert(TABLES.cards, state.cards),
      employments: this.insert(TABLES.employments, state.employments),
      areas: this.insert(TABLES.areas, state.areas),
      authorizations: this.insert(TABLES.authorizations, state.authorizations),
      schedules: this.insert(TABLES.schedules, state.schedules),
      holidayCalendars: this.insert(TABLES.holidayCalendars, state.holidayCalendars),
      certificates: this.insert(TABLES.certificates, state.certificates),
      doorPolicies: this.insert(TABLES.doorPolicies, state.doorPolicies),
    };
  }

  private insert<T, K extends number | string>(
    spec: TableSpec<T, K>,
    records: readonly T[] | undefined,
  ): number {
    if (!Array.isArray(records)) return this.missing(spec.kind);
    bulkInsert(this.db, spec, records);
    return records.length;
  }

  private insertSitePolicy(policy: SitePolicy): void {
    try {
      this.db
        .prepare(
          "INSERT INTO site_policy (id, fingerprint_required, fingerprint_threshold) VALUES (1, ?, ?)",
        )
        .run(policy.fingerprintRequired ? 1 : 0, policy.fingerprintThreshold);
    } catch (error) {
      throw recordError("sitePolicy", error);
    }
  }

  private missing(kind: StateKind): never {
    throw recordError(kind, new TypeError("missing: a full state lists every kind, [] for none"));
  }
}
