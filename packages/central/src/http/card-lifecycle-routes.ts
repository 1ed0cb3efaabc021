import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Actor } from "../iam/actor.js";
import type { Card } from "../iam/cards/model.js";
import type { CardService } from "../iam/cards/service.js";
import { requireActor, signedIn } from "./actor.js";
import {
  ActivationInput,
  CardParams,
  CardSchema,
  DeactivationInput,
  DecisionInput,
  IfMatchHeaders,
  NoBody,
  ProductionInput,
} from "./card-schemas.js";
import { cardView, sendCard } from "./card-views.js";
import { checkIfMatch, representationVersion } from "./conditional.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import type { ApiServer } from "./server.js";

const TAGS = ["cards"];

/**
 * The card's life after its request (chapters 5, 9, 12): the approval, production,
 * shipment, activation (the code is never answered), deactivation and return. A partner
 * contact sees its own company's cards only: any other id is a 404 as a missing one.
 */
export function registerCardLifecycleRoutes(app: ApiServer, cards: CardService): void {
  /** The card as the caller sees it (404 otherwise), checked against If-Match. */
  async function current(request: FastifyRequest, actor: Actor, cardId: number, required: boolean) {
    const card = await iamCall(() => cards.get(actor, cardId));
    checkIfMatch(request, representationVersion(cardView(card)), { required });
    return card;
  }

  /** A POST on /cards/:cardId that changes the card and answers it. */
  function cardAction<B extends z.ZodType>(
    path: string,
    meta: { operationId: string; summary: string; description: string },
    body: B,
    ifMatch: boolean,
    run: (actor: Actor, cardId: number, body: z.output<B>) => Promise<Card>,
  ): void {
    app.post(
      path,
      {
        preValidation: signedIn,
        schema: {
          operationId: meta.operationId,
          tags: TAGS,
          summary: meta.summary,
          description: meta.description,
          params: CardParams,
          ...(ifMatch ? { headers: IfMatchHeaders(false) } : {}),
          body,
          response: {
            200: CardSchema,
            ...iamProblemResponses(400, 401, 403, 404, 409, 412, 422),
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const { cardId } = request.params as { cardId: number };
        if (ifMatch) await current(request, actor, cardId, false);
        const result = sendCard(
          reply,
          await iamCall(() => run(actor, cardId, request.body as z.output<B>)),
        );
        return result.body;
      },
    );
  }

  app.post(
    "/cards/:cardId/approval",
    {
      preValidation: signedIn,
      schema: {
        operationId: "decideCard",
        tags: TAGS,
        summary: "Approve or reject a requested card (a manager other than its requester)",
        description:
          "Needs If-Match with the card's ETag (428 without, 412 when stale). 403 `OWN_REQUEST`: the requester cannot decide; 409 `NOT_PENDING`; 422: a rejection without comment.",
        params: CardParams,
        headers: IfMatchHeaders(true),
        body: DecisionInput,
        response: {
          200: CardSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { cardId } = request.params;
      await current(request, actor, cardId, true);
      const { decision, comment } = request.body;
      const decided = await iamCall(() =>
        decision === "approve"
          ? cards.approve(actor, cardId, comment)
          : cards.reject(actor, cardId, comment ?? ""),
      );
      return sendCard(reply, decided).body;
    },
  );

  cardAction(
    "/cards/:cardId/production",
    {
      operationId: "produceCard",
      summary: "Produce an approved card: its number (the next free one, or the given one)",
      description:
        "Wholesale admin. Access cards get their card at the doors (not activated yet). 409 `NOT_APPROVED`; 409 `CARD_NUMBER_TAKEN` names the card holding the number.",
    },
    ProductionInput,
    true,
    (actor, cardId, body) => cards.produce(actor, cardId, body ?? {}),
  );

  cardAction(
    "/cards/:cardId/shipment",
    {
      operationId: "shipCard",
      summary: "Ship a produced card; its activation code goes apart by SMS",
      description: "Wholesale admin. 409 `NOT_IN_PRODUCTION`.",
    },
    NoBody,
    true,
    (actor, cardId) => cards.ship(actor, cardId),
  );

  cardAction(
    "/cards/:cardId/activation",
    {
      operationId: "activateCard",
      summary: "Activate a shipped card with the code sent by SMS",
      description:
        "409 `WRONG_ACTIVATION_CODE` (the attempt counts; the detail says how many are left), `ACTIVATION_LOCKED`, `ACTIVATION_CODE_EXPIRED` (ask for a new code), `NOT_SHIPPED`. A replacement ends the card it replaces now.",
    },
    ActivationInput,
    false,
    (actor, cardId, body) => cards.activate(actor, cardId, body),
  );

  cardAction(
    "/cards/:cardId/activation-code",
    {
      operationId: "reissueCardActivationCode",
      summary: "Send a new activation code for a shipped card (the old one stops working)",
      description: "Wholesale admin. 409 `NOT_SHIPPED`.",
    },
    NoBody,
    false,
    (actor, cardId) => cards.reissueActivationCode(actor, cardId),
  );

  cardAction(
    "/cards/:cardId/deactivation",
    {
      operationId: "deactivateCard",
      summary: "Deactivate a card at once (lost, stolen, defective or other)",
      description: "409 `NOT_LIVE`: the card is not in production, shipped or active.",
    },
    DeactivationInput,
    true,
    (actor, cardId, body) => cards.deactivate(actor, cardId, body),
  );

  cardAction(
    "/cards/:cardId/return",
    {
      operationId: "registerCardReturn",
      summary: "Register that the physical card came back (a live card is deactivated)",
      description: "Wholesale admin. 409 `NOT_RETURNABLE`.",
    },
    NoBody,
    true,
    (actor, cardId) => cards.markReturned(actor, cardId),
  );
}
