import { z } from "zod";
import type { ReportPage, ReportService } from "../iam/reports/service.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { decodeCursor, encodeCursor, PageQuerySchema, pageSchema } from "./pagination.js";
import { IdSchema } from "./params.js";
import type { ApiServer, ServerContext } from "./server.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const CompanyFilterSchema = z.strictObject({
  ...PageQuerySchema.shape,
  companyId: IdSchema.optional().describe("One company; partners: their own only"),
});

const EmployeeSchema = z
  .object({
    employmentId: z.number().int(),
    employmentNumber: z.string(),
    companyId: z.number().int(),
    personId: z.number().int(),
    initials: z.string(),
    surnamePrefix: z.string().nullable(),
    surname: z.string(),
    status: z.string(),
    startDate: z.string(),
    endDate: z.string().nullable(),
    cardNumber: z.string().nullable().describe("The active access card"),
  })
  .meta({ id: "ReportEmployee" });

const PendingApprovalSchema = z
  .object({
    itemId: z.number().int(),
    companyId: z.number().int(),
    action: z.string(),
    employmentId: z.number().int(),
    employmentNumber: z.string(),
    personName: z.string(),
    entryId: z.number().int(),
    entryCode: z.string(),
    submittedBy: z.string().nullable(),
    submittedAt: z.string().nullable(),
    dueAt: z.string().nullable().describe("End of the lead time"),
    overdue: z.boolean(),
    escalatedAt: z.string().nullable(),
  })
  .meta({ id: "ReportPendingApproval" });

const ReturnItemSchema = z
  .object({
    kind: z.enum(["card", "key"]),
    id: z.number().int(),
    companyId: z.number().int(),
    employmentId: z.number().int(),
    employmentNumber: z.string(),
    personId: z.number().int(),
    personName: z.string(),
    item: z.string().nullable().describe("The card number or the key type"),
    since: z.string().nullable().describe("Expected back since"),
  })
  .meta({ id: "ReportReturnItem" });

const VisitDaySchema = z
  .object({
    date: z.string().describe("Local date, Europe/Amsterdam"),
    doorId: z.string(),
    doorName: z.string().nullable(),
    visits: z.number().int(),
    firstAt: z.string(),
    lastAt: z.string(),
  })
  .meta({ id: "ReportVisitDay" });

function pageView<T, V>(page: ReportPage<T>, view: (item: T) => V) {
  return {
    items: page.items.map(view),
    nextCursor: page.after === null ? null : encodeCursor(page.after),
  };
}

const pageRequest = (q: { limit?: number; cursor?: string }) => ({
  ...(q.limit === undefined ? {} : { limit: q.limit }),
  ...(q.cursor === undefined ? {} : { after: decodeCursor(q.cursor) }),
});

export interface ReportRoutesOptions {
  readonly context: ServerContext;
  readonly reports: ReportService;
}

const TAGS = ["reports"];

/** The reports of chapter 13 (tab "Rapportage"); partners see their own company only. */
export function registerReportRoutes(app: ApiServer, { reports }: ReportRoutesOptions): void {
  app.get(
    "/reports/employees",
    {
      preValidation: signedIn,
      schema: {
        operationId: "searchEmployees",
        tags: TAGS,
        summary: "Employees by surname prefix, employment number or card number; % for all",
        querystring: z.strictObject({
          ...CompanyFilterSchema.shape,
          q: z.string().describe("A surname prefix (any case), a number, or % for everyone"),
        }),
        response: {
          200: pageSchema(EmployeeSchema),
          ...iamProblemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { q, companyId, ...page } = request.query;
      const result = await iamCall(() =>
        reports.employees(
          actor,
          { q, ...(companyId === undefined ? {} : { companyId }) },
          pageRequest(page),
        ),
      );
      return pageView(result, ({ surnameKey: _, ...row }) => row);
    },
  );

  app.get(
    "/reports/pending-approvals",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listPendingApprovals",
        tags: TAGS,
        summary: "Request items waiting for a decision, with their due date and overdue flag",
        querystring: CompanyFilterSchema,
        response: {
          200: pageSchema(PendingApprovalSchema),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { companyId, ...page } = request.query;
      const result = await iamCall(() =>
        reports.pendingApprovals(
          actor,
          companyId === undefined ? {} : { companyId },
          pageRequest(page),
        ),
      );
      return pageView(result, (r) => ({
        ...r,
        submittedAt: iso(r.submittedAt),
        dueAt: iso(r.dueAt),
        escalatedAt: iso(r.escalatedAt),
      }));
    },
  );

  app.get(
    "/reports/returns",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listReturns",
        tags: TAGS,
        summary: "Cards and keys expected back (chapter 14)",
        querystring: CompanyFilterSchema,
        response: { 200: pageSchema(ReturnItemSchema), ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { companyId, ...page } = request.query;
      const result = await iamCall(() =>
        reports.returns(actor, companyId === undefined ? {} : { companyId }, pageRequest(page)),
      );
      return pageView(result, (r) => ({ ...r, since: iso(r.since) }));
    },
  );

  app.get(
    "/reports/visits",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listVisits",
        tags: TAGS,
        summary: "A person's granted entries at a site in [from, until), per day and door",
        querystring: z.strictObject({
          personId: IdSchema,
          siteId: z.string(),
          from: z.string().describe("Local date YYYY-MM-DD (Europe/Amsterdam), inclusive"),
          until: z.string().describe("Local date YYYY-MM-DD, exclusive; at most 366 days on"),
        }),
        response: {
          200: z.object({ items: z.array(VisitDaySchema) }),
          ...iamProblemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const days = await iamCall(() => reports.visits(actor, request.query));
      return {
        items: days.map((d) => ({
          ...d,
          firstAt: new Date(d.firstAt).toISOString(),
          lastAt: new Date(d.lastAt).toISOString(),
        })),
      };
    },
  );
}
