import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Actor } from "../iam/actor.js";
import {
  type Card,
  type CardRequestPreview,
  DEACTIVATION_REASONS,
  REPLACEMENT_REASONS,
} from "../iam/cards/model.js";
import type { ShippingAddress } from "../iam/cards/request.js";
import type { CardService } from "../iam/cards/service.js";
import { requireActor, signedIn } from "./actor.js";
import { representationVersion } from "./company-routes.js";
import { checkIfMatch, etag, notModified } from "./conditional.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import type { ApiServer, ServerContext } from "./server.js";

const IdSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, "a positive whole number")
  .transform(Number);
const CardParams = z.strictObject({ cardId: IdSchema });
const EmploymentParams = z.strictObject({ employmentId: IdSchema });
const PersonParams = z.strictObject({ personId: IdSchema });

const IdempotencyHeaders = z.looseObject({
  "idempotency-key": z
    .string()
    .describe("Required: a retry with the same key and body is answered once, not redone"),
});
const IfMatchHeaders = (required: boolean) =>
  z.looseObject({
    "if-match": z
      .string()
      .optional()
      .describe(
        required
          ? "Required: the card's current ETag (428 without, 412 when stale)"
          : "Optional: the card's ETag; 412 when the card changed meanwhile",
      ),
  });
const NoBody = z.strictObject({}).nullish();

// --- bodies: shapes only; the service validates values and reports every field at once ---

const CardRequestInput = z.strictObject({
  kind: z.enum(["access", "pop"]).optional().describe("access (default) or pop: the PoP card"),
  confirmedAddressVersion: z.string().describe("addressVersion of the card-request preview"),
});
const ReplacementInput = z.strictObject({
  reason: z.enum(REPLACEMENT_REASONS).describe("lost, stolen, defective block the old card now"),
  note: z.string().nullish(),
  confirmedAddressVersion: z.string().describe("addressVersion of the card-request preview"),
});
const DecisionInput = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().nullish().describe("Required (non-blank) for a rejection"),
});
const ProductionInput = z
  .strictObject({ number: z.number().int().optional().describe("A free number; else the next") })
  .nullish();
const ActivationInput = z.strictObject({
  code: z.string().describe("The 8-digit code sent by SMS"),
});
const DeactivationInput = z.strictObject({
  reason: z.enum(DEACTIVATION_REASONS),
  note: z.string().nullish(),
});

// --- responses ---

const CardAddressSchema = z
  .object({
    name: z.string(),
    street: z.string(),
    number: z.string(),
    addition: z.string().nullable(),
    line2: z.string().nullable(),
    postcode: z.string(),
    city: z.string(),
    country: z.string(),
  })
  .meta({ id: "CardShippingAddress" });

const instant = z.string().nullable().describe("ISO-8601 instant, UTC");

export const CardSchema = z
  .object({
    id: z.number().int(),
    personId: z.number().int(),
    employmentId: z.number().int(),
    kind: z.enum(["access", "pop"]),
    status: z.enum([
      "requested",
      "approved",
      "rejected",
      "in-production",
      "shipped",
      "active",
      "inactive",
      "expired",
      "returned",
    ]),
    cardNumber: z.string().nullable(),
    stateCardId: z.number().int().nullable().describe("The card at the doors (access cards)"),
    replacesCardId: z.number().int().nullable(),
    replacementReason: z.string().nullable(),
    requestNote: z.string().nullable(),
    shippingAddress: CardAddressSchema.nullable(),
    validUntil: instant,
    requestedBy: z.string(),
    requestedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: instant,
    decisionComment: z.string().nullable(),
    producedAt: instant,
    shippedAt: instant,
    activationExpiresAt: instant,
    activationAttemptsLeft: z.number().int().nullable(),
    activatedAt: instant,
    deactivatedAt: instant,
    deactivationReason: z.string().nullable(),
    toReturn: z.boolean(),
    returnedAt: instant,
  })
  .meta({ id: "Card" });

const CardRequestPreviewSchema = z
  .object({
    employmentId: z.number().int(),
    personId: z.number().int(),
    address: CardAddressSchema,
    addressVersion: z.string().describe("Send back as confirmedAddressVersion"),
    activeAccessCardId: z.number().int().nullable(),
  })
  .meta({ id: "CardRequestPreview" });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const addressView = (a: ShippingAddress) => ({ ...a });

export function cardView(c: Card): z.output<typeof CardSchema> {
  return {
    ...c,
    shippingAddress: c.shippingAddress === null ? null : addressView(c.shippingAddress),
    validUntil: iso(c.validUntil),
    requestedAt: new Date(c.requestedAt).toISOString(),
    decidedAt: iso(c.decidedAt),
    producedAt: iso(c.producedAt),
    shippedAt: iso(c.shippedAt),
    activationExpiresAt: iso(c.activationExpiresAt),
    activatedAt: iso(c.activatedAt),
    deactivatedAt: iso(c.deactivatedAt),
    returnedAt: iso(c.returnedAt),
  };
}

const previewView = (p: CardRequestPreview) => ({ ...p, address: addressView(p.address) });

export interface CardRoutesOptions {
  readonly context: ServerContext;
  readonly cards: CardService;
}

const TAGS = ["cards"];

/** Sends a card with its ETag. */
function sendCard(reply: FastifyReply, card: Card, status = 200) {
  const view = cardView(card);
  void reply.header("etag", etag(representationVersion(view)));
  return { status, body: view };
}

/** Location and ETag of a 201, first answer and idempotent replay alike. */
async function createdHeaders(_request: unknown, reply: FastifyReply, payload: unknown) {
  if (reply.statusCode === 201 && typeof payload === "string") {
    const body = JSON.parse(payload) as { id?: unknown };
    if (typeof body.id === "number") void reply.header("location", `/cards/${body.id}`);
    void reply.header("etag", etag(representationVersion(body)));
  }
  return payload;
}

/**
 * The card routes over CardService (chapters 5, 9, 12). A partner contact sees the cards
 * requested through its own company's employments: any other id is a 404 as a missing one,
 * before any precondition or idempotency check. The activation code is never answered.
 */
export function registerCardRoutes(app: ApiServer, { context, cards }: CardRoutesOptions): void {
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

  app.get(
    "/employments/:employmentId/card-request-preview",
    {
      preValidation: signedIn,
      schema: {
        operationId: "previewCardRequest",
        tags: TAGS,
        summary: "The address a card for the employment goes to, and its version to confirm",
        params: EmploymentParams,
        response: { 200: CardRequestPreviewSchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return previewView(
        await iamCall(() => cards.previewRequest(actor, request.params.employmentId)),
      );
    },
  );

  app.post(
    "/employments/:employmentId/card-requests",
    {
      preValidation: signedIn,
      schema: {
        operationId: "requestCard",
        tags: TAGS,
        summary: "Request an access or PoP card for the employment (pending approval)",
        description:
          "Needs an Idempotency-Key. 409 `ADDRESS_NOT_CONFIRMED`: the address changed since the preview; `ACTIVE_CARD_EXISTS`: the person has an active card (request a replacement); `CARD_REQUEST_PENDING`: a card is on its way; `EMPLOYMENT_ENDED`.",
        params: EmploymentParams,
        headers: IdempotencyHeaders,
        body: CardRequestInput,
        response: { 201: CardSchema, ...iamProblemResponses(400, 401, 403, 404, 409, 422) },
      },
      onSend: createdHeaders,
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { employmentId } = request.params;
      await iamCall(() => cards.previewRequest(actor, employmentId));
      await context.idempotency.run(
        request,
        reply,
        async () =>
          sendCard(
            reply,
            await iamCall(() => cards.requestCard(actor, employmentId, request.body)),
            201,
          ),
        { required: true },
      );
    },
  );

  app.get(
    "/employments/:employmentId/cards",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listEmploymentCards",
        tags: TAGS,
        summary: "The cards requested through the employment, newest first",
        params: EmploymentParams,
        querystring: PageQuerySchema,
        response: { 200: pageSchema(CardSchema), ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const all = await iamCall(() => cards.listForEmployment(actor, request.params.employmentId));
      const page = paginate(all, (c) => [-c.id], request.query);
      return { items: page.items.map(cardView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/persons/:personId/cards",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listPersonCards",
        tags: TAGS,
        summary: "The person's cards, newest first (a partner: those of its own company)",
        params: PersonParams,
        querystring: PageQuerySchema,
        response: { 200: pageSchema(CardSchema), ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const all = await iamCall(() => cards.listForPerson(actor, request.params.personId));
      const page = paginate(all, (c) => [-c.id], request.query);
      return { items: page.items.map(cardView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/cards/:cardId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getCard",
        tags: TAGS,
        summary: "One card; its ETag is the If-Match of its updates, If-None-Match answers 304",
        params: CardParams,
        headers: z.looseObject({
          "if-none-match": z.string().optional().describe("ETag of the copy held: 304 if current"),
        }),
        response: {
          200: CardSchema,
          304: z.null().describe("Not modified"),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { body } = sendCard(
        reply,
        await iamCall(() => cards.get(actor, request.params.cardId)),
      );
      if (notModified(request, etag(representationVersion(body)))) {
        await reply.code(304).send(null);
        return;
      }
      return body;
    },
  );

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

  app.post(
    "/cards/:cardId/replacement",
    {
      preValidation: signedIn,
      schema: {
        operationId: "requestCardReplacement",
        tags: TAGS,
        summary: "Request a replacement card (answers the new card, pending approval)",
        description:
          "Needs an Idempotency-Key. Lost, stolen or defective deactivate the old card at once; other reasons keep it valid until the new card is activated. 409 `REPLACEMENT_NOT_POSSIBLE` says why; `REPLACEMENT_PENDING` names the replacement on its way; `ADDRESS_NOT_CONFIRMED`.",
        params: CardParams,
        headers: IdempotencyHeaders,
        body: ReplacementInput,
        response: { 201: CardSchema, ...iamProblemResponses(400, 401, 403, 404, 409, 422) },
      },
      onSend: createdHeaders,
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { cardId } = request.params;
      await iamCall(() => cards.get(actor, cardId));
      await context.idempotency.run(
        request,
        reply,
        async () =>
          sendCard(
            reply,
            await iamCall(() => cards.requestReplacement(actor, cardId, request.body)),
            201,
          ),
        { required: true },
      );
    },
  );
}
