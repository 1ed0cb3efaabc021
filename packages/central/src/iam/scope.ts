import type { Selectable } from "kysely";
import { type Actor, seesCompany } from "./actor.js";
import type { IamCardTable } from "./cards/schema.js";
import type { IamDb } from "./db.js";
import { iamNotFound } from "./errors.js";
import type { EmploymentTable, PersonTable } from "./persons/schema.js";

/**
 * Look-ups that answer a partner contact's foreign id as if it did not exist (NOT_FOUND):
 * a partner sees its own company's employments, the persons employed by it, and the cards
 * requested through those employments.
 */
export async function visibleEmployment(
  db: IamDb,
  actor: Actor,
  employmentId: number,
): Promise<Selectable<EmploymentTable>> {
  const row = await db
    .selectFrom("iam_employment")
    .selectAll()
    .where("id", "=", employmentId)
    .executeTakeFirst();
  if (row === undefined || !seesCompany(actor, row.company_id)) {
    throw iamNotFound("employment", employmentId);
  }
  return row;
}

export async function visiblePerson(
  db: IamDb,
  actor: Actor,
  personId: number,
): Promise<Selectable<PersonTable>> {
  const row = await db
    .selectFrom("iam_person")
    .selectAll()
    .where("id", "=", personId)
    .executeTakeFirst();
  if (row === undefined) throw iamNotFound("person", personId);
  if (actor.role === "partner-contact") {
    const employed = await db
      .selectFrom("iam_employment")
      .select("id")
      .where("person_id", "=", personId)
      .where("company_id", "=", actor.companyId ?? -1)
      .executeTakeFirst();
    if (employed === undefined) throw iamNotFound("person", personId);
  }
  return row;
}

export async function visibleCard(
  db: IamDb,
  actor: Actor,
  cardId: number,
): Promise<Selectable<IamCardTable>> {
  const row = await db
    .selectFrom("iam_card")
    .selectAll()
    .where("id", "=", cardId)
    .executeTakeFirst();
  if (row === undefined) throw iamNotFound("card", cardId);
  if (actor.role === "partner-contact") {
    await visibleEmployment(db, actor, row.employment_id).catch(() => {
      throw iamNotFound("card", cardId);
    });
  }
  return row;
}
