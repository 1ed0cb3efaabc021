import { z } from "zod";
import type { CardService } from "../iam/cards/service.js";
import { requireActor, signedIn } from "./actor.js";
import { registerCardLifecycleRoutes } from "./card-lifecycle-routes.js";
import {
  CardParams,
  CardRequestInput,
  CardRequestPreviewSchema,
  CardSchema,
  EmploymentParams,
  IdempotencyHeaders,
  PersonParams,
  ReplacementInput,
} from "./card-schemas.js";
import { cardView, createdHeaders, previewView, sendCard } from "./card-views.js";
import { etag, notModified, representationVersion } from "./conditional.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import type { ApiServer, ServerContext } from "./server.js";

export interface CardRoutesOptions {
  readonly context: ServerContext;
  readonly cards: CardService;
}

const TAGS = ["cards"];

/**
 * The card routes over CardService (chapters 5, 9, 12). A partner contact sees the cards
 * requested through its own company's employments: any other id is a 404 as a missing one,
 * before any precondition or idempotency check. The activation code is never answered.
 */
export function registerCardRoutes(app: ApiServer, { context, cards }: CardRoutesOptions): void {
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

  registerCardLifecycleRoutes(app, cards);

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
