import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { iamNotFound } from "../errors.js";
import type { CardKind } from "./schema.js";

/** Where a card (or key) for an employment goes: the company's address or the employment's own. */
export interface ShippingAddress {
  readonly name: string;
  readonly street: string;
  readonly number: string;
  readonly addition: string | null;
  readonly line2: string | null;
  readonly postcode: string;
  readonly city: string;
  readonly country: string;
}

/** The address the employment's postal choice names (shown for confirmation before a request). */
export async function shippingAddressOf(db: IamDb, employmentId: number): Promise<ShippingAddress> {
  const e = await db
    .selectFrom("iam_employment")
    .innerJoin("iam_person", "iam_person.id", "iam_employment.person_id")
    .innerJoin("iam_company", "iam_company.id", "iam_employment.company_id")
    .select([
      "iam_employment.postal_choice",
      "iam_employment.street",
      "iam_employment.house_number",
      "iam_employment.house_number_addition",
      "iam_employment.address_line2",
      "iam_employment.postcode",
      "iam_employment.city",
      "iam_employment.country",
      "iam_person.initials",
      "iam_person.surname_prefix",
      "iam_person.surname",
      "iam_company.kvk_name",
      "iam_company.street as c_street",
      "iam_company.house_number as c_number",
      "iam_company.house_number_addition as c_addition",
      "iam_company.address_line2 as c_line2",
      "iam_company.postcode as c_postcode",
      "iam_company.city as c_city",
      "iam_company.country as c_country",
    ])
    .where("iam_employment.id", "=", employmentId)
    .executeTakeFirst();
  if (e === undefined) throw iamNotFound("employment", employmentId);
  const person = [e.initials, e.surname_prefix, e.surname].filter(Boolean).join(" ");
  if (e.postal_choice === "business") {
    return {
      name: `${person}, ${e.kvk_name}`,
      street: e.c_street,
      number: e.c_number,
      addition: e.c_addition,
      line2: e.c_line2,
      postcode: e.c_postcode,
      city: e.c_city,
      country: e.c_country,
    };
  }
  return {
    name: person,
    street: e.street,
    number: e.house_number,
    addition: e.house_number_addition,
    line2: e.address_line2,
    postcode: e.postcode,
    city: e.city,
    country: e.country,
  };
}

/**
 * Opens a card request (status "requested") for the employment's person, to be shipped to
 * the employment's postal address; inside the caller's transaction. Returns the card id.
 */
export async function openCardRequest(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  request: {
    readonly employmentId: number;
    readonly kind?: CardKind;
    readonly replacesCardId?: number | null;
    readonly replacementReason?: string | null;
  },
): Promise<number> {
  const employment = await trx
    .selectFrom("iam_employment")
    .select(["person_id"])
    .where("id", "=", request.employmentId)
    .executeTakeFirst();
  if (employment === undefined) throw iamNotFound("employment", request.employmentId);
  const at = ctx.clock.now();
  const address = await shippingAddressOf(trx, request.employmentId);
  const row = await trx
    .insertInto("iam_card")
    .values({
      person_id: employment.person_id,
      employment_id: request.employmentId,
      kind: request.kind ?? "access",
      status: "requested",
      state_card_id: null,
      card_number: null,
      replaces_card_id: request.replacesCardId ?? null,
      replacement_reason: request.replacementReason ?? null,
      shipping_address: JSON.stringify(address),
      activation_code_hash: null,
      activation_expires_at: null,
      activation_attempts_left: null,
      valid_until: null,
      requested_by: actor.accountId,
      requested_at: at,
      decided_by: null,
      decided_at: null,
      decision_comment: null,
      produced_at: null,
      shipped_at: null,
      activated_at: null,
      deactivated_at: null,
      deactivation_reason: null,
      to_return: 0,
      returned_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await appendAudit(trx, {
    actor,
    at,
    action: "card.requested",
    entity: "card",
    entityId: row.id,
    before: null,
    after: {
      employmentId: request.employmentId,
      kind: request.kind ?? "access",
      replacesCardId: request.replacesCardId ?? null,
      replacementReason: request.replacementReason ?? null,
    },
  });
  return row.id;
}

/** The person's active access card, if any (a new employment needs no new card then). */
export async function activeAccessCard(
  db: IamDb,
  personId: number,
): Promise<{ id: number; stateCardId: number | null } | undefined> {
  const row = await db
    .selectFrom("iam_card")
    .select(["id", "state_card_id"])
    .where("person_id", "=", personId)
    .where("kind", "=", "access")
    .where("status", "=", "active")
    .executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, stateCardId: row.state_card_id };
}
