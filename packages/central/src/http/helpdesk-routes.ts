import { z } from "zod";
import type { Door, DoorService } from "../iam/helpdesk/doors.js";
import type { EnrollmentStatus, Explanation, HelpdeskService } from "../iam/helpdesk/service.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import { IdSchema } from "./params.js";
import type { ApiServer, ServerContext } from "./server.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const SiteIdSchema = z.string().regex(/^[a-z0-9_-]{1,64}$/, "a site id: a-z, 0-9, _ and -");
const DoorIdSchema = z.string().min(1).max(64);
const DoorSchema = z
  .object({
    siteId: z.string(),
    doorId: z.string(),
    areaId: z.number().int().describe("The area of the site the door opens into"),
    name: z.string(),
  })
  .meta({ id: "HelpdeskDoor" });

const EnrollmentSchema = z
  .object({
    siteId: z.string(),
    fingerprintRequired: z.boolean(),
    enrolledCardId: z
      .number()
      .int()
      .nullable()
      .describe("State card id the fingerprint is bound to"),
    enrolledCardNumber: z.string().nullable(),
    enrolledAt: z.string().nullable().describe("ISO-8601 instant, UTC"),
    currentCardId: z.number().int().nullable().describe("State card id of the active access card"),
    currentCardNumber: z.string().nullable(),
    needsNewFingerprint: z
      .boolean()
      .describe("New card, needs a new fingerprint: enrolled for another card"),
  })
  .meta({ id: "HelpdeskEnrollment" });

const CheckSchema = z.object({
  check: z.enum(["authorization", "card", "employment", "fingerprint", "certificates"]),
  ok: z.boolean(),
  detail: z.string(),
});

const ExplanationSchema = z
  .object({
    siteId: z.string(),
    doorId: z.string(),
    areaId: z.number().int(),
    personId: z.number().int(),
    card: z.object({ id: z.number().int(), number: z.string().nullable() }).nullable(),
    checks: z.array(CheckSchema).describe("FAQ 1's checks, in its order"),
    failed: CheckSchema.nullable().describe("The first failing check; null: check the reader"),
    verdict: z.string(),
    lastEvents: z.array(
      z.object({
        seq: z.number().int(),
        at: z.string().describe("ISO-8601 instant, UTC"),
        outcome: z.string().nullable(),
        reason: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "HelpdeskExplanation" });

const RemoteOpeningSchema = z
  .object({
    id: z.number().int(),
    siteId: z.string(),
    doorId: z.string(),
    reason: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string().describe("ISO-8601 instant, UTC"),
    outcome: z
      .string()
      .nullable()
      .describe('The edge\'s outcome; "no-answer" (none in time) or "failed" (not sent)'),
    outcomeReason: z.string().nullable(),
  })
  .meta({ id: "HelpdeskRemoteOpening" });

const doorView = (d: Door) => ({ ...d });
const enrollmentView = (e: EnrollmentStatus) => ({ ...e, enrolledAt: iso(e.enrolledAt) });
const explanationView = (e: Explanation) => ({
  ...e,
  checks: [...e.checks],
  lastEvents: e.lastEvents.map((ev) => ({ ...ev, at: new Date(ev.at).toISOString() })),
});

export interface HelpdeskRoutesOptions {
  readonly context: ServerContext;
  readonly doors: DoorService;
  readonly helpdesk: HelpdeskService;
}

const TAGS = ["helpdesk"];

/** Doors and their areas, fingerprint enrollments, "why can't they get in", remote opening. */
export function registerHelpdeskRoutes(
  app: ApiServer,
  { context, doors, helpdesk }: HelpdeskRoutesOptions,
): void {
  app.put(
    "/sites/:siteId/doors/:doorId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "putDoor",
        tags: TAGS,
        summary: "Register or update a door: the area of the site it opens into (admin)",
        description:
          "201 when registered, 200 when updated. 409 `AREA_OF_OTHER_SITE`: the area is another site's.",
        params: z.strictObject({ siteId: SiteIdSchema, doorId: DoorIdSchema }),
        body: z.strictObject({ areaId: z.number().int(), name: z.string() }),
        response: {
          200: DoorSchema,
          201: DoorSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { door, created } = await iamCall(() =>
        doors.register(actor, { ...request.params, ...request.body }),
      );
      void reply.code(created ? 201 : 200);
      return doorView(door);
    },
  );

  app.get(
    "/sites/:siteId/doors",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listDoors",
        tags: TAGS,
        summary: "The doors of a site with their areas, by door id",
        params: z.strictObject({ siteId: SiteIdSchema }),
        querystring: PageQuerySchema,
        response: { 200: pageSchema(DoorSchema), ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const all = await iamCall(() => doors.list(actor, request.params.siteId));
      const page = paginate(all, (d) => [d.doorId], request.query);
      return { items: page.items.map(doorView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/persons/:personId/enrollments",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listEnrollments",
        tags: TAGS,
        summary: "Per site: the card the fingerprint is bound to against the current card",
        params: z.strictObject({ personId: IdSchema }),
        response: {
          200: z.object({ items: z.array(EnrollmentSchema) }),
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const items = await iamCall(() => helpdesk.enrollments(actor, request.params.personId));
      return { items: items.map(enrollmentView) };
    },
  );

  app.post(
    "/helpdesk/explain",
    {
      preValidation: signedIn,
      schema: {
        operationId: "explainAccess",
        tags: TAGS,
        summary: "Why can't this engineer get in at this door (FAQ 1)",
        description:
          "Runs every check in the document's order (authorizations, active card, active employment, fingerprint for the current card, certificates) and returns the card's last decisions at the door. Give personId or cardNumber. Reads only.",
        body: z.strictObject({
          siteId: z.string(),
          doorId: z.string(),
          personId: z.number().int().optional(),
          cardNumber: z.string().optional(),
          limit: z.number().int().optional().describe("Last events to return, 1..100 (10)"),
        }),
        response: { 200: ExplanationSchema, ...iamProblemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return explanationView(await iamCall(() => helpdesk.explain(actor, request.body)));
    },
  );

  app.post(
    "/sites/:siteId/doors/:doorId/remote-open",
    {
      preValidation: signedIn,
      schema: {
        operationId: "remoteOpenDoor",
        tags: TAGS,
        summary: "Open a door remotely (helpdesk), with a reason",
        description:
          "Needs an Idempotency-Key: a retry is answered with the first response, opening once. Recorded (who, when, why) before sending and with the edge's outcome after. 409 `REMOTE_OPEN_UNAVAILABLE`: central has no link to the sites.",
        params: z.strictObject({ siteId: SiteIdSchema, doorId: DoorIdSchema }),
        headers: z.looseObject({
          "idempotency-key": z.string().describe("Required: a retry is not opened again"),
        }),
        body: z.strictObject({ reason: z.string().describe("5..500 characters") }),
        response: {
          201: RemoteOpeningSchema,
          ...iamProblemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => {
          const opening = await iamCall(() =>
            helpdesk.remoteOpen(actor, { ...request.params, reason: request.body.reason }),
          );
          return {
            status: 201,
            body: { ...opening, requestedAt: new Date(opening.requestedAt).toISOString() },
          };
        },
        { required: true },
      );
    },
  );
}
