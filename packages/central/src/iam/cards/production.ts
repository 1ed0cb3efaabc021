import { accountDb } from "../accounts/db.js";
import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { iamNotFound, ruleRefused } from "../errors.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { scheduleTimer } from "../timers/timers.js";
import { assignCardNumber, hashActivationCode, newActivationCode } from "./numbers.js";
import { type CardRow, cardRepository, recipientsOf } from "./repository.js";
import type { ProductionData } from "./validation.js";

const DAY_MS = 86_400_000;

export const EXPIRY_WARNING_TIMER = "card.expiry-warning";
export const EXPIRE_TIMER = "card.expire";

/** `years` calendar years after `at` (29 February lands on 1 March). */
export function addYears(at: number, years: number): number {
  const d = new Date(at);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
}

export async function requireCard(trx: IamDb, cardId: number): Promise<CardRow> {
  const row = await cardRepository.find(trx, cardId);
  if (row === undefined) throw iamNotFound("card", cardId);
  return row;
}

function requireStatus(row: CardRow, status: CardRow["status"], action: string): void {
  if (row.status !== status) {
    throw ruleRefused(
      `NOT_${status.toUpperCase().replaceAll("-", "_")}`,
      `card ${row.id} is ${row.status}: only a card that is ${status} can be ${action}`,
    );
  }
}

/**
 * Production: the card gets its number (the next free one in the configured facility, or the
 * given one when free) and, for an access card, its state card ("not-activated": the doors
 * know it but refuse it until activation); its validity starts, with the expiry timers.
 */
export async function produceCard(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  cardId: number,
  data: ProductionData,
): Promise<CardRow> {
  const row = await requireCard(trx, cardId);
  requireStatus(row, "approved", "produced");
  const at = ctx.clock.now();
  const place = { format: ctx.config.cardFormat, facility: ctx.config.cardFacility };
  const number = await assignCardNumber(trx, row.kind, place, data.number);
  const validUntil = addYears(at, ctx.config.cardValidityYears);
  let stateCardId: number | null = null;
  if (row.kind === "access") {
    const person = await trx
      .selectFrom("iam_person")
      .select("state_person_id")
      .where("id", "=", row.person_id)
      .executeTakeFirstOrThrow();
    ({ cardId: stateCardId } = ctx.commands.issueCard({
      personId: person.state_person_id,
      format: place.format,
      facility: place.facility,
      number,
      status: "not-activated",
      validFrom: at,
      validUntil,
    }));
  }
  const after = await cardRepository.update(trx, cardId, {
    status: "in-production",
    card_number: String(number),
    state_card_id: stateCardId,
    produced_at: at,
    valid_until: validUntil,
  });
  const warnAt = Math.max(validUntil - ctx.config.cardExpiryWarningDays * DAY_MS, at);
  await scheduleTimer(trx, at, { kind: EXPIRY_WARNING_TIMER, subject: cardId, dueAt: warnAt });
  await scheduleTimer(trx, at, { kind: EXPIRE_TIMER, subject: cardId, dueAt: validUntil });
  await appendAudit(trx, {
    actor,
    at,
    action: "card.produced",
    entity: "card",
    entityId: cardId,
    before: { status: row.status },
    after: { status: after.status, cardNumber: after.card_number, stateCardId, validUntil },
  });
  return after;
}

/**
 * Shipping: the card goes by post (e-mail "card-shipped"), its single-use activation code
 * SEPARATELY by SMS to the engineer's mobile (FAQ 11); only the code's hash is kept.
 */
export async function shipCard(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  cardId: number,
): Promise<CardRow> {
  const row = await requireCard(trx, cardId);
  requireStatus(row, "in-production", "shipped");
  const at = ctx.clock.now();
  const after = await cardRepository.update(trx, cardId, { status: "shipped", shipped_at: at });
  await sendActivationCode(ctx, trx, after, at);
  const to = await recipientsOf(trx, row.employment_id);
  await enqueueNotification(accountDb(trx), at, "card-shipped", to.email, {
    cardId: String(cardId),
    kind: row.kind,
    cardNumber: after.card_number ?? "",
  });
  await appendAudit(trx, {
    actor,
    at,
    action: "card.shipped",
    entity: "card",
    entityId: cardId,
    before: { status: row.status },
    after: { status: after.status },
  });
  return requireCard(trx, cardId);
}

/** A new activation code for a shipped card (lost SMS, expired or locked code). */
export async function reissueCode(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  cardId: number,
): Promise<CardRow> {
  const row = await requireCard(trx, cardId);
  requireStatus(row, "shipped", "given a new activation code");
  const at = ctx.clock.now();
  await sendActivationCode(ctx, trx, row, at);
  await appendAudit(trx, {
    actor,
    at,
    action: "card.activation-code-reissued",
    entity: "card",
    entityId: cardId,
    before: { attemptsLeft: row.activation_attempts_left },
    after: { attemptsLeft: ctx.config.activationAttempts },
  });
  return requireCard(trx, cardId);
}

async function sendActivationCode(
  ctx: IamContext,
  trx: IamDb,
  row: CardRow,
  at: number,
): Promise<void> {
  const code = newActivationCode();
  await cardRepository.update(trx, row.id, {
    activation_code_hash: hashActivationCode(code),
    activation_expires_at: at + ctx.config.activationCodeTtlDays * DAY_MS,
    activation_attempts_left: ctx.config.activationAttempts,
  });
  const to = await recipientsOf(trx, row.employment_id);
  await enqueueNotification(accountDb(trx), at, "card-activation-code", to.mobile, {
    cardId: String(row.id),
    cardNumber: row.card_number ?? "",
    code,
  });
}
