import type { FastifyReply } from "fastify";
import { z } from "zod";
import type { Certificate } from "../iam/certificates/model.js";
import type { CertificateService } from "../iam/certificates/service.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import { IdSchema } from "./params.js";
import type { ApiServer, ServerContext } from "./server.js";

const CertificateInputSchema = z.strictObject({
  personId: z.number().describe("The IAM person holding the certificate"),
  type: z.string().describe("A configured certificate type such as VCA, KVD, TTG, NEN3140"),
  validFrom: z.string().describe("First valid local date, YYYY-MM-DD (Europe/Amsterdam)"),
  validUntil: z
    .string()
    .describe("Local date YYYY-MM-DD at whose start the certificate lapses; after validFrom"),
});

const CertificateSchema = z
  .object({
    id: z.number().int(),
    personId: z.number().int(),
    type: z.string(),
    validFrom: z.string().describe("ISO-8601 instant, UTC"),
    validUntil: z.string().describe("ISO-8601 instant, UTC: lapses at this instant"),
    state: z.enum(["future", "valid", "lapsed", "withdrawn"]),
    registeredBy: z.string(),
    registeredAt: z.string().describe("ISO-8601 instant, UTC"),
    withdrawnAt: z.string().nullable().describe("ISO-8601 instant, UTC"),
  })
  .meta({ id: "Certificate" });

const IdempotencyHeadersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .describe("Required: a retry with the same key and body is answered once, not redone"),
});

function certificateView(c: Certificate): z.output<typeof CertificateSchema> {
  return {
    id: c.id,
    personId: c.personId,
    type: c.type,
    validFrom: new Date(c.validFrom).toISOString(),
    validUntil: new Date(c.validUntil).toISOString(),
    state: c.state,
    registeredBy: c.registeredBy,
    registeredAt: new Date(c.registeredAt).toISOString(),
    withdrawnAt: c.withdrawnAt === null ? null : new Date(c.withdrawnAt).toISOString(),
  };
}

export interface CertificateRoutesOptions {
  readonly context: ServerContext;
  readonly certificates: CertificateService;
}

const TAGS = ["certificates"];

/**
 * Certificates (source chapter 8): the training institute registers them; the others read
 * them, a partner contact those of persons its company employs only (others: 404).
 */
export function registerCertificateRoutes(
  app: ApiServer,
  { context, certificates }: CertificateRoutesOptions,
): void {
  app.post(
    "/certificates",
    {
      preValidation: signedIn,
      schema: {
        operationId: "registerCertificate",
        tags: TAGS,
        summary: "Register a person's certificate (training institute only)",
        description:
          "Needs an Idempotency-Key. The doors of areas that require the type refuse once it lapses; at that moment central ends the authorizations that need it unless a renewal covers them. 403: not the training institute; 404: no such person; 422: invalid values, every field at once.",
        headers: IdempotencyHeadersSchema,
        body: CertificateInputSchema,
        response: { 201: CertificateSchema, ...iamProblemResponses(400, 401, 403, 404, 422) },
      },
      onSend: async (_request, reply: FastifyReply, payload: unknown) => {
        if (reply.statusCode === 201 && typeof payload === "string") {
          const body = JSON.parse(payload) as { id?: unknown };
          if (typeof body.id === "number")
            void reply.header("location", `/certificates/${body.id}`);
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
          body: certificateView(await iamCall(() => certificates.register(actor, request.body))),
        }),
        { required: true },
      );
    },
  );

  app.get(
    "/certificates/:certificateId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getCertificate",
        tags: TAGS,
        summary: "One certificate",
        params: z.strictObject({ certificateId: IdSchema }),
        response: { 200: CertificateSchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return certificateView(
        await iamCall(() => certificates.get(actor, request.params.certificateId)),
      );
    },
  );

  app.get(
    "/persons/:personId/certificates",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listPersonCertificates",
        tags: TAGS,
        summary: "A person's certificates, by id",
        params: z.strictObject({ personId: IdSchema }),
        querystring: PageQuerySchema,
        response: {
          200: pageSchema(CertificateSchema),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const all = await iamCall(() => certificates.listForPerson(actor, request.params.personId));
      const page = paginate(all, (c) => [c.id], request.query);
      return { items: page.items.map(certificateView), nextCursor: page.nextCursor };
    },
  );
}
