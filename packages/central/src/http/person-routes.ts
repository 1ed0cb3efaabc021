import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { PersonService } from "../iam/persons/service.js";
import type { Employment } from "../iam/persons/views.js";
import { requireActor, signedIn } from "./actor.js";
import { checkIfMatch, etag, notModified, representationVersion } from "./conditional.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { decodeCursor, encodeCursor, PageQuerySchema, pageSchema } from "./pagination.js";
import { IdSchema } from "./params.js";
import {
  EmploymentCreatedSchema,
  EmploymentEndSchema,
  EmploymentInputSchema,
  EmploymentParams,
  EmploymentPatchSchema,
  EmploymentSchema,
  EndInputSchema,
  idempotencyKey,
  ifNoneMatch,
  LookUpResultSchema,
  PersonDetailsSchema,
  PersonFactsInputSchema,
} from "./person-schemas.js";
import { createdView, employmentView, endView, lookUpView, personView } from "./person-views.js";
import type { ApiServer, ServerContext } from "./server.js";

/** Sends an employment with its ETag (or 304 when the client's copy is current). */
async function sendVersioned(request: FastifyRequest, reply: FastifyReply, e: Employment) {
  const view = employmentView(e);
  const tag = etag(representationVersion(view));
  void reply.header("etag", tag);
  if (notModified(request, tag)) return reply.code(304).send(null);
  return reply.send(view);
}

export interface PersonRoutesOptions {
  readonly context: ServerContext;
  readonly persons: PersonService;
}

const TAGS = ["persons"];

/**
 * Persons and employments (chapter 5) and the end of an employment (chapters 13, 14). A
 * partner contact sees its own company's employments only: any other id answers 404
 * exactly as a missing one, before any precondition or idempotency check.
 */
export function registerPersonRoutes(app: ApiServer, { context, persons }: PersonRoutesOptions) {
  app.post(
    "/persons/look-up",
    {
      preValidation: signedIn,
      schema: {
        operationId: "lookUpPersons",
        tags: TAGS,
        summary: "Find a person by exact surname (prefix apart), initials and birth date",
        description:
          "The first step of registering an employment: a person found gets the employment added (personId), never a second person record. Reads only: no Idempotency-Key.",
        body: PersonFactsInputSchema,
        response: { 200: LookUpResultSchema, ...iamProblemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const found = await iamCall(() => persons.lookUp(actor, request.body));
      return { items: found.map(lookUpView) };
    },
  );

  app.post(
    "/employments",
    {
      preValidation: signedIn,
      schema: {
        operationId: "createEmployment",
        tags: TAGS,
        summary: "Register an employment of a found or new person; starts a card request",
        description:
          "Needs an Idempotency-Key. Either personId (found by the look-up) or person (new). No card request when the person has an active card or one on its way. 409 `PERSON_EXISTS` (use the look-up's person), `DUPLICATE_EMPLOYMENT` (the person-company pair exists), `COMPANY_NOT_APPROVED`; 404: a company the caller does not see; 422: every invalid field at once.",
        headers: idempotencyKey(true),
        body: EmploymentInputSchema,
        response: {
          201: EmploymentCreatedSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 422),
        },
      },
      onSend: async (_request, reply, payload) => {
        if (reply.statusCode === 201 && typeof payload === "string") {
          const body = JSON.parse(payload) as { employment?: { id?: unknown } };
          const employment = body.employment;
          if (typeof employment?.id === "number") {
            void reply.header("location", `/employments/${employment.id}`);
            void reply.header("etag", etag(representationVersion(employment)));
          }
        }
        return payload;
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => ({
          status: 201,
          body: createdView(await iamCall(() => persons.createEmployment(actor, request.body))),
        }),
        { required: true },
      );
    },
  );

  app.get(
    "/employments/:employmentId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getEmployment",
        tags: TAGS,
        summary: "One employment; its ETag is the If-Match of a change",
        params: EmploymentParams,
        headers: ifNoneMatch,
        response: {
          200: EmploymentSchema,
          304: z.null().describe("Not modified"),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const e = await iamCall(() => persons.getEmployment(actor, request.params.employmentId));
      return sendVersioned(request, reply, e);
    },
  );

  app.patch(
    "/employments/:employmentId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "updateEmployment",
        tags: TAGS,
        summary: "Change an employment's manager, contact data, address or postal choice",
        description:
          "Needs If-Match with the employment's ETag (428 without, 412 when stale). 409 `ALREADY_ENDED`.",
        params: EmploymentParams,
        headers: z.looseObject({
          "if-match": z.string().optional().describe("Required: the employment's ETag"),
        }),
        body: EmploymentPatchSchema,
        response: {
          200: EmploymentSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { employmentId } = request.params;
      const current = await iamCall(() => persons.getEmployment(actor, employmentId));
      checkIfMatch(request, representationVersion(employmentView(current)));
      const changed = await iamCall(() =>
        persons.updateEmployment(actor, employmentId, request.body),
      );
      return sendVersioned(request, reply, changed);
    },
  );

  app.get(
    "/companies/:companyId/employments",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listCompanyEmployments",
        tags: TAGS,
        summary: "A company's employments by id; a partner contact its own company's only",
        params: z.strictObject({ companyId: IdSchema }),
        querystring: PageQuerySchema,
        response: {
          200: pageSchema(EmploymentSchema).meta({ id: "EmploymentPage" }),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const limit = request.query.limit ?? 50;
      const cursor = request.query.cursor;
      const after = cursor === undefined ? undefined : Number(decodeCursor(cursor)[0]);
      const rows = await iamCall(() =>
        persons.listEmployments(actor, request.params.companyId, { after, limit: limit + 1 }),
      );
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(employmentView),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.id]) : null,
      };
    },
  );

  app.get(
    "/persons/:personId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getPerson",
        tags: TAGS,
        summary: "A person with the employments the caller sees",
        params: z.strictObject({ personId: IdSchema }),
        response: { 200: PersonDetailsSchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return personView(await iamCall(() => persons.getPerson(actor, request.params.personId)));
    },
  );

  app.post(
    "/employments/:employmentId/end",
    {
      preValidation: signedIn,
      schema: {
        operationId: "endEmployment",
        tags: TAGS,
        summary: '"Uit dienst": end an employment at once or at a date',
        description:
          "Without a date (or today or earlier) at once: authorizations ended, the card deactivated unless another employment keeps it, cards and keys to return listed, the company's contacts notified. A future date is known to the doors at once and does the rest when it falls due; a new date moves it. 409 `ALREADY_ENDED`; 422: a date before the start.",
        params: EmploymentParams,
        headers: idempotencyKey(false),
        body: EndInputSchema,
        response: {
          200: EmploymentEndSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { employmentId } = request.params;
      // Visibility first: a foreign employment is a 404, whatever the body or key.
      await iamCall(() => persons.getEmployment(actor, employmentId));
      await context.idempotency.run(request, reply, async () => ({
        status: 200,
        body: endView(
          await iamCall(() => persons.endEmployment(actor, employmentId, request.body)),
        ),
      }));
    },
  );
}
