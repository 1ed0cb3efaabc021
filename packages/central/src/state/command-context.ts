import type { Clock } from "../clock.js";
import { compileDeltas, type TouchedRecord } from "../compiler/deltas.js";
import { invalid, notFound } from "../errors.js";
import type { Outcome } from "./command-inputs.js";
import type { CentralStore } from "./store.js";

/**
 * What every command needs: the store, the clock (the only source of time) and the lookups
 * that refuse a missing or misplaced reference. The command functions of each area take it
 * first; CentralCommands holds one.
 */
export class CommandContext {
  readonly store: CentralStore;
  readonly clock: Clock;

  constructor(store: CentralStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Runs `change` and compiles the deltas of what it touched, in one transaction. */
  command<T extends object>(change: (touched: TouchedRecord[]) => T): Outcome<T> {
    return this.store.transaction(() => {
      const touched: TouchedRecord[] = [];
      const value = change(touched);
      const deltas = compileDeltas(this.store, touched);
      return { ...value, deltas };
    });
  }

  one<R>(sql: string, ...params: unknown[]): R | undefined {
    return this.store.statement<R>(sql).get(...params);
  }

  requireSite(site: string, field = "siteId"): void {
    if (this.one("SELECT 1 FROM site WHERE id = ?", site) === undefined) {
      throw notFound(field, "site", site);
    }
  }

  requireRow<R>(table: string, key: number, field: string, what: string): R {
    const row = this.one<R>(`SELECT * FROM ${table} WHERE id = ?`, key);
    if (row === undefined) throw notFound(field, what, key);
    return row;
  }

  /** A schedule of `site` (refused when it belongs to another site). */
  requireSchedule(scheduleId: number, site: string, field: string): void {
    const row = this.requireRow<{ site_id: string }>("schedule", scheduleId, field, "schedule");
    if (row.site_id !== site) {
      throw invalid(
        field,
        `schedule ${scheduleId} belongs to site "${row.site_id}", not "${site}"`,
      );
    }
  }

  insert(sql: string, ...params: unknown[]): number {
    return Number(this.store.statement(sql).run(...params).lastInsertRowid);
  }
}
