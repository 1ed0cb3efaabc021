import { accountDb } from "../accounts/db.js";
import { SYSTEM_ACTOR } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { enqueueNotification } from "../notifications/outbox.js";
import type { DueTimer, TimerHandler } from "../timers/timers.js";
import { PENDING_STATUSES } from "./model.js";
import { EXPIRE_TIMER, EXPIRY_WARNING_TIMER } from "./production.js";
import { cardRepository, recipientsOf } from "./repository.js";

/** Cards that are valid or on their way: what an expiry concerns. */
const LIVE = ["in-production", "shipped", "active"] as const;
const isLive = (status: string): boolean => (LIVE as readonly string[]).includes(status);

/**
 * The card timers. Both look at the card as it is now and do nothing when moot (a card
 * deactivated, replaced or returned meanwhile), so a timer fired twice does no harm.
 */
export function cardTimerHandlers(ctx: IamContext): Record<string, TimerHandler> {
  return {
    [EXPIRY_WARNING_TIMER]: (trx, timer) => warn(ctx, trx, timer),
    [EXPIRE_TIMER]: (trx, timer) => expire(ctx, trx, timer),
  };
}

/**
 * Ahead of the expiry the engineer is always told (chapter 9: "hiervoor ontvangt de persoon
 * altijd een melding"), and so are the company's contact persons, who request the
 * replacement. Not when a replacement is already on its way.
 */
async function warn(ctx: IamContext, trx: IamDb, timer: DueTimer): Promise<void> {
  const card = await cardRepository.find(trx, Number(timer.subject));
  if (card === undefined || !isLive(card.status) || card.valid_until === null) return;
  const replacement = await cardRepository.replacementOf(trx, card.id);
  if (replacement !== undefined && PENDING_STATUSES.includes(replacement.status)) return;
  const to = await recipientsOf(trx, card.employment_id);
  const params = {
    cardId: String(card.id),
    cardNumber: card.card_number ?? "",
    kind: card.kind,
    validUntil: ctx.workingDays.localDate(card.valid_until),
  };
  const at = ctx.clock.now();
  for (const recipient of new Set([to.email, ...to.partnerEmails])) {
    await enqueueNotification(accountDb(trx), at, "card-expiry-warning", recipient, params);
  }
}

/** At its valid-until the card expires, at central and at the doors. */
async function expire(ctx: IamContext, trx: IamDb, timer: DueTimer): Promise<void> {
  const card = await cardRepository.find(trx, Number(timer.subject));
  if (card === undefined || !isLive(card.status)) return;
  const at = ctx.clock.now();
  if (card.valid_until === null || card.valid_until > at) return;
  if (card.state_card_id !== null) {
    ctx.commands.setCardStatus(card.state_card_id, "expired", "validity ended");
  }
  await cardRepository.update(trx, card.id, {
    status: "expired",
    activation_code_hash: null,
    activation_expires_at: null,
    activation_attempts_left: null,
  });
  await appendAudit(trx, {
    actor: SYSTEM_ACTOR,
    at,
    action: "card.expired",
    entity: "card",
    entityId: card.id,
    before: { status: card.status },
    after: { status: "expired", validUntil: card.valid_until },
  });
}
