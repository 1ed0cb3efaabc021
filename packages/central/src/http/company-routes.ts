import { createHash } from "node:crypto";
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { seesCompany } from "../iam/actor.js";
import type { Address, Company, CompanyDetails, ContactPerson } from "../iam/companies/model.js";
import { contactPersonRepository } from "../iam/companies/repository.js";
import type { CompanyService } from "../iam/companies/service.js";
import { type IamDb, openIamDb } from "../iam/db.js";
import { ID_TYPES } from "../iam/index.js";
import { requireActor, signedIn } from "./actor.js";
import { checkIfMatch, etag, notModified } from "./conditional.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { canonicalJson } from "./idempotency.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import { notFound } from "./problem.js";
import type { ApiServer, ServerContext } from "./server.js";

// --- request schemas: the shape of the service inputs (strict: unknown fields are a 400);
// the values are validated by the service, which reports every invalid field at once (422).

const AddressInputSchema = z.strictObject({
  street: z.string(),
  number: z.string().describe("House number: digits, not starting with 0"),
  addition: z.string().nullish().describe("House number addition, e.g. a"),
  line2: z.string().nullish(),
  postcode: z.string().describe("For NL: 4 digits and 2 letters, 1234 AB"),
  city: z.string(),
  country: z.string().describe("ISO 3166-1 alpha-2, e.g. NL"),
});

const ContactPersonInputSchema = z.strictObject({
  initials: z.string().describe("Initials such as J.P."),
  surnamePrefix: z.string().nullish().describe('"van der", "de", ...'),
  surname: z.string().describe("The surname without its prefix"),
  mobile: z.string().describe("Dutch mobile: +316 and 8 digits"),
  email: z.string().describe("A personal business address (no role address, no free mail)"),
  address: AddressInputSchema,
  birthDate: z.string().describe("YYYY-MM-DD, in the past"),
  idType: z.string().describe(`One of ${ID_TYPES.join(", ")}`),
  idNumber: z.string().describe("6 to 20 letters and digits"),
});

const RegistrationInputSchema = z.strictObject({
  customerName: z.string().describe("The wholesale customer name"),
  kvkName: z.string().describe("The name in the chamber-of-commerce register"),
  kvkNumber: z.string().describe("The 8-digit chamber-of-commerce number"),
  address: AddressInputSchema,
  colocation: z
    .boolean()
    .optional()
    .describe("A colocation customer (some catalogue entries exclude them); false by default"),
  contactPersons: z.array(ContactPersonInputSchema).describe("At least one"),
});

const DecisionInputSchema = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().nullish().describe("Required (non-blank) for a rejection"),
});

const StatusSchema = z.enum(["pending", "approved", "rejected"]);

const IdSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, "a positive whole number")
  .transform(Number);

const CompanyParamsSchema = z.strictObject({ companyId: IdSchema });
const ContactPersonParamsSchema = z.strictObject({ contactPersonId: IdSchema });

const CompanyListQuerySchema = z.strictObject({
  ...PageQuerySchema.shape,
  status: StatusSchema.optional().describe("Only companies with this status"),
});

const IdempotencyHeadersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .describe("Required: a retry with the same key and body is answered once, not redone"),
});

const IfMatchHeadersSchema = z.looseObject({
  "if-match": z
    .string()
    .optional()
    .describe("Required: the resource's current ETag (428 without, 412 when stale)"),
});

// --- response schemas ---

const AddressSchema = z
  .object({
    street: z.string(),
    number: z.string(),
    addition: z.string().nullable(),
    line2: z.string().nullable(),
    postcode: z.string(),
    city: z.string(),
    country: z.string(),
  })
  .meta({ id: "Address" });

const decisionFields = {
  status: StatusSchema,
  requestedBy: z.string().describe("The submitting account; it cannot decide"),
  requestedAt: z.string().describe("ISO-8601 instant, UTC"),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable().describe("ISO-8601 instant, UTC"),
  decisionComment: z.string().nullable(),
};

export const ContactPersonSchema = z
  .object({
    id: z.number().int(),
    companyId: z.number().int(),
    initials: z.string(),
    surnamePrefix: z.string().nullable(),
    surname: z.string(),
    mobile: z.string(),
    email: z.string(),
    address: AddressSchema,
    birthDate: z.string(),
    idType: z.enum(ID_TYPES),
    idNumber: z.string(),
    ...decisionFields,
  })
  .meta({ id: "ContactPerson" });

export const CompanySchema = z
  .object({
    id: z.number().int(),
    customerName: z.string(),
    kvkName: z.string(),
    kvkNumber: z.string(),
    address: AddressSchema,
    colocation: z.boolean(),
    ...decisionFields,
  })
  .meta({ id: "Company" });

export const CompanyDetailsSchema = CompanySchema.extend({
  contactPersons: z.array(ContactPersonSchema),
}).meta({ id: "CompanyDetails" });

type CompanyView = z.output<typeof CompanySchema>;
type CompanyDetailsView = z.output<typeof CompanyDetailsSchema>;
type ContactPersonView = z.output<typeof ContactPersonSchema>;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const addressView = (a: Address): z.output<typeof AddressSchema> => ({
  street: a.street,
  number: a.number,
  addition: a.addition,
  line2: a.line2,
  postcode: a.postcode,
  city: a.city,
  country: a.country,
});

function decisionView(d: Company | ContactPerson) {
  return {
    status: d.status,
    requestedBy: d.requestedBy,
    requestedAt: new Date(d.requestedAt).toISOString(),
    decidedBy: d.decidedBy,
    decidedAt: iso(d.decidedAt),
    decisionComment: d.decisionComment,
  };
}

export function companyView(c: Company): CompanyView {
  return {
    id: c.id,
    customerName: c.customerName,
    kvkName: c.kvkName,
    kvkNumber: c.kvkNumber,
    address: addressView(c.address),
    colocation: c.colocation,
    ...decisionView(c),
  };
}

export function contactPersonView(p: ContactPerson): ContactPersonView {
  return {
    id: p.id,
    companyId: p.companyId,
    initials: p.initials,
    surnamePrefix: p.surnamePrefix,
    surname: p.surname,
    mobile: p.mobile,
    email: p.email,
    address: addressView(p.address),
    birthDate: p.birthDate,
    idType: p.idType,
    idNumber: p.idNumber,
    ...decisionView(p),
  };
}

export function companyDetailsView(c: CompanyDetails): CompanyDetailsView {
  return { ...companyView(c), contactPersons: c.contactPersons.map(contactPersonView) };
}

/**
 * The version of a representation: the records carry no version column, so the version is
 * a digest of what is sent (for a company, its contact persons included: approving a
 * company decides its pending contact persons too, so If-Match covers them). Every change
 * (a decision, a new contact person) changes it.
 */
export function representationVersion(view: unknown): string {
  return createHash("sha256").update(canonicalJson(view)).digest("base64url").slice(0, 27);
}

/** Location and ETag of a 201 (first answer or replay alike), from its serialized body. */
function createdHeaders(pathOf: (id: number) => string) {
  return async (_request: unknown, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode === 201 && typeof payload === "string") {
      const body = JSON.parse(payload) as { id?: unknown };
      if (typeof body.id === "number") void reply.header("location", pathOf(body.id));
      void reply.header("etag", etag(representationVersion(body)));
    }
    return payload;
  };
}

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
