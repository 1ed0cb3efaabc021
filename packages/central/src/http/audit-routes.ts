import { z } from "zod";
import type { AuditQueryService } from "../iam/reports/audit-query.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { decodeCursor, encodeCursor, PageQuerySchema, pageSchema } from "./pagination.js";
import { validationProblem } from "./problem.js";
import type { ApiServer, ServerContext } from "./server.js";

const AuditRecordSchema = z
  .object({
    id: z.number().int(),
    at: z.string().describe("ISO-8601 instant, UTC"),
    actor: z.object({ accountId: z.string(), role: z.string() }),
    action: z.string(),
    entity: z.string(),
    entityId: z.string(),
    before: z.unknown().describe("The entity before the change (masked); null for a creation"),
    after: z.unknown().describe("The entity after the change (masked)"),
  })
  .meta({ id: "AuditRecord" });

const InstantSchema = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), "an ISO-8601 instant")
  .transform((v) => Date.parse(v));

export interface AuditRoutesOptions {
  readonly context: ServerContext;
  readonly audit: AuditQueryService;
}

/** GET /audit: the append-only audit, for auditors and wholesale admins. */
export function registerAuditRoutes(app: ApiServer, { audit }: AuditRoutesOptions): void {
  app.get(
    "/audit",
    {
      preValidation: signedIn,
      schema: {
        operationId: "queryAudit",
        tags: ["audit"],
        summary: "Audit records by entity, actor and period, oldest first (auditors, admins)",
        querystring: z.strictObject({
          ...PageQuerySchema.shape,
          entity: z.string().max(40).optional().describe("e.g. company, card, remote-open"),
          entityId: z.string().max(100).optional(),
          actor: z.string().max(100).optional().describe("The acting account id"),
          from: InstantSchema.optional().describe("ISO-8601 instant, inclusive"),
          until: InstantSchema.optional().describe("ISO-8601 instant, exclusive"),
        }),
        response: { 200: pageSchema(AuditRecordSchema), ...iamProblemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { limit, cursor, ...filter } = request.query;
      let afterId: number | undefined;
      if (cursor !== undefined) {
        const [id] = decodeCursor(cursor);
        if (typeof id !== "number") {
          throw validationProblem(
            [{ path: "/cursor", in: "querystring", message: "not a cursor of this list" }],
            "invalid cursor",
          );
        }
        afterId = id;
      }
      const page = await iamCall(() =>
        audit.query(actor, filter, {
          ...(limit === undefined ? {} : { limit }),
          ...(afterId === undefined ? {} : { afterId }),
        }),
      );
      return {
        items: page.items.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
        nextCursor: page.afterId === null ? null : encodeCursor([page.afterId]),
      };
    },
  );
}
