import { z } from "zod";
import { SITE_ID_PATTERN } from "../state/schemas.js";
import type { SiteInfo } from "../state/store.js";
import { etag, notModified } from "./conditional.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import { notFound, problemResponses } from "./problem.js";
import type { ApiServer, ServerContext } from "./server.js";

export const SiteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    timezone: z.string().describe("IANA zone of the site's schedules"),
    policy: z.object({
      fingerprintRequired: z.boolean(),
      fingerprintThreshold: z.number().int().min(0).max(100),
    }),
    version: z.number().int().describe("Version of the last state announced to the site"),
    needsSnapshot: z.boolean(),
    createdAt: z.string().describe("ISO-8601 instant, UTC"),
  })
  .meta({ id: "Site" });

export function siteView(site: SiteInfo): z.output<typeof SiteSchema> {
  return {
    id: site.id,
    name: site.name,
    timezone: site.timezone,
    policy: {
      fingerprintRequired: site.policy.fingerprintRequired,
      fingerprintThreshold: site.policy.fingerprintThreshold,
    },
    version: site.version,
    needsSnapshot: site.needsSnapshot,
    createdAt: new Date(site.createdAt).toISOString(),
  };
}

const SiteParamsSchema = z.strictObject({
  siteId: z.string().regex(SITE_ID_PATTERN, "a site id is 1..64 characters of a-z, 0-9, _ and -"),
});

/** GET /sites (paginated by id) and GET /sites/{siteId} (ETag = version, If-None-Match). */
export function siteRoutes(app: ApiServer, { store }: ServerContext): void {
  app.get(
    "/sites",
    {
      schema: {
        operationId: "listSites",
        tags: ["sites"],
        summary: "The sites, by id",
        querystring: PageQuerySchema,
        response: { 200: pageSchema(SiteSchema), ...problemResponses(400) },
      },
    },
    (request) => {
      const page = paginate(store.sites(), (s) => [s.id], request.query);
      return { items: page.items.map(siteView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/sites/:siteId",
    {
      schema: {
        operationId: "getSite",
        tags: ["sites"],
        summary: "One site; its ETag is its version",
        params: SiteParamsSchema,
        headers: z.looseObject({
          "if-none-match": z.string().optional().describe("ETag of the copy held: 304 if current"),
        }),
        response: {
          200: SiteSchema,
          304: z.null().describe("Not modified"),
          ...problemResponses(400, 404),
        },
      },
    },
    (request, reply) => {
      const site = store.site(request.params.siteId);
      if (site === undefined) throw notFound(`no site with id "${request.params.siteId}"`);
      const tag = etag(site.version);
      reply.header("etag", tag);
      if (notModified(request, tag)) {
        void reply.code(304).send(null);
        return;
      }
      return siteView(site);
    },
  );
}
