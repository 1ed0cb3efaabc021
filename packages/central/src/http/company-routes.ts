import { z } from "zod";
import { seesCompany } from "../iam/actor.js";
import type { ContactPerson } from "../iam/companies/model.js";
import { contactPersonRepository } from "../iam/companies/repository.js";
import type { CompanyService } from "../iam/companies/service.js";
import { type IamDb, openIamDb } from "../iam/db.js";
import { requireActor, signedIn } from "./actor.js";
import {
  CompanyDetailsSchema,
  CompanyListQuerySchema,
  CompanyParamsSchema,
  CompanySchema,
  ContactPersonInputSchema,
  ContactPersonParamsSchema,
  ContactPersonSchema,
  DecisionInputSchema,
  IdempotencyHeadersSchema,
  IfMatchHeadersSchema,
  RegistrationInputSchema,
} from "./company-schemas.js";
import {
  companyDetailsView,
  companyView,
  contactPersonView,
  createdHeaders,
} from "./company-views.js";
import { checkIfMatch, etag, notModified, representationVersion } from "./conditional.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { pageSchema, paginate } from "./pagination.js";
import { notFound } from "./problem.js";
import type { ApiServer, ServerContext } from "./server.js";

export interface CompanyRoutesOptions {
  readonly context: ServerContext;
  readonly companies: CompanyService;
  /**
   * The IAM database, for reading a contact person before deciding it (its company decides
   * who sees it, its ETag the precondition); by default the store's SQLite connection.
   */
  readonly db?: IamDb;
}

const TAGS = ["companies"];

/**
 * The partner-company routes over CompanyService. Every route needs an actor (401);
 * a partner contact sees its own company only: any other id answers 404 exactly as a
 * missing one, before any precondition or idempotency check. Refusals of the service are
 * mapped by iam-problems.ts.
 */
export function registerCompanyRoutes(
  app: ApiServer,
  { context, companies, db = openIamDb(context.store.db) }: CompanyRoutesOptions,
): void {
  app.post(
    "/companies",
    {
      preValidation: signedIn,
      schema: {
        operationId: "registerCompany",
        tags: TAGS,
        summary: "Register a company with its contact persons (all pending approval)",
        description:
          "Needs an Idempotency-Key: a retried request is answered with the first response (Idempotent-Replayed: true), registering once. 400: malformed body; 422: invalid values, every field at once; 409: the KvK number is registered (`existing` names the company).",
        headers: IdempotencyHeadersSchema,
        body: RegistrationInputSchema,
        response: {
          201: CompanyDetailsSchema,
          ...iamProblemResponses(400, 401, 403, 409, 422),
        },
      },
      onSend: createdHeaders((id) => `/companies/${id}`),
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => ({
          status: 201,
          body: companyDetailsView(await iamCall(() => companies.register(actor, request.body))),
        }),
        { required: true },
      );
    },
  );

  app.get(
    "/companies",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listCompanies",
        tags: TAGS,
        summary: "Companies by id; a partner contact sees only its own",
        querystring: CompanyListQuerySchema,
        response: { 200: pageSchema(CompanySchema), ...iamProblemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { status, ...page } = request.query;
      const all = await iamCall(() =>
        companies.list(actor, status === undefined ? {} : { status }),
      );
      const result = paginate(all, (c) => [c.id], page);
      return { items: result.items.map(companyView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    "/companies/:companyId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getCompany",
        tags: TAGS,
        summary: "One company with its contact persons; If-None-Match answers 304",
        params: CompanyParamsSchema,
        headers: z.looseObject({
          "if-none-match": z.string().optional().describe("ETag of the copy held: 304 if current"),
        }),
        response: {
          200: CompanyDetailsSchema,
          304: z.null().describe("Not modified"),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const view = companyDetailsView(
        await iamCall(() => companies.get(actor, request.params.companyId)),
      );
      const tag = etag(representationVersion(view));
      void reply.header("etag", tag);
      if (notModified(request, tag)) {
        await reply.code(304).send(null);
        return;
      }
      return view;
    },
  );

  app.post(
    "/companies/:companyId/approval",
    {
      preValidation: signedIn,
      schema: {
        operationId: "decideCompany",
        tags: TAGS,
        summary: "Approve or reject a pending registration (a manager other than its submitter)",
        description:
          "Needs If-Match with the company's ETag (428 without, 412 when stale). Deciding a company decides its pending contact persons too. 403 `OWN_REQUEST`: the submitter cannot decide; 409 `NOT_PENDING`: already decided; 422: a rejection without comment.",
        params: CompanyParamsSchema,
        headers: IfMatchHeadersSchema,
        body: DecisionInputSchema,
        response: {
          200: CompanyDetailsSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { companyId } = request.params;
      const current = await iamCall(() => companies.get(actor, companyId));
      checkIfMatch(request, representationVersion(companyDetailsView(current)));
      const { decision, comment } = request.body;
      const decided = await iamCall(() =>
        decision === "approve"
          ? companies.approve(actor, companyId, comment ?? undefined)
          : companies.reject(actor, companyId, comment ?? ""),
      );
      const view = companyDetailsView(decided);
      void reply.header("etag", etag(representationVersion(view)));
      return view;
    },
  );

  app.post(
    "/companies/:companyId/contact-persons",
    {
      preValidation: signedIn,
      schema: {
        operationId: "addContactPerson",
        tags: TAGS,
        summary: "Add a contact person (pending approval) to an approved company",
        description:
          "Needs an Idempotency-Key. Partner contacts add to their own company only. 409 `COMPANY_NOT_APPROVED`: the company is pending or rejected.",
        params: CompanyParamsSchema,
        headers: IdempotencyHeadersSchema,
        body: ContactPersonInputSchema,
        response: {
          201: ContactPersonSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 422),
        },
      },
      onSend: createdHeaders((id) => `/contact-persons/${id}`),
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { companyId } = request.params;
      // Visibility first: a foreign company is a 404, whatever the body or key.
      await iamCall(() => companies.get(actor, companyId));
      await context.idempotency.run(
        request,
        reply,
        async () => ({
          status: 201,
          body: contactPersonView(
            await iamCall(() => companies.addContactPerson(actor, companyId, request.body)),
          ),
        }),
        { required: true },
      );
    },
  );

  /** The contact person as `actor` may see it, or a 404 problem (foreign as missing). */
  async function visibleContactPerson(
    actor: ReturnType<typeof requireActor>,
    id: number,
  ): Promise<ContactPerson> {
    const person = await contactPersonRepository.find(db, id);
    if (person === undefined || !seesCompany(actor, person.companyId)) {
      throw notFound(`no contact person with id ${id}`);
    }
    // The company's read rules (roles) apply to its contact persons.
    await iamCall(() => companies.get(actor, person.companyId));
    return person;
  }

  app.get(
    "/contact-persons/:contactPersonId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getContactPerson",
        tags: TAGS,
        summary: "One contact person; its ETag is the If-Match of its approval",
        params: ContactPersonParamsSchema,
        headers: z.looseObject({
          "if-none-match": z.string().optional().describe("ETag of the copy held: 304 if current"),
        }),
        response: {
          200: ContactPersonSchema,
          304: z.null().describe("Not modified"),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const view = contactPersonView(
        await visibleContactPerson(actor, request.params.contactPersonId),
      );
      const tag = etag(representationVersion(view));
      void reply.header("etag", tag);
      if (notModified(request, tag)) {
        await reply.code(304).send(null);
        return;
      }
      return view;
    },
  );

  app.post(
    "/contact-persons/:contactPersonId/approval",
    {
      preValidation: signedIn,
      schema: {
        operationId: "decideContactPerson",
        tags: TAGS,
        summary: "Approve or reject a pending contact person (a manager other than its submitter)",
        description:
          "Needs If-Match with the contact person's ETag (428 without, 412 when stale). 403 `OWN_REQUEST`; 409 `NOT_PENDING`; 422: a rejection without comment.",
        params: ContactPersonParamsSchema,
        headers: IfMatchHeadersSchema,
        body: DecisionInputSchema,
        response: {
          200: ContactPersonSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { contactPersonId } = request.params;
      const current = await visibleContactPerson(actor, contactPersonId);
      checkIfMatch(request, representationVersion(contactPersonView(current)));
      const { decision, comment } = request.body;
      const decided = await iamCall(() =>
        decision === "approve"
          ? companies.approveContactPerson(actor, contactPersonId, comment ?? undefined)
          : companies.rejectContactPerson(actor, contactPersonId, comment ?? ""),
      );
      const view = contactPersonView(decided);
      void reply.header("etag", etag(representationVersion(view)));
      return view;
    },
  );
}
