import { z } from "zod";
import type { RequestService } from "../iam/requests/service.js";
import { requireActor, signedIn } from "./actor.js";
import { checkIfMatch, etag, representationVersion } from "./conditional.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import {
  IdempotencyHeadersSchema,
  RequestItemSchema,
  RouteIdSchema,
  requestItemView,
} from "./request-views.js";
import type { ApiServer, ServerContext } from "./server.js";

const ItemParamsSchema = z.strictObject({ itemId: RouteIdSchema });

const AddItemsInputSchema = z.strictObject({
  employmentIds: z.array(z.number().int()).describe("Employments of one company, 1..200"),
  entryId: z.number().int().describe("A catalogue entry of the company's profile"),
  action: z.enum(["grant", "revoke"]),
});

const ItemListSchema = z
  .object({ items: z.array(RequestItemSchema) })
  .meta({ id: "RequestItemList" });

const SubmissionSchema = z
  .object({
    submissionIds: z.array(z.number().int()),
    items: z.array(RequestItemSchema).describe("The items sent, now pending"),
    notReady: z.number().int().describe("Drafts left in the basket for want of a motivation"),
  })
  .meta({ id: "RequestSubmission" });

export interface RequestRoutesOptions {
  readonly context: ServerContext;
  readonly requests: RequestService;
}

const TAGS = ["requests"];

/**
 * Baskets, submission and decisions. A partner contact sees only its company's items
 * (another's answers 404). Basket additions are all or nothing: refused ones come back as
 * a 422 listing each employment (`/employmentIds/<i>`) with its rule.
 */
export function registerRequestRoutes(
  app: ApiServer,
  { context, requests }: RequestRoutesOptions,
): void {
  app.get(
    "/basket",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getBasket",
        tags: TAGS,
        summary: "The caller's basket: its draft items",
        response: { 200: ItemListSchema, ...iamProblemResponses(401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return { items: (await iamCall(() => requests.basket(actor))).map(requestItemView) };
    },
  );

  app.post(
    "/basket/items",
    {
      preValidation: signedIn,
      schema: {
        operationId: "addBasketItems",
        tags: TAGS,
        summary: "Add an entry for many employments at once (all or nothing)",
        description:
          "Needs an Idempotency-Key. 404: an employment of another company. 409 `NOT_IN_PROFILE`, `EXCLUDED_FOR_COLOCATION`: the entry itself. 422: every refused employment at `/employmentIds/<i>`, its message starting with the rule (EMPLOYMENT_ENDED, NO_ACTIVE_CARD, CERTIFICATE_MISSING, ALREADY_HELD, ALREADY_REQUESTED, NOT_HELD); nothing added.",
        headers: IdempotencyHeadersSchema,
        body: AddItemsInputSchema,
        response: { 201: ItemListSchema, ...iamProblemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => ({
          status: 201,
          body: {
            items: (await iamCall(() => requests.addItems(actor, request.body))).map(
              requestItemView,
            ),
          },
        }),
        { required: true },
      );
    },
  );

  app.put(
    "/request-items/:itemId/motivation",
    {
      preValidation: signedIn,
      schema: {
        operationId: "setRequestMotivation",
        tags: TAGS,
        summary: "Set a draft's motivation: it is then ready to be submitted",
        params: ItemParamsSchema,
        body: z.strictObject({ motivation: z.string() }),
        response: { 200: RequestItemSchema, ...iamProblemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const item = await iamCall(() =>
        requests.setMotivation(actor, request.params.itemId, request.body.motivation),
      );
      return requestItemView(item);
    },
  );

  app.delete(
    "/request-items/:itemId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "removeRequestItem",
        tags: TAGS,
        summary: "Take a draft out of the basket",
        params: ItemParamsSchema,
        response: {
          204: z.null().describe("Removed"),
          ...iamProblemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await iamCall(() => requests.removeItem(actor, request.params.itemId));
      await reply.code(204).send(null);
    },
  );

  app.post(
    "/basket/submission",
    {
      preValidation: signedIn,
      schema: {
        operationId: "submitBasket",
        tags: TAGS,
        summary: "Send the basket's ready items together",
        description:
          "Needs an Idempotency-Key: a retry returns the first answer. Drafts without motivation stay in the basket; with nothing ready nothing is sent.",
        headers: IdempotencyHeadersSchema,
        response: { 200: SubmissionSchema, ...iamProblemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => {
          const result = await iamCall(() => requests.submit(actor));
          return {
            status: 200,
            body: {
              ...result,
              submissionIds: [...result.submissionIds],
              items: result.items.map(requestItemView),
            },
          };
        },
        { required: true },
      );
    },
  );

  app.get(
    "/request-items/:itemId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getRequestItem",
        tags: TAGS,
        summary: "One request item; its ETag is the If-Match of its decision",
        params: ItemParamsSchema,
        response: { 200: RequestItemSchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const view = requestItemView(await iamCall(() => requests.get(actor, request.params.itemId)));
      void reply.header("etag", etag(representationVersion(view)));
      return view;
    },
  );

  for (const [path, operationId, summary, overdue] of [
    ["/requests/pending", "listPendingRequests", "Pending items, the soonest due first", false],
    ["/requests/overdue", "listOverdueRequests", "Pending items past their lead time", true],
  ] as const) {
    app.get(
      path,
      {
        preValidation: signedIn,
        schema: {
          operationId,
          tags: TAGS,
          summary: `${summary}; a partner contact sees its company's only`,
          querystring: PageQuerySchema,
          response: { 200: pageSchema(RequestItemSchema), ...iamProblemResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const all = await iamCall(() =>
          overdue ? requests.overdue(actor) : requests.pending(actor),
        );
        const page = paginate(all, (i) => [i.dueAt ?? 0, i.id], request.query);
        return { items: page.items.map(requestItemView), nextCursor: page.nextCursor };
      },
    );
  }

  app.post(
    "/request-items/:itemId/decision",
    {
      preValidation: signedIn,
      schema: {
        operationId: "decideRequestItem",
        tags: TAGS,
        summary: "Approve or reject a pending item (a manager, or a deputy while delegated)",
        description:
          "Needs If-Match with the item's ETag (428 without, 412 when stale). 403 `OWN_REQUEST`: the submitter never decides, as deputy neither; 409 `NOT_PENDING`, or the rule an approval fails on when checked again (NO_ACTIVE_CARD, CERTIFICATE_MISSING, NOT_IN_PROFILE, EMPLOYMENT_ENDED); 422: a rejection without comment.",
        params: ItemParamsSchema,
        headers: z.looseObject({
          "if-match": z.string().optional().describe("Required: the item's current ETag"),
        }),
        body: z.strictObject({
          decision: z.enum(["approve", "reject"]),
          comment: z.string().nullish().describe("Required (non-blank) for a rejection"),
        }),
        response: {
          200: RequestItemSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { itemId } = request.params;
      const current = requestItemView(await iamCall(() => requests.get(actor, itemId)));
      checkIfMatch(request, representationVersion(current));
      const view = requestItemView(
        await iamCall(() => requests.decide(actor, itemId, request.body)),
      );
      void reply.header("etag", etag(representationVersion(view)));
      return view;
    },
  );
}
