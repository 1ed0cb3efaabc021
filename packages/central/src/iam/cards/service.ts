import { accountDb } from "../accounts/db.js";
import { type Actor, requireRole } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { deactivateCard } from "../effects.js";
import { forbidden, IamError, ruleRefused } from "../errors.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { visibleCard, visibleEmployment, visiblePerson } from "../scope.js";
import type { TimerHandler } from "../timers/timers.js";
import { attemptActivation, wrongCode } from "./activation.js";
import { addressVersion, checkAddressConfirmed } from "./address.js";
import { cardTimerHandlers } from "./expiry.js";
import type { Card, CardRequestPreview } from "./model.js";
import { produceCard, reissueCode, requireCard, shipCard } from "./production.js";
import { openReplacement } from "./replacement.js";
import { cardOf, cardRepository, recipientsOf } from "./repository.js";
import { activeAccessCard, openCardRequest, shippingAddressOf } from "./request.js";
import {
  validateActivation,
  validateCardRequest,
  validateDeactivation,
  validateDecisionComment,
  validateProduction,
  validateReplacement,
} from "./validation.js";

const READERS = ["wholesale-admin", "manager", "helpdesk", "auditor", "partner-contact"] as const;
const REQUESTERS = ["wholesale-admin", "manager", "partner-contact"] as const;

/**
 * Access cards and PoP cards (source chapters 5, 9, 12; FAQ 6, 8, 11): requested ->
 * approved (a manager other than the requester) -> in-production (number, state card) ->
 * shipped (code by SMS apart) -> active -> inactive | expired | returned; replacements.
 * One transaction per command; a partner contact sees its own company's cards only.
 */
export class CardService {
  constructor(private readonly ctx: IamContext) {}

  // --- reads ---

  async get(actor: Actor, cardId: number): Promise<Card> {
    requireRole(actor, READERS, "read cards");
    return cardOf(await visibleCard(this.ctx.db, actor, cardId));
  }

  /** The person's cards, newest first; a partner sees those requested through its company. */
  async listForPerson(actor: Actor, personId: number): Promise<Card[]> {
    requireRole(actor, READERS, "read cards");
    await visiblePerson(this.ctx.db, actor, personId);
    const company = actor.role === "partner-contact" ? (actor.companyId ?? -1) : undefined;
    return (await cardRepository.ofPerson(this.ctx.db, personId, company)).map(cardOf);
  }

  async listForEmployment(actor: Actor, employmentId: number): Promise<Card[]> {
    requireRole(actor, READERS, "read cards");
    await visibleEmployment(this.ctx.db, actor, employmentId);
    return (await cardRepository.ofEmployment(this.ctx.db, employmentId)).map(cardOf);
  }

  /** Where a card for the employment would go, with the version to confirm it by. */
  async previewRequest(actor: Actor, employmentId: number): Promise<CardRequestPreview> {
    requireRole(actor, REQUESTERS, "request cards");
    const employment = await visibleEmployment(this.ctx.db, actor, employmentId);
    const address = await shippingAddressOf(this.ctx.db, employmentId);
    const active = await activeAccessCard(this.ctx.db, employment.person_id);
    return {
      employmentId,
      personId: employment.person_id,
      address,
      addressVersion: addressVersion(address),
      activeAccessCardId: active?.id ?? null,
    };
  }

  // --- commands ---

  /**
   * Requests an access or PoP card for the employment's person, to the confirmed address.
   * Refuses ADDRESS_NOT_CONFIRMED, ACTIVE_CARD_EXISTS (replace that one instead),
   * COMPANY_CARD_NEEDED (a PoP card without an active company card),
   * EMPLOYMENT_ENDED, and CONFLICT CARD_REQUEST_PENDING naming the card on its way.
   */
  async requestCard(actor: Actor, employmentId: number, input: unknown): Promise<Card> {
    requireRole(actor, REQUESTERS, "request cards");
    const data = validateCardRequest(input);
    return this.command(actor, "card requested", async (trx) => {
      const employment = await visibleEmployment(trx, actor, employmentId);
      if (employment.status !== "active") {
        throw ruleRefused("EMPLOYMENT_ENDED", `employment ${employmentId} has ended`);
      }
      await checkAddressConfirmed(trx, employmentId, data.confirmedAddressVersion);
      const active = await cardRepository.activeOfPerson(trx, employment.person_id, data.kind);
      if (active !== undefined) {
        throw ruleRefused(
          "ACTIVE_CARD_EXISTS",
          `person ${employment.person_id} already has active ${data.kind} card ${active.id}: no new card is needed (request a replacement of card ${active.id} if it is lost, broken or expiring)`,
        );
      }
      // Ch. 12: the PoP card comes on top of the company card, never instead of it.
      if (
        data.kind === "pop" &&
        (await cardRepository.activeOfPerson(trx, employment.person_id, "access")) === undefined
      ) {
        throw ruleRefused(
          "COMPANY_CARD_NEEDED",
          `person ${employment.person_id} has no active company card: the PoP card is requested once it is active`,
        );
      }
      const pending = await cardRepository.pendingOfPerson(trx, employment.person_id, data.kind);
      if (pending !== undefined) {
        throw new IamError(
          "CONFLICT",
          `person ${employment.person_id} already has ${data.kind} card ${pending.id} on its way (${pending.status})`,
          "CARD_REQUEST_PENDING",
          { existing: { cardId: pending.id, status: pending.status } },
        );
      }
      const id = await openCardRequest(this.ctx, trx, actor, { employmentId, kind: data.kind });
      return requireCard(trx, id);
    });
  }

  approve(actor: Actor, cardId: number, comment?: string | null): Promise<Card> {
    return this.decide(actor, cardId, "approved", comment);
  }

  /** Rejects a requested card; the comment (why) is required. */
  reject(actor: Actor, cardId: number, comment: string): Promise<Card> {
    return this.decide(actor, cardId, "rejected", comment);
  }

  /** Production (wholesale admin): number, state card, validity and its timers. */
  async produce(actor: Actor, cardId: number, input: unknown = {}): Promise<Card> {
    requireRole(actor, ["wholesale-admin"], "produce cards");
    const data = validateProduction(input);
    return this.command(actor, "card produced", (trx) =>
      produceCard(this.ctx, trx, actor, cardId, data),
    );
  }

  /** Shipping (wholesale admin): the code goes apart by SMS. */
  async ship(actor: Actor, cardId: number): Promise<Card> {
    requireRole(actor, ["wholesale-admin"], "ship cards");
    return this.command(actor, "card shipped", (trx) => shipCard(this.ctx, trx, actor, cardId));
  }

  async reissueActivationCode(actor: Actor, cardId: number): Promise<Card> {
    requireRole(actor, ["wholesale-admin"], "reissue activation codes");
    return this.command(actor, "activation code reissued", (trx) =>
      reissueCode(this.ctx, trx, actor, cardId),
    );
  }

  /**
   * Activates a shipped card with its code. A wrong code is counted (committed) and then
   * refused WRONG_ACTIVATION_CODE with the attempts left; ACTIVATION_LOCKED when none are
   * left, ACTIVATION_CODE_EXPIRED after its validity.
   */
  async activate(actor: Actor, cardId: number, input: unknown): Promise<Card> {
    requireRole(actor, ["wholesale-admin", "partner-contact"], "activate cards");
    const { code } = validateActivation(input);
    const outcome = await inTransaction(this.ctx.db, async (trx) => {
      const row = await visibleCard(trx, actor, cardId);
      return attemptActivation(this.ctx, trx, actor, row, code);
    });
    this.ctx.committed();
    if ("wrongCode" in outcome) {
      this.ctx.log?.info({ actor: actor.accountId, cardId }, "card activation refused");
      throw wrongCode(cardId, outcome.wrongCode.attemptsLeft);
    }
    this.ctx.log?.info({ actor: actor.accountId, cardId }, "card activated");
    return cardOf(outcome.activated);
  }

  /** A replacement of the card (same approval path); see replacement.ts for the rules. */
  async requestReplacement(actor: Actor, cardId: number, input: unknown): Promise<Card> {
    requireRole(actor, REQUESTERS, "request replacement cards");
    const data = validateReplacement(input);
    return this.command(actor, "replacement requested", async (trx) => {
      const old = await visibleCard(trx, actor, cardId);
      return openReplacement(this.ctx, trx, actor, old, data);
    });
  }

  /** Deactivates a live card at once; lost / stolen / defective is what the doors see. */
  async deactivate(actor: Actor, cardId: number, input: unknown): Promise<Card> {
    requireRole(actor, REQUESTERS, "deactivate cards");
    const data = validateDeactivation(input);
    return this.command(actor, "card deactivated", async (trx) => {
      const row = await visibleCard(trx, actor, cardId);
      const reason = data.note === null ? data.reason : `${data.reason}: ${data.note}`;
      const stateStatus = data.reason === "other" ? "inactive" : data.reason;
      if (!(await deactivateCard(this.ctx, trx, actor, cardId, reason, { stateStatus }))) {
        throw ruleRefused(
          "NOT_LIVE",
          `card ${cardId} is ${row.status}: only a card in production, shipped or active is deactivated`,
        );
      }
      const to = await recipientsOf(trx, row.employment_id);
      await enqueueNotification(
        accountDb(trx),
        this.ctx.clock.now(),
        "card-deactivated",
        to.email,
        {
          cardId: String(cardId),
          reason: data.reason,
        },
      );
      return requireCard(trx, cardId);
    });
  }

  /** The physical card came back (chapter 14); a live one is deactivated first. */
  async markReturned(actor: Actor, cardId: number): Promise<Card> {
    requireRole(actor, ["wholesale-admin"], "register returned cards");
    return this.command(actor, "card returned", async (trx) => {
      const row = await requireCard(trx, cardId);
      if (!["in-production", "shipped", "active", "inactive", "expired"].includes(row.status)) {
        throw ruleRefused(
          "NOT_RETURNABLE",
          `card ${cardId} is ${row.status}: there is no physical card to return`,
        );
      }
      await deactivateCard(this.ctx, trx, actor, cardId, "returned");
      const at = this.ctx.clock.now();
      const after = await cardRepository.update(trx, cardId, {
        status: "returned",
        returned_at: at,
        to_return: 0,
      });
      await appendAudit(trx, {
        actor,
        at,
        action: "card.returned",
        entity: "card",
        entityId: cardId,
        before: { status: row.status, toReturn: row.to_return === 1 },
        after: { status: "returned" },
      });
      return after;
    });
  }

  timerHandlers(): Record<string, TimerHandler> {
    return cardTimerHandlers(this.ctx);
  }

  // --- internals ---

  private async decide(
    actor: Actor,
    cardId: number,
    status: "approved" | "rejected",
    comment: unknown,
  ): Promise<Card> {
    requireRole(actor, ["manager"], `${status === "approved" ? "approve" : "reject"} cards`);
    const text = validateDecisionComment(comment, status === "rejected");
    return this.command(actor, `card ${status}`, async (trx) => {
      const row = await visibleCard(trx, actor, cardId);
      if (row.status !== "requested") {
        throw ruleRefused(
          "NOT_PENDING",
          `card ${cardId} is already ${row.status}: only a requested card is decided`,
        );
      }
      if (row.requested_by === actor.accountId) {
        throw forbidden(
          `card ${cardId} was requested by ${actor.accountId}, who cannot decide it`,
          "OWN_REQUEST",
        );
      }
      const at = this.ctx.clock.now();
      const after = await cardRepository.update(trx, cardId, {
        status,
        decided_by: actor.accountId,
        decided_at: at,
        decision_comment: text,
      });
      await appendAudit(trx, {
        actor,
        at,
        action: `card.${status}`,
        entity: "card",
        entityId: cardId,
        before: { status: row.status },
        after: { status, comment: text },
      });
      return after;
    });
  }

  /** One command: its transaction, then the committed() signal and a log line of ids. */
  private async command(
    actor: Actor,
    what: string,
    fn: (trx: IamDb) => Promise<Parameters<typeof cardOf>[0]>,
  ): Promise<Card> {
    const row = await inTransaction(this.ctx.db, fn);
    this.ctx.committed();
    this.ctx.log?.info({ actor: actor.accountId, cardId: row.id }, what);
    return cardOf(row);
  }
}
