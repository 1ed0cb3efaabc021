import { z } from "zod";
import type { KeyService } from "../iam/requests/keys.js";
import type { KeyIssue } from "../iam/requests/model.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import { keyView, RequestKeySchema, RouteIdSchema } from "./request-views.js";
import type { ApiServer, ServerContext } from "./server.js";

export interface KeyRoutesOptions {
  readonly context: ServerContext;
  readonly keys: KeyService;
}

const TAGS = ["keys"];
const KeyParamsSchema = z.strictObject({ keyId: RouteIdSchema });

/**
 * System keys: shipped, issued and returned as recorded by wholesale admins; each step
 * only from the status before it (409 `KEY_STATUS` otherwise, so a retry changes nothing).
 */
export function registerKeyRoutes(app: ApiServer, { keys }: KeyRoutesOptions): void {
  app.get(
    "/keys/to-return",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listKeysToReturn",
        tags: TAGS,
        summary:
          "Keys expected back (their access ended); a partner contact sees its company's only",
        querystring: PageQuerySchema,
        response: { 200: pageSchema(RequestKeySchema), ...iamProblemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const page = paginate(
        await iamCall(() => keys.toReturn(actor)),
        (k) => [k.id],
        request.query,
      );
      return { items: page.items.map(keyView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/keys",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listKeys",
        tags: TAGS,
        summary:
          "Keys in one status of their life (approved: to ship; shipped; issued; to-return; returned); a partner contact sees its company's only",
        querystring: PageQuerySchema.extend({
          status: z.enum(["approved", "shipped", "issued", "to-return", "returned", "cancelled"]),
        }),
        response: { 200: pageSchema(RequestKeySchema), ...iamProblemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { status, ...query } = request.query;
      const page = paginate(await iamCall(() => keys.list(actor, status)), (k) => [k.id], query);
      return { items: page.items.map(keyView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/keys/:keyId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getKey",
        tags: TAGS,
        summary: "One key",
        params: KeyParamsSchema,
        response: { 200: RequestKeySchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      keyView(await iamCall(() => keys.get(requireActor(request), request.params.keyId))),
  );

  const step = (
    path: string,
    operationId: string,
    summary: string,
    run: (
      actor: ReturnType<typeof requireActor>,
      keyId: number,
      body: unknown,
    ) => Promise<KeyIssue>,
    body?: z.ZodType,
  ) =>
    app.post(
      path,
      {
        preValidation: signedIn,
        schema: {
          operationId,
          tags: TAGS,
          summary,
          params: KeyParamsSchema,
          ...(body === undefined ? {} : { body }),
          response: { 200: RequestKeySchema, ...iamProblemResponses(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { keyId } = request.params as { keyId: number };
        return keyView(await iamCall(() => run(actor, keyId, request.body)));
      },
    );

  step(
    "/keys/:keyId/shipment",
    "shipKey",
    "Ship an approved key to its confirmed address (wholesale admin); the engineer is told",
    (actor, keyId, body) => keys.ship(actor, keyId, body),
    z.strictObject({
      addressConfirmed: z.literal(true).describe("The address was checked with the engineer"),
    }),
  );
  step(
    "/keys/:keyId/issue",
    "issueKey",
    "Record that the key reached its holder (wholesale admin)",
    (actor, keyId) => keys.issue(actor, keyId),
  );
  step(
    "/keys/:keyId/return",
    "returnKey",
    "Record that a key expected back was returned (wholesale admin)",
    (actor, keyId) => keys.returned(actor, keyId),
  );
}
