import { accountDb } from "../accounts/db.js";
import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { deactivateCard, endAuthorization } from "../effects.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { type EmploymentRow, employmentRepository } from "./repository.js";
import { type CardToReturn, displayName, type KeyToReturn } from "./views.js";

/** The timer of a dated end of employment; its subject is the employment id. */
export const EMPLOYMENT_END_TIMER = "employment.end";

export interface EndOutcome {
  readonly row: EmploymentRow;
  readonly endedAuthorizationIds: readonly number[];
  readonly cardsToReturn: readonly CardToReturn[];
  readonly keysToReturn: readonly KeyToReturn[];
  readonly keptCardId: number | null;
}

/** Card statuses a person carries (or is about to): deactivated when the last employment ends. */
const CARRIED = ["active", "shipped", "in-production"] as const;
/** Card requests not yet produced: withdrawn with the employment they were made through. */
const OPEN_REQUEST = ["requested", "approved"] as const;

/**
 * Ends an employment now (the button "uit dienst melden", or its dated end falling due),
 * inside the caller's transaction: its status, the state's end (unless the doors already
 * have an end in the past), every live authorization (keys to return), the person's card
 * unless another active employment keeps it, and a notice to the company's contacts.
 */
export async function finishEnd(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  before: EmploymentRow,
  endDate: string,
  reason: string | null,
): Promise<EndOutcome> {
  const at = ctx.clock.now();
  const row = await employmentRepository.setEnd(trx, before.id, { endDate, reason, endedAt: at });
  const state = ctx.commands.store
    .statement<{ start_at: number; end_at: number | null }>(
      "SELECT start_at, end_at FROM employment WHERE id = ?",
    )
    .get(before.state_employment_id);
  // A dated end that fell due is already at the doors; one not yet started ends at its start.
  if (state !== undefined && (state.end_at === null || state.end_at > at)) {
    ctx.commands.endEmployment(before.state_employment_id, Math.max(at, state.start_at));
  }
  const why = reason ?? "employment ended";

  const live = await trx
    .selectFrom("iam_authorization")
    .select("id")
    .where("employment_id", "=", before.id)
    .where("status", "=", "active")
    .orderBy("id")
    .execute();
  const endedAuthorizationIds: number[] = [];
  for (const { id } of live) {
    if (await endAuthorization(ctx, trx, actor, id, "ended", why)) endedAuthorizationIds.push(id);
  }
  const keys = await trx
    .selectFrom("iam_key_issue")
    .innerJoin("iam_authorization", "iam_authorization.id", "iam_key_issue.authorization_id")
    .select(["iam_key_issue.id", "iam_key_issue.authorization_id", "iam_key_issue.key_type"])
    .where("iam_authorization.employment_id", "=", before.id)
    .where("iam_key_issue.status", "=", "to-return")
    .orderBy("iam_key_issue.id")
    .execute();
  const keysToReturn = keys.map((k) => ({
    keyIssueId: k.id,
    authorizationId: k.authorization_id,
    keyType: k.key_type,
  }));

  const { cardsToReturn, keptCardId } = await endCards(ctx, trx, actor, before, at, why);
  await appendAudit(trx, {
    actor,
    at,
    action: "employment.ended",
    entity: "employment",
    entityId: before.id,
    before: { status: before.status, endDate: before.end_date },
    after: { status: "ended", endDate, reason, endedAuthorizationIds, cardsToReturn, keptCardId },
  });
  await notifyCompany(ctx, trx, row, cardsToReturn, keysToReturn);
  ctx.log?.info(
    { employmentId: before.id, authorizations: endedAuthorizationIds.length },
    "employment ended",
  );
  return { row, endedAuthorizationIds, cardsToReturn, keysToReturn, keptCardId };
}

async function endCards(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  employment: EmploymentRow,
  at: number,
  why: string,
): Promise<{ cardsToReturn: CardToReturn[]; keptCardId: number | null }> {
  const open = await trx
    .selectFrom("iam_card")
    .select(["id", "status"])
    .where("employment_id", "=", employment.id)
    .where("status", "in", OPEN_REQUEST)
    .execute();
  for (const card of open) {
    await trx
      .updateTable("iam_card")
      .set({
        status: "rejected",
        decided_by: actor.accountId,
        decided_at: at,
        decision_comment: why,
      })
      .where("id", "=", card.id)
      .execute();
    await appendAudit(trx, {
      actor,
      at,
      action: "card.withdrawn",
      entity: "card",
      entityId: card.id,
      before: { status: card.status },
      after: { status: "rejected", reason: why },
    });
  }

  const carried = await trx
    .selectFrom("iam_card")
    .select(["id", "status", "card_number"])
    .where("person_id", "=", employment.person_id)
    .where("kind", "=", "access")
    .where("status", "in", CARRIED)
    .orderBy("id")
    .execute();
  const other = await trx
    .selectFrom("iam_employment")
    .select("id")
    .where("person_id", "=", employment.person_id)
    .where("id", "<>", employment.id)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (other !== undefined) {
    return { cardsToReturn: [], keptCardId: carried[0]?.id ?? null };
  }
  const cardsToReturn: CardToReturn[] = [];
  for (const card of carried) {
    // A card still in production never reached the person: nothing to hand back.
    const toReturn = card.status !== "in-production";
    if ((await deactivateCard(ctx, trx, actor, card.id, why, { toReturn })) && toReturn) {
      cardsToReturn.push({ cardId: card.id, cardNumber: card.card_number });
    }
  }
  return { cardsToReturn, keptCardId: null };
}

/** "employment-ended" to every account of the company: what the engineer has to hand back. */
async function notifyCompany(
  ctx: IamContext,
  trx: IamDb,
  employment: EmploymentRow,
  cards: readonly CardToReturn[],
  keys: readonly KeyToReturn[],
): Promise<void> {
  const db = accountDb(trx);
  const person = await trx
    .selectFrom("iam_person")
    .selectAll()
    .where("id", "=", employment.person_id)
    .executeTakeFirstOrThrow();
  const recipients = await db
    .selectFrom("iam_account")
    .select("email")
    .where("company_id", "=", employment.company_id)
    .where("role", "=", "partner-contact")
    .orderBy("id")
    .execute();
  const parameters = {
    employmentNumber: employment.employment_number,
    name: displayName(person),
    endDate: employment.end_date ?? ctx.workingDays.localDate(ctx.clock.now()),
    cardsToReturn: cards.map((c) => c.cardNumber ?? `card ${c.cardId}`).join(", "),
    keysToReturn: keys.map((k) => k.keyType).join(", "),
  };
  for (const { email } of recipients) {
    await enqueueNotification(db, ctx.clock.now(), "employment-ended", email, parameters);
  }
}
