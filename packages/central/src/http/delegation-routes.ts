import { z } from "zod";
import type { RequestService } from "../iam/requests/service.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import {
  delegationView,
  IdempotencyHeadersSchema,
  RequestDelegationSchema,
  RouteIdSchema,
} from "./request-views.js";
import type { ApiServer, ServerContext } from "./server.js";

export interface DelegationRoutesOptions {
  readonly context: ServerContext;
  readonly requests: RequestService;
}

const TAGS = ["requests"];

const EscalationDeputySchema = z
  .object({ accountId: z.string() })
  .meta({ id: "RequestEscalationDeputy" });

/** A manager's deputy for a period, and the account overdue requests escalate to. */
export function registerDelegationRoutes(
  app: ApiServer,
  { context, requests }: DelegationRoutesOptions,
): void {
  app.post(
    "/delegations",
    {
      preValidation: signedIn,
      schema: {
        operationId: "createDelegation",
        tags: TAGS,
        summary:
          "Name a deputy who decides requests in the caller's (a manager's) name from .. until",
        description:
          "Needs an Idempotency-Key. 409 `DEPUTY_NOT_ALLOWED`: a partner or institute account; 422: invalid times or unknown account.",
        headers: IdempotencyHeadersSchema,
        body: z.strictObject({
          deputyAccountId: z.string(),
          from: z.string().describe("ISO-8601 instant with offset"),
          until: z.string().describe("ISO-8601 instant with offset, after from, in the future"),
        }),
        response: { 201: RequestDelegationSchema, ...iamProblemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => ({
          status: 201,
          body: delegationView(await iamCall(() => requests.delegate(actor, request.body))),
        }),
        { required: true },
      );
    },
  );

  app.get(
    "/delegations",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listDelegations",
        tags: TAGS,
        summary: "Delegations the caller gave or received (admins, auditors: all), by id",
        querystring: PageQuerySchema,
        response: {
          200: pageSchema(RequestDelegationSchema),
          ...iamProblemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const all = (await iamCall(() => requests.delegations(actor))).slice().reverse();
      const page = paginate(all, (d) => [d.id], request.query);
      return { items: page.items.map(delegationView), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    "/delegations/:delegationId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "withdrawDelegation",
        tags: TAGS,
        summary: "End a delegation now (its manager, or an admin)",
        params: z.strictObject({ delegationId: RouteIdSchema }),
        response: { 200: RequestDelegationSchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return delegationView(
        await iamCall(() => requests.withdrawDelegation(actor, request.params.delegationId)),
      );
    },
  );

  app.put(
    "/settings/escalation-deputy",
    {
      preValidation: signedIn,
      schema: {
        operationId: "setEscalationDeputy",
        tags: TAGS,
        summary: "Name the account overdue requests escalate to (wholesale admin)",
        body: z.strictObject({ accountId: z.string() }),
        response: { 200: EscalationDeputySchema, ...iamProblemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return {
        accountId: await iamCall(() => requests.setEscalationDeputy(actor, request.body.accountId)),
      };
    },
  );
}
