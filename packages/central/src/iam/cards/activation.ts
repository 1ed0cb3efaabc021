import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { deactivateCard } from "../effects.js";
import { IamError, ruleRefused } from "../errors.js";
import { cancelTimer } from "../timers/timers.js";
import { activationCodeMatches } from "./numbers.js";
import { EXPIRE_TIMER, EXPIRY_WARNING_TIMER, requireCard } from "./production.js";
import { type CardRow, cardRepository } from "./repository.js";

/** The outcome of an activation attempt: the active card, or a wrong code (counted). */
export type ActivationOutcome =
  | { readonly activated: CardRow }
  | { readonly wrongCode: { readonly attemptsLeft: number } };

/**
 * Checks the code of a shipped card. A wrong code is COUNTED here (the caller commits that
 * and then refuses), so guessing stops after the configured attempts. A right one makes the
 * card active at central and at the doors; a replacement first ends the card it replaces
 * (the state refuses a second active card), in the same transaction.
 */
export async function attemptActivation(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  row: CardRow,
  code: string,
): Promise<ActivationOutcome> {
  const cardId = row.id;
  if (row.status !== "shipped") {
    throw ruleRefused(
      "NOT_SHIPPED",
      row.status === "active"
        ? `card ${cardId} is active already`
        : `card ${cardId} is ${row.status}: only a shipped card is activated`,
    );
  }
  const at = ctx.clock.now();
  if ((row.activation_attempts_left ?? 0) <= 0 || row.activation_code_hash === null) {
    throw ruleRefused(
      "ACTIVATION_LOCKED",
      `the activation code of card ${cardId} is locked after too many wrong attempts: ask for a new code`,
    );
  }
  if ((row.activation_expires_at ?? 0) <= at) {
    throw ruleRefused(
      "ACTIVATION_CODE_EXPIRED",
      `the activation code of card ${cardId} expired at ${new Date(row.activation_expires_at ?? 0).toISOString()}: ask for a new code`,
    );
  }
  if (!activationCodeMatches(code, row.activation_code_hash)) {
    const attemptsLeft = (row.activation_attempts_left ?? 1) - 1;
    await cardRepository.update(trx, cardId, { activation_attempts_left: attemptsLeft });
    await appendAudit(trx, {
      actor,
      at,
      action: "card.activation-failed",
      entity: "card",
      entityId: cardId,
      before: { attemptsLeft: row.activation_attempts_left },
      after: { attemptsLeft },
    });
    return { wrongCode: { attemptsLeft } };
  }
  await endReplacedCard(ctx, trx, actor, row);
  const other = await cardRepository.activeOfPerson(trx, row.person_id, row.kind);
  if (other !== undefined) {
    throw ruleRefused(
      "ACTIVE_CARD_EXISTS",
      `person ${row.person_id} already has active ${row.kind} card ${other.id}: deactivate it first`,
    );
  }
  if (row.state_card_id !== null) ctx.commands.setCardStatus(row.state_card_id, "active");
  const activated = await cardRepository.update(trx, cardId, {
    status: "active",
    activated_at: at,
    activation_code_hash: null,
    activation_expires_at: null,
    activation_attempts_left: null,
  });
  await appendAudit(trx, {
    actor,
    at,
    action: "card.activated",
    entity: "card",
    entityId: cardId,
    before: { status: row.status },
    after: { status: "active", replacedCardId: row.replaces_card_id },
  });
  return { activated };
}

/** The old card a replacement kept valid ("damaged", "expiring", ...) ends now: "replaced". */
async function endReplacedCard(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  row: CardRow,
): Promise<void> {
  if (row.replaces_card_id === null) return;
  const old = await requireCard(trx, row.replaces_card_id);
  if (old.status !== "active" && old.status !== "shipped") return;
  await deactivateCard(ctx, trx, actor, old.id, `replaced by card ${row.id}`, {
    stateStatus: "replaced",
  });
  await cancelTimer(trx, EXPIRY_WARNING_TIMER, old.id);
  await cancelTimer(trx, EXPIRE_TIMER, old.id);
}

/** The refusal of a wrong code, after its attempt was committed. */
export function wrongCode(cardId: number, attemptsLeft: number): IamError {
  return new IamError(
    "RULE",
    attemptsLeft > 0
      ? `wrong activation code for card ${cardId}: ${attemptsLeft} attempt(s) left`
      : `wrong activation code for card ${cardId}: no attempts left, the code is locked; ask for a new code`,
    "WRONG_ACTIVATION_CODE",
    { attemptsLeft },
  );
}
