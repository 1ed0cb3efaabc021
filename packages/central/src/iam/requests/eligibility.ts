import type { Selectable } from "kysely";
import { activeAccessCard } from "../cards/request.js";
import type { CatalogueEntry } from "../catalogue/model.js";
import { findEntry, inProfile } from "../catalogue/service.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { type IamError, iamNotFound, ruleRefused } from "../errors.js";
import type { EmploymentTable } from "../persons/schema.js";

/** Why one employment may not get an entry now: a stable rule name and the reason. */
export interface Ineligible {
  readonly rule: string;
  readonly message: string;
}

/** The entry's own conditions for the company: in its profile, not excluded for colocation. */
export async function entryRefusal(
  db: IamDb,
  companyId: number,
  entry: CatalogueEntry,
): Promise<IamError | null> {
  if (!entry.active) {
    return ruleRefused("ENTRY_INACTIVE", `catalogue entry ${entry.code} is no longer offered`);
  }
  if (!(await inProfile(db, companyId, entry.id))) {
    return ruleRefused(
      "NOT_IN_PROFILE",
      `catalogue entry ${entry.code} is not in the profile of company ${companyId}: only the profile's entries can be requested`,
    );
  }
  const company = await db
    .selectFrom("iam_company")
    .select("colocation")
    .where("id", "=", companyId)
    .executeTakeFirst();
  if (entry.excludesColocation && company?.colocation === 1) {
    return ruleRefused(
      "EXCLUDED_FOR_COLOCATION",
      `catalogue entry ${entry.code} is not available to colocation customers`,
    );
  }
  return null;
}

/** The entry, or NOT_FOUND. */
export async function requireEntry(db: IamDb, entryId: number): Promise<CatalogueEntry> {
  const entry = await findEntry(db, entryId);
  if (entry === undefined) throw iamNotFound("catalogue entry", entryId);
  return entry;
}

/** Whether the employment grants anything now (not ended, no end date reached). */
export function employmentActive(
  ctx: IamContext,
  employment: Selectable<EmploymentTable>,
  now: number,
): boolean {
  if (employment.status !== "active") return false;
  return employment.end_date === null || ctx.workingDays.startOfDay(employment.end_date) > now;
}

/**
 * What stops this employment from holding the entry now: the employment ended, no active
 * access card (ch. 2: only once the card is active can the rest be requested, apps
 * included, for security), a required certificate missing or not valid.
 */
export async function employmentRefusal(
  ctx: IamContext,
  db: IamDb,
  employment: Selectable<EmploymentTable>,
  entry: CatalogueEntry,
  now: number,
): Promise<Ineligible | null> {
  if (!employmentActive(ctx, employment, now)) {
    return {
      rule: "EMPLOYMENT_ENDED",
      message: `employment ${employment.employment_number} has ended`,
    };
  }
  if ((await activeAccessCard(db, employment.person_id)) === undefined) {
    return {
      rule: "NO_ACTIVE_CARD",
      message: `employment ${employment.employment_number}: the person has no active access card`,
    };
  }
  const missing = await missingCertificates(
    db,
    employment.person_id,
    entry.requiredCertificates,
    now,
  );
  if (missing.length > 0) {
    return {
      rule: "CERTIFICATE_MISSING",
      message: `employment ${employment.employment_number}: ${entry.code} needs a valid certificate ${missing.join(", ")}`,
    };
  }
  return null;
}

/** The types among `types` the person holds no valid (not withdrawn) certificate of at `now`. */
export async function missingCertificates(
  db: IamDb,
  personId: number,
  types: readonly string[],
  now: number,
): Promise<string[]> {
  if (types.length === 0) return [];
  const valid = await db
    .selectFrom("iam_certificate")
    .select("type")
    .where("person_id", "=", personId)
    .where("type", "in", [...types])
    .where("valid_from", "<=", now)
    .where("valid_until", ">", now)
    .where("withdrawn_at", "is", null)
    .execute();
  const held = new Set(valid.map((c) => c.type));
  return types.filter((t) => !held.has(t));
}
