import type { Selectable, Updateable } from "kysely";
import { accountDb } from "../accounts/db.js";
import type { IamDb } from "../db.js";
import type { Card } from "./model.js";
import { PENDING_STATUSES } from "./model.js";
import type { ShippingAddress } from "./request.js";
import type { CardKind, IamCardTable } from "./schema.js";

export type CardRow = Selectable<IamCardTable>;

function addressOf(json: string): ShippingAddress | null {
  const value = JSON.parse(json) as Partial<ShippingAddress>;
  return typeof value.street === "string" ? (value as ShippingAddress) : null;
}

export function cardOf(r: CardRow): Card {
  return {
    id: r.id,
    personId: r.person_id,
    employmentId: r.employment_id,
    kind: r.kind,
    status: r.status,
    cardNumber: r.card_number,
    stateCardId: r.state_card_id,
    replacesCardId: r.replaces_card_id,
    replacementReason: r.replacement_reason,
    requestNote: r.request_note,
    shippingAddress: addressOf(r.shipping_address),
    validUntil: r.valid_until,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionComment: r.decision_comment,
    producedAt: r.produced_at,
    shippedAt: r.shipped_at,
    activationExpiresAt: r.status === "shipped" ? r.activation_expires_at : null,
    activationAttemptsLeft: r.status === "shipped" ? r.activation_attempts_left : null,
    activatedAt: r.activated_at,
    deactivatedAt: r.deactivated_at,
    deactivationReason: r.deactivation_reason,
    toReturn: r.to_return === 1,
    returnedAt: r.returned_at,
  };
}

/** Reads and writes of `iam_card`; every function takes the db or the command's transaction. */
export const cardRepository = {
  find(db: IamDb, cardId: number): Promise<CardRow | undefined> {
    return db.selectFrom("iam_card").selectAll().where("id", "=", cardId).executeTakeFirst();
  },

  async update(db: IamDb, cardId: number, set: Updateable<IamCardTable>): Promise<CardRow> {
    await db.updateTable("iam_card").set(set).where("id", "=", cardId).execute();
    return db.selectFrom("iam_card").selectAll().where("id", "=", cardId).executeTakeFirstOrThrow();
  },

  /** The person's cards, newest first; `companyId` limits to those requested through it. */
  ofPerson(db: IamDb, personId: number, companyId?: number): Promise<CardRow[]> {
    let q = db
      .selectFrom("iam_card")
      .innerJoin("iam_employment", "iam_employment.id", "iam_card.employment_id")
      .selectAll("iam_card")
      .where("iam_card.person_id", "=", personId);
    if (companyId !== undefined) q = q.where("iam_employment.company_id", "=", companyId);
    return q.orderBy("iam_card.id", "desc").execute();
  },

  ofEmployment(db: IamDb, employmentId: number): Promise<CardRow[]> {
    return db
      .selectFrom("iam_card")
      .selectAll()
      .where("employment_id", "=", employmentId)
      .orderBy("id", "desc")
      .execute();
  },

  /** The card of `kind` of the person that is on its way (requested ... shipped), if any. */
  pendingOfPerson(db: IamDb, personId: number, kind: CardKind): Promise<CardRow | undefined> {
    return db
      .selectFrom("iam_card")
      .selectAll()
      .where("person_id", "=", personId)
      .where("kind", "=", kind)
      .where("status", "in", PENDING_STATUSES)
      .orderBy("id", "desc")
      .executeTakeFirst();
  },

  /** The person's active card of `kind`, if any. */
  activeOfPerson(db: IamDb, personId: number, kind: CardKind): Promise<CardRow | undefined> {
    return db
      .selectFrom("iam_card")
      .selectAll()
      .where("person_id", "=", personId)
      .where("kind", "=", kind)
      .where("status", "=", "active")
      .executeTakeFirst();
  },

  /** The newest card that replaces `cardId` (pending, active or ended), if any. */
  replacementOf(db: IamDb, cardId: number): Promise<CardRow | undefined> {
    return db
      .selectFrom("iam_card")
      .selectAll()
      .where("replaces_card_id", "=", cardId)
      .where("status", "!=", "rejected")
      .orderBy("id", "desc")
      .executeTakeFirst();
  },
};

/** Who hears about a card: the engineer (employment) and the company's partner contacts. */
export async function recipientsOf(
  db: IamDb,
  employmentId: number,
): Promise<{ email: string; mobile: string; companyId: number; partnerEmails: string[] }> {
  const e = await db
    .selectFrom("iam_employment")
    .select(["email", "mobile", "company_id"])
    .where("id", "=", employmentId)
    .executeTakeFirstOrThrow();
  const partners = await accountDb(db)
    .selectFrom("iam_account")
    .select("email")
    .where("role", "=", "partner-contact")
    .where("company_id", "=", e.company_id)
    .orderBy("id")
    .execute();
  return {
    email: e.email,
    mobile: e.mobile,
    companyId: e.company_id,
    partnerEmails: [...new Set(partners.map((p) => p.email))],
  };
}
