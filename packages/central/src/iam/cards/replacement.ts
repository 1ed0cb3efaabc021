import { accountDb } from "../accounts/db.js";
import type { Actor } from "../actor.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { deactivateCard } from "../effects.js";
import { IamError, ruleRefused } from "../errors.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { cancelTimer } from "../timers/timers.js";
import { checkAddressConfirmed } from "./address.js";
import { isBlocking, PENDING_STATUSES } from "./model.js";
import { EXPIRE_TIMER, EXPIRY_WARNING_TIMER } from "./production.js";
import { type CardRow, cardRepository, recipientsOf } from "./repository.js";
import { openCardRequest } from "./request.js";
import type { ReplacementData } from "./validation.js";

/**
 * A replacement card (source chapter 9, FAQ 8): a new request through the same approval,
 * for the old card's employment. Lost, stolen or defective end the old card AT ONCE (the
 * doors see it with the next delta); any other reason keeps it valid until the new card is
 * activated. Returns the new card.
 */
export async function openReplacement(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  old: CardRow,
  data: ReplacementData,
): Promise<CardRow> {
  await checkReplaceable(trx, old, data.reason);
  await checkAddressConfirmed(trx, old.employment_id, data.confirmedAddressVersion);
  const newId = await openCardRequest(ctx, trx, actor, {
    employmentId: old.employment_id,
    kind: old.kind,
    replacesCardId: old.id,
    replacementReason: data.reason,
  });
  await cardRepository.update(trx, newId, { request_note: data.note });
  if (isBlocking(data.reason) && (old.status === "active" || old.status === "shipped")) {
    await deactivateCard(ctx, trx, actor, old.id, `${data.reason}: replaced by card ${newId}`, {
      stateStatus: data.reason,
    });
    await cancelTimer(trx, EXPIRY_WARNING_TIMER, old.id);
    await cancelTimer(trx, EXPIRE_TIMER, old.id);
    const to = await recipientsOf(trx, old.employment_id);
    await enqueueNotification(accountDb(trx), ctx.clock.now(), "card-deactivated", to.email, {
      cardId: String(old.id),
      reason: data.reason,
      replacementCardId: String(newId),
    });
  }
  const created = await cardRepository.find(trx, newId);
  if (created === undefined) throw new Error(`card ${newId} vanished in its own transaction`);
  return created;
}

/**
 * Whether `old` can be replaced for `reason`, else REPLACEMENT_NOT_POSSIBLE saying why
 * (the portal shows the reason, chapter 9), or CONFLICT REPLACEMENT_PENDING naming the
 * replacement already on its way.
 */
async function checkReplaceable(trx: IamDb, old: CardRow, reason: string): Promise<void> {
  const pending = await cardRepository.replacementOf(trx, old.id);
  if (pending !== undefined && PENDING_STATUSES.includes(pending.status)) {
    throw new IamError(
      "CONFLICT",
      `card ${old.id} already has a replacement on its way: card ${pending.id} (${pending.status})`,
      "REPLACEMENT_PENDING",
      { existing: { cardId: pending.id, status: pending.status } },
    );
  }
  const employment = await trx
    .selectFrom("iam_employment")
    .select(["status"])
    .where("id", "=", old.employment_id)
    .executeTakeFirstOrThrow();
  if (employment.status !== "active") {
    throw notPossible(
      `the employment ${old.employment_id} card ${old.id} was requested through has ended`,
    );
  }
  switch (old.status) {
    case "active":
      return;
    case "shipped":
      // A card that never arrived is reported lost (or stolen); otherwise it is activated.
      if (reason === "lost" || reason === "stolen") return;
      throw notPossible(
        `card ${old.id} was shipped but is not activated yet: activate it with the code sent separately, or report it lost when it never arrived`,
      );
    case "expired": {
      // An expired card can always be replaced (chapter 9), unless another card took over.
      const active = await cardRepository.activeOfPerson(trx, old.person_id, old.kind);
      if (active === undefined) return;
      throw notPossible(`the holder of card ${old.id} already has active card ${active.id}`);
    }
    case "inactive": {
      const by = pending ?? (await cardRepository.replacementOf(trx, old.id));
      throw notPossible(
        by === undefined
          ? `card ${old.id} is inactive (${old.deactivation_reason ?? "deactivated"}): request a new card for the employment instead`
          : `card ${old.id} was already replaced by card ${by.id} (${by.status})`,
      );
    }
    case "returned":
      throw notPossible(`card ${old.id} was returned: request a new card for the employment`);
    case "rejected":
      throw notPossible(`card ${old.id} was a rejected request: there is no card to replace`);
    default:
      throw notPossible(
        `card ${old.id} is ${old.status}, not active yet: it can be replaced once it is activated`,
      );
  }
}

const notPossible = (message: string): IamError => ruleRefused("REPLACEMENT_NOT_POSSIBLE", message);
