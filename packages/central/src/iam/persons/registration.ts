import type { Actor } from "../actor.js";
import { seesCompany } from "../actor.js";
import { appendAudit } from "../audit.js";
import { activeAccessCard, openCardRequest } from "../cards/request.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { IamError, iamNotFound, ruleRefused } from "../errors.js";
import { type EmploymentRow, type PersonRow, personRepository as persons } from "./repository.js";
import { type EmploymentData, invalidField } from "./validation.js";
import { displayName, type EmploymentCreated, personName } from "./views.js";

/** The steps of registering an employment (chapter 5), inside its command's transaction. */

/** The state company of an approved company the actor may register employments for. */
export async function approvedCompany(
  trx: IamDb,
  actor: Actor,
  companyId: number,
): Promise<number> {
  const company = await trx
    .selectFrom("iam_company")
    .select(["status", "state_company_id"])
    .where("id", "=", companyId)
    .executeTakeFirst();
  if (company === undefined || !seesCompany(actor, companyId)) {
    throw iamNotFound("company", companyId);
  }
  if (company.status !== "approved" || company.state_company_id === null) {
    throw ruleRefused(
      "COMPANY_NOT_APPROVED",
      `company ${companyId} is ${company.status}: employments are registered with approved companies`,
    );
  }
  return company.state_company_id;
}

/** The person found by the look-up, or a new one (never a second record of a person). */
export async function personFor(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  data: EmploymentData,
  at: number,
): Promise<{ person: PersonRow; created: boolean }> {
  if (data.personId !== undefined) {
    const found = await persons.find(trx, data.personId);
    // A partner names the person it found by the look-up with the look-up's facts: a bare
    // id would let it walk through other companies' people.
    const proven =
      data.person === undefined
        ? actor.role !== "partner-contact"
        : (await persons.matching(trx, data.person)).some((p) => p.id === data.personId);
    if (found === undefined || !proven) throw iamNotFound("person", data.personId);
    return { person: found, created: false };
  }
  const facts = data.person;
  if (facts === undefined) throw invalidField("person", "required without personId");
  const [existing] = await persons.matching(trx, facts);
  if (existing !== undefined) {
    throw new IamError(
      "CONFLICT",
      `${displayName(existing)} with this birth date exists as person ${existing.id}: add the employment to that person`,
      "PERSON_EXISTS",
      { existing: { personId: existing.id, name: displayName(existing) } },
    );
  }
  const name = displayName({
    initials: facts.initials,
    surname_prefix: facts.surnamePrefix,
    surname: facts.surname,
  });
  const { personId } = ctx.commands.createPerson({ displayName: name });
  const person = await persons.insert(trx, facts, personId, {
    createdBy: actor.accountId,
    createdAt: at,
  });
  await appendAudit(trx, {
    actor,
    at,
    action: "person.created",
    entity: "person",
    entityId: person.id,
    before: null,
    after: { ...personName(person), birthDate: person.birth_date },
  });
  return { person, created: true };
}

/**
 * The card step of a new employment: a card request, unless the person has an active
 * access card or one already on its way (never two cards for one person).
 */
export async function cardStep(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  employment: EmploymentRow,
  requestCard: boolean,
): Promise<Pick<EmploymentCreated, "cardRequestId" | "activeCardId" | "pendingCardId">> {
  const active = await activeAccessCard(trx, employment.person_id);
  if (active !== undefined) {
    return { cardRequestId: null, activeCardId: active.id, pendingCardId: null };
  }
  const pending = await trx
    .selectFrom("iam_card")
    .select("id")
    .where("person_id", "=", employment.person_id)
    .where("kind", "=", "access")
    .where("status", "in", ["requested", "approved", "in-production", "shipped"])
    .executeTakeFirst();
  if (pending !== undefined || !requestCard) {
    return { cardRequestId: null, activeCardId: null, pendingCardId: pending?.id ?? null };
  }
  const cardRequestId = await openCardRequest(ctx, trx, actor, { employmentId: employment.id });
  return { cardRequestId, activeCardId: null, pendingCardId: null };
}
