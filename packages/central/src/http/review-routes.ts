import { z } from "zod";
import { evidenceCsv } from "../iam/reviews/evidence.js";
import type { Review, ReviewDetails, ReviewLine } from "../iam/reviews/model.js";
import type { ReviewService } from "../iam/reviews/service.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { PageQuerySchema, pageSchema, paginate } from "./pagination.js";
import { IdSchema } from "./params.js";
import type { ApiServer, ServerContext } from "./server.js";

const instant = z.string().describe("ISO-8601 instant, UTC");
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const ReviewSchema = z
  .object({
    id: z.number().int(),
    companyId: z.number().int(),
    period: z.string().describe('e.g. "2026-Q1"'),
    openedAt: instant,
    deadlineAt: instant.describe("What is not confirmed by then is revoked"),
    status: z.enum(["open", "finished"]),
    finishedAt: instant.nullable(),
    finishedBy: z.string().nullable().describe('The finishing account, or "deadline"'),
  })
  .meta({ id: "Review" });

const ReviewLineSchema = z
  .object({
    id: z.number().int(),
    reviewId: z.number().int(),
    employmentId: z.number().int(),
    employmentNumber: z.string(),
    personName: z.string(),
    authorizationId: z
      .number()
      .int()
      .nullable()
      .describe('Null: "still works for us"; else "still needs this authorization"'),
    entryCode: z.string().nullable(),
    entryName: z.string().nullable(),
    decision: z.enum(["pending", "confirmed", "not-confirmed", "revoked"]),
    decidedBy: z.string().nullable(),
    decidedAt: instant.nullable(),
    comment: z.string().nullable(),
  })
  .meta({ id: "ReviewLine" });

const ReviewDetailsSchema = ReviewSchema.extend({ lines: z.array(ReviewLineSchema) }).meta({
  id: "ReviewDetails",
});

const ReviewEvidenceSchema = z
  .object({
    review: ReviewSchema.omit({ id: true })
      .extend({ id: z.number().int(), companyName: z.string() })
      .meta({ id: "ReviewEvidenceReview" }),
    lines: z.array(
      z
        .object({
          lineId: z.number().int(),
          employmentNumber: z.string(),
          personName: z.string(),
          authorizationId: z.number().int().nullable(),
          entryCode: z.string().nullable(),
          entryName: z.string().nullable(),
          decision: z.string(),
          decidedBy: z.string().nullable(),
          decidedAt: instant.nullable(),
          comment: z.string().nullable(),
        })
        .meta({ id: "ReviewEvidenceLine" }),
    ),
    sha256: z
      .string()
      .describe("Hex SHA-256 of the canonical JSON (keys sorted, no spaces) of {review, lines}"),
  })
  .meta({ id: "ReviewEvidence" });

const reviewView = (r: Review): z.output<typeof ReviewSchema> => ({
  id: r.id,
  companyId: r.companyId,
  period: r.period,
  openedAt: new Date(r.openedAt).toISOString(),
  deadlineAt: new Date(r.deadlineAt).toISOString(),
  status: r.status,
  finishedAt: iso(r.finishedAt),
  finishedBy: r.finishedBy,
});

const lineView = (l: ReviewLine): z.output<typeof ReviewLineSchema> => ({
  ...l,
  decidedAt: iso(l.decidedAt),
});

const detailsView = (d: ReviewDetails): z.output<typeof ReviewDetailsSchema> => ({
  ...reviewView(d),
  lines: d.lines.map(lineView),
});

export interface ReviewRoutesOptions {
  readonly context: ServerContext;
  readonly reviews: ReviewService;
}

const TAGS = ["reviews"];
const ReviewParams = z.strictObject({ reviewId: IdSchema });

/**
 * Access reviews: an administrator opens the period's reviews (a timer does so each
 * period); a company's contact person decides each line and finishes its review; auditors
 * export the evidence. A partner contact's foreign review or line answers 404.
 */
export function registerReviewRoutes(
  app: ApiServer,
  { context, reviews }: ReviewRoutesOptions,
): void {
  app.post(
    "/reviews",
    {
      preValidation: signedIn,
      schema: {
        operationId: "openReviews",
        tags: TAGS,
        summary: "Open the period's access reviews (wholesale admin)",
        description:
          "Needs an Idempotency-Key. Opens, for every approved company with active employments that has none yet, the review of `period` (the current period by default). Answers the reviews opened now (none when all exist). 422: not a period label of the configured length.",
        headers: z.looseObject({
          "idempotency-key": z.string().describe("Required: a retry is answered once"),
        }),
        body: z
          .strictObject({ period: z.string().optional().describe('e.g. "2026-Q2"') })
          .optional(),
        response: {
          200: z.object({ opened: z.array(ReviewSchema) }).meta({ id: "ReviewsOpened" }),
          ...iamProblemResponses(400, 401, 403, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await context.idempotency.run(
        request,
        reply,
        async () => {
          const opened = await iamCall(() => reviews.openReviews(actor, request.body?.period));
          return { status: 200, body: { opened: opened.map(reviewView) } };
        },
        { required: true },
      );
    },
  );

  app.get(
    "/companies/:companyId/reviews",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listCompanyReviews",
        tags: TAGS,
        summary: "A company's access reviews, newest first",
        params: z.strictObject({ companyId: IdSchema }),
        querystring: PageQuerySchema,
        response: { 200: pageSchema(ReviewSchema), ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const all = await iamCall(() => reviews.listForCompany(actor, request.params.companyId));
      const page = paginate(all, (r) => [-r.id], request.query);
      return { items: page.items.map(reviewView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/reviews/:reviewId",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getReview",
        tags: TAGS,
        summary: "One access review with its lines",
        params: ReviewParams,
        response: { 200: ReviewDetailsSchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return detailsView(await iamCall(() => reviews.get(actor, request.params.reviewId)));
    },
  );

  app.post(
    "/review-lines/:lineId/decision",
    {
      preValidation: signedIn,
      schema: {
        operationId: "decideReviewLine",
        tags: TAGS,
        summary: "Confirm or not one line of an open review (the company's contact person)",
        description:
          "May be changed until the review finishes. 409 `REVIEW_FINISHED`: the review is finished.",
        params: z.strictObject({ lineId: IdSchema }),
        body: z.strictObject({
          decision: z.enum(["confirmed", "not-confirmed"]),
          comment: z.string().nullish(),
        }),
        response: { 200: ReviewLineSchema, ...iamProblemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return lineView(
        await iamCall(() => reviews.decideLine(actor, request.params.lineId, request.body)),
      );
    },
  );

  app.post(
    "/reviews/:reviewId/finish",
    {
      preValidation: signedIn,
      schema: {
        operationId: "finishReview",
        tags: TAGS,
        summary: "Finish a review whose every line is decided: what is not confirmed is revoked",
        description:
          "409 `LINES_PENDING`: a line is undecided; 409 `REVIEW_FINISHED`: finished already.",
        params: ReviewParams,
        response: { 200: ReviewDetailsSchema, ...iamProblemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return detailsView(await iamCall(() => reviews.finish(actor, request.params.reviewId)));
    },
  );

  app.get(
    "/reviews/:reviewId/evidence",
    {
      preValidation: signedIn,
      schema: {
        operationId: "getReviewEvidence",
        tags: TAGS,
        summary: "A review as audit evidence, JSON or CSV, with the SHA-256 of its content",
        description:
          "Auditors, administrators, managers and the company's own contact persons. The CSV carries the same digest in the `x-evidence-sha256` header.",
        params: ReviewParams,
        querystring: z.strictObject({ format: z.enum(["json", "csv"]).optional() }),
        response: {
          200: {
            description: "The evidence",
            content: {
              "application/json": { schema: ReviewEvidenceSchema },
              "text/csv": { schema: z.string() },
            },
          },
          ...iamProblemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const evidence = await iamCall(() => reviews.evidence(actor, request.params.reviewId));
      void reply.header("x-evidence-sha256", evidence.sha256);
      if (request.query.format === "csv") {
        void reply
          .type("text/csv; charset=utf-8")
          .header(
            "content-disposition",
            `attachment; filename="review-${evidence.review.id}-${evidence.review.period}.csv"`,
          );
        return evidenceCsv(evidence);
      }
      void reply.type("application/json");
      return { ...evidence, lines: [...evidence.lines] };
    },
  );
}
