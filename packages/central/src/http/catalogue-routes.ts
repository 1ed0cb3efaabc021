import { z } from "zod";
import type { CatalogueEntry } from "../iam/catalogue/model.js";
import type { CatalogueService } from "../iam/catalogue/service.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import { IdSchema } from "./params.js";
import type { ApiServer, ServerContext } from "./server.js";

const EntryInputSchema = z.strictObject({
  code: z.string().describe("Unique code: capitals, digits, dashes (AMS01-APP, KEY-Z)"),
  service: z.enum(["physical", "application", "pop", "key"]),
  name: z.string(),
  siteId: z.string().nullish().describe("Physical entries: the site"),
  areaId: z.number().int().nullish().describe("Physical entries: an area of that site"),
  keyType: z.string().nullish().describe("Key entries: Z, KVD-01..KVD-13, KVD-ALL, Z100, HS1"),
  requiredCertificates: z
    .array(z.string())
    .optional()
    .describe("Certificate types needed, e.g. KVD, TTG"),
  excludesColocation: z.boolean().optional().describe("Not for colocation customers"),
});

export const CatalogueEntrySchema = z
  .object({
    id: z.number().int(),
    code: z.string(),
    service: z.enum(["physical", "application", "pop", "key"]),
    name: z.string(),
    siteId: z.string().nullable(),
    areaId: z.number().int().nullable(),
    keyType: z.string().nullable(),
    requiredCertificates: z.array(z.string()),
    excludesColocation: z.boolean(),
    active: z.boolean(),
    createdBy: z.string(),
    createdAt: z.string().describe("ISO-8601 instant, UTC"),
  })
  .meta({ id: "CatalogueEntry" });

export function catalogueEntryView(e: CatalogueEntry): z.output<typeof CatalogueEntrySchema> {
  return {
    ...e,
    requiredCertificates: [...e.requiredCertificates],
    createdAt: new Date(e.createdAt).toISOString(),
  };
}

const IdempotencyHeadersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .describe("Required: a retry with the same key and body is answered once"),
});

const ProfileParamsSchema = z.strictObject({ companyId: IdSchema, entryId: IdSchema });

export interface CatalogueRoutesOptions {
  readonly context: ServerContext;
  readonly catalogue: CatalogueService;
}

const TAGS = ["catalogue"];

/**
 * The catalogue (what can be requested) and company profiles (what a company may request).
 * A partner contact sees its own company's profile only; another company is a 404.
 */
export function registerCatalogueRoutes(
  app: ApiServer,
  { context, catalogue }: CatalogueRoutesOptions,
): void {
  app.get(
    "/catalogue",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listCatalogueEntries",
        tags: TAGS,
        summary: "Catalogue entries by id; a partner contact sees its company's profile only",
        querystring: PageQuerySchema,
        response: { 200: pageSchema(CatalogueEntrySchema), ...iamProblemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const page = paginate(
        await iamCall(() => catalogue.list(actor)),
        (e) => [e.id],
        request.query,
      );
      return { items: page.items.map(catalogueEntryView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    "/catalogue",
    {
      preValidation: signedIn,
      schema: {
        operationId: "createCatalogueEntry",
        tags: TAGS,
        summary: "Create a catalogue entry (wholesale admin)",
        description:
          "Needs an Idempotency-Key. A physical entry names an area of its site (the area's certificates are added). 409 `DUPLICATE_CODE`; 422: invalid values, every field at once.",
        headers: IdempotencyHeadersSchema,
        body: EntryInputSchema,
        response: { 201: CatalogueEntrySchema, ...iamProblemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => ({
          status: 201,
          body: catalogueEntryView(await iamCall(() => catalogue.create(actor, request.body))),
        }),
        { required: true },
      );
    },
  );

  app.get(
    "/companies/:companyId/profile",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getCompanyProfile",
        tags: TAGS,
        summary: "The entries a company may request",
        params: z.strictObject({ companyId: IdSchema }),
        querystring: PageQuerySchema,
        response: {
          200: pageSchema(CatalogueEntrySchema),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const all = await iamCall(() => catalogue.profile(actor, request.params.companyId));
      const page = paginate(all, (e) => [e.id], request.query);
      return { items: page.items.map(catalogueEntryView), nextCursor: page.nextCursor };
    },
  );

  app.put(
    "/companies/:companyId/profile/:entryId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "addProfileEntry",
        tags: TAGS,
        summary: "Put an entry in a company's profile (wholesale admin); idempotent",
        params: ProfileParamsSchema,
        response: { 200: CatalogueEntrySchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { companyId, entryId } = request.params;
      await iamCall(() => catalogue.addToProfile(actor, companyId, entryId));
      return catalogueEntryView(await iamCall(() => catalogue.get(actor, entryId)));
    },
  );

  app.delete(
    "/companies/:companyId/profile/:entryId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "removeProfileEntry",
        tags: TAGS,
        summary: "Take an entry out of a company's profile (wholesale admin); idempotent",
        description: "Pending grants of it are refused at approval; live authorizations stay.",
        params: ProfileParamsSchema,
        response: {
          204: z.null().describe("Removed (or was not there)"),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { companyId, entryId } = request.params;
      await iamCall(() => catalogue.removeFromProfile(actor, companyId, entryId));
      await reply.code(204).send(null);
    },
  );
}
