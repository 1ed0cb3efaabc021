// The bulk dataset loader. Its records' types and schemas are in dataset-schemas.ts, the
// checks in dataset-checks.ts (per field: dataset-fields.ts), the inserts in dataset-insert.ts.
import { CentralError } from "../errors.js";
import { checkDataset } from "./dataset-checks.js";
import { insertDataset } from "./dataset-insert.js";
import type { Dataset, DatasetKey, LoadResult } from "./dataset-schemas.js";
import type { CentralStore } from "./store.js";

export type {
  Dataset,
  DatasetArea,
  DatasetAuthorization,
  DatasetCard,
  DatasetCertificate,
  DatasetCompany,
  DatasetDoorPolicy,
  DatasetEmployment,
  DatasetHolidayCalendar,
  DatasetInstant,
  DatasetPerson,
  DatasetSchedule,
  DatasetSite,
  DatasetWindow,
  LoadResult,
} from "./dataset-schemas.js";

/**
 * Loads a dataset in one transaction with multi-row prepared INSERTs, without deltas: the
 * sites whose state it changed are marked `needs_snapshot` (their edges take snapshots).
 * Refuses the whole dataset (changing nothing) on the first bad record, naming it
 * (`cards[12].personId`). Not inside another transaction: it may drop and rebuild indexes.
 */
export function loadDataset(store: CentralStore, dataset: Dataset): LoadResult {
  const started = performance.now();
  const db = store.db;
  const now = store.clock.now();
  const checked = checkDataset(store, dataset);
  const { marked, storedPersonsTouched } = checked;
  const insertMs: Partial<Record<DatasetKey | "commit", number>> = {};
  const checkMs = Math.round(performance.now() - started);

  if (db.inTransaction) {
    throw new CentralError("CONFLICT", null, "loadDataset runs its own transaction");
  }
  // References were checked above (and the FK checks would cost a lookup per row): off for
  // the load, which needs its own transaction for that (the pragma is a no-op inside one).
  const foreignKeys = db.pragma("foreign_keys", { simple: true }) as number;
  db.pragma("foreign_keys = OFF");
  try {
    let commitFrom = 0;
    const result = store.transaction(() => {
      insertDataset(store, checked, now, insertMs);
      // Stored persons given cards or certificates: every site they may enter changes too.
      for (const person of storedPersonsTouched) {
        for (const site of store
          .statement(
            `SELECT DISTINCT a.site_id FROM employment e
           JOIN access_authorization z ON z.employment_id = e.id AND z.revoked_at IS NULL
           JOIN area a ON a.id = z.area_id WHERE e.person_id = ?`,
          )
          .pluck()
          .all(person) as string[]) {
          marked.add(site);
        }
      }
      const mark = store.statement("UPDATE site SET needs_snapshot = 1 WHERE id = ?");
      for (const site of marked) mark.run(site);
      commitFrom = performance.now();
      return [...marked].sort();
    });
    insertMs.commit = Math.round(performance.now() - commitFrom);
    return {
      rows: {
        sites: checked.sites.length,
        companies: checked.companies.length,
        persons: checked.persons.length,
        employments: checked.employments.length,
        cards: checked.cards.length,
        holidayCalendars: checked.calendars.length,
        schedules: checked.schedules.length,
        areas: checked.areas.length,
        authorizations: checked.authorizations.length,
        certificates: checked.certificates.length,
        doorPolicies: checked.doorPolicies.length,
      },
      sitesMarked: result,
      ms: Math.round(performance.now() - started),
      checkMs,
      insertMs,
    };
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? "ON" : "OFF"}`);
  }
}
