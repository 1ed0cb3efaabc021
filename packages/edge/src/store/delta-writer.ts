import type { Database, Statement } from "better-sqlite3";
import type { Logger } from "pino";
import type { SiteDelta } from "../state/model.js";
import { InvalidStateError, SiteMismatchError, VersionNotNextError } from "./errors.js";
import type { ApplyOptions } from "./full-state-writer.js";
import type { Meta } from "./meta.js";
import {
  deleteSql,
  STATE_KINDS,
  type StateKind,
  TABLES,
  type TableSpec,
  upsertSql,
  valuesOf,
} from "./tables.js";
import { checkVersion, recordError } from "./write-errors.js";

export interface KindCounts {
  readonly upserted: number;
  /** Rows actually deleted (an id that was not there counts 0). */
  readonly deleted: number;
}

export interface DeltaResult {
  readonly version: number;
  readonly upserted: number;
  readonly deleted: number;
  /** Whether the delta replaced the site policy. */
  readonly sitePolicy: boolean;
  readonly byKind: Readonly<Record<StateKind, KindCounts>>;
}

interface KindStatements {
  readonly upsert: Statement<unknown[]>;
  readonly delete: Statement<unknown[]>;
}

/** Applies deltas: upserts and deletes by key, in one transaction per delta. */
export class DeltaWriter {
  private readonly db: Database;
  private readonly meta: Meta;
  private readonly log: Logger;
  private readonly statements: Record<StateKind, KindStatements>;
  private readonly sitePolicyStatement: Statement<[number, number]>;

  constructor(db: Database, meta: Meta, log: Logger) {
    this.db = db;
    this.meta = meta;
    this.log = log;
    const entries = STATE_KINDS.map((kind): [StateKind, KindStatements] => [
      kind,
      { upsert: db.prepare(upsertSql(TABLES[kind])), delete: db.prepare(deleteSql(TABLES[kind])) },
    ]);
    this.statements = Object.fromEntries(entries) as Record<StateKind, KindStatements>;
    this.sitePolicyStatement = db.prepare(
      "INSERT OR REPLACE INTO site_policy (id, fingerprint_required, fingerprint_threshold) VALUES (1, ?, ?)",
    );
  }

  apply(delta: SiteDelta, options: ApplyOptions): DeltaResult {
    if (delta.site !== options.expectedSite) {
      throw new SiteMismatchError(options.expectedSite, delta.site, "delta");
    }
    checkVersion(delta.version, "delta");
    checkNoOverlap(delta);
    const result = this.db
      .transaction(() => {
        this.checkNext(delta, options.expectedSite);
        const byKind = Object.fromEntries(
          STATE_KINDS.map((kind) => [kind, this.applyKind(kind, delta)]),
        ) as Record<StateKind, KindCounts>;
        if (delta.sitePolicy !== undefined) {
          const { fingerprintRequired, fingerprintThreshold } = delta.sitePolicy;
          try {
            this.sitePolicyStatement.run(fingerprintRequired ? 1 : 0, fingerprintThreshold);
          } catch (error) {
            throw recordError("sitePolicy", error);
          }
        }
        this.meta.record(delta.site, delta.version, options.now);
        return summarize(delta, byKind);
      })
      .immediate();
    this.log.debug(
      {
        site: delta.site,
        version: delta.version,
        upserted: result.upserted,
        deleted: result.deleted,
      },
      "delta applied",
    );
    return result;
  }

  private checkNext(delta: SiteDelta, expectedSite: string): void {
    const storedSite = this.meta.site();
    if (storedSite !== null && storedSite !== expectedSite) {
      throw new SiteMismatchError(expectedSite, storedSite, "the stored state");
    }
    const current = this.meta.version();
    const expected = current === null ? null : current + 1;
    if (delta.version !== expected) throw new VersionNotNextError(expected, delta.version);
  }

  private applyKind(kind: StateKind, delta: SiteDelta): KindCounts {
    const statements = this.statements[kind];
    const spec: TableSpec<unknown, number | string> = TABLES[kind];
    const keys = delta.delete?.[kind] ?? [];
    let deleted = 0;
    keys.forEach((key, i) => {
      try {
        deleted += statements.delete.run(key).changes;
      } catch (error) {
        throw recordError(`delete.${kind}[${i}]`, error);
      }
    });
    const records: readonly unknown[] = delta.upsert?.[kind] ?? [];
    records.forEach((record, i) => {
      try {
        statements.upsert.run(...valuesOf(spec, record));
      } catch (error) {
        throw recordError(`upsert.${kind}[${i}]`, error);
      }
    });
    return { upserted: records.length, deleted };
  }
}

/** A key both upserted and deleted in one delta has no clear meaning: refused. */
function checkNoOverlap(delta: SiteDelta): void {
  for (const kind of STATE_KINDS) {
    const records: readonly unknown[] = delta.upsert?.[kind] ?? [];
    if (records.length === 0) continue;
    const spec: TableSpec<unknown, number | string> = TABLES[kind];
    const upserted = new Set(records.map((r) => spec.keyOf(r)));
    (delta.delete?.[kind] ?? []).forEach((key, i) => {
      if (upserted.has(key)) {
        throw new InvalidStateError(
          `delete.${kind}[${i}]`,
          `${String(key)} is also upserted in this delta`,
        );
      }
    });
  }
}

function summarize(delta: SiteDelta, byKind: Record<StateKind, KindCounts>): DeltaResult {
  let upserted = 0;
  let deleted = 0;
  for (const kind of STATE_KINDS) {
    upserted += byKind[kind].upserted;
    deleted += byKind[kind].deleted;
  }
  return {
    version: delta.version,
    upserted,
    deleted,
    sitePolicy: delta.sitePolicy !== undefined,
    byKind,
  };
}
