import { accountDb } from "../accounts/db.js";
import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { scheduleTimer } from "../timers/timers.js";
import { REVIEW_DEADLINE_TIMER } from "./close.js";
import { contactEmails, type Review, reviewOf } from "./model.js";
import type { ReviewPeriod } from "./period.js";

const DAY_MS = 86_400_000;

/**
 * Opens `period`'s review of every approved company with active employments that has none
 * yet, each with its deadline timer; the contact persons are told. Returns those opened.
 */
export async function openReviewsIn(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  period: ReviewPeriod,
): Promise<Review[]> {
  const at = ctx.clock.now();
  const deadlineAt = at + ctx.config.reviewDeadlineDays * DAY_MS;
  const companies = await trx
    .selectFrom("iam_company")
    .select("id")
    .where("status", "=", "approved")
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("iam_employment")
          .select("iam_employment.id")
          .whereRef("iam_employment.company_id", "=", "iam_company.id")
          .where("iam_employment.status", "=", "active"),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("iam_review")
            .select("iam_review.id")
            .whereRef("iam_review.company_id", "=", "iam_company.id")
            .where("iam_review.period", "=", period.label),
        ),
      ),
    )
    .orderBy("id")
    .execute();
  const opened: Review[] = [];
  for (const { id: companyId } of companies) {
    const row = await trx
      .insertInto("iam_review")
      .values({
        company_id: companyId,
        period: period.label,
        opened_at: at,
        deadline_at: deadlineAt,
        status: "open",
        finished_at: null,
        finished_by: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const lines = await insertLines(trx, row.id, companyId);
    await scheduleTimer(trx, at, {
      kind: REVIEW_DEADLINE_TIMER,
      subject: row.id,
      dueAt: deadlineAt,
    });
    const review = reviewOf(row);
    await appendAudit(trx, {
      actor,
      at,
      action: "review.opened",
      entity: "review",
      entityId: row.id,
      before: null,
      after: { ...review, lines },
    });
    const params = {
      reviewId: String(row.id),
      period: period.label,
      deadline: ctx.workingDays.localDate(deadlineAt),
      lines: String(lines),
    };
    for (const to of await contactEmails(trx, companyId)) {
      await enqueueNotification(accountDb(trx), at, "review-opened", to, params);
    }
    opened.push(review);
  }
  return opened;
}

/** A line per active employment and per live authorization of it; returns how many. */
async function insertLines(trx: IamDb, reviewId: number, companyId: number): Promise<number> {
  const employments = await trx
    .selectFrom("iam_employment")
    .select("id")
    .where("company_id", "=", companyId)
    .where("status", "=", "active")
    .orderBy("id")
    .execute();
  let count = 0;
  const line = {
    review_id: reviewId,
    decision: "pending" as const,
    decided_by: null,
    decided_at: null,
    comment: null,
  };
  for (const e of employments) {
    await trx
      .insertInto("iam_review_line")
      .values({ ...line, employment_id: e.id, authorization_id: null })
      .execute();
    count++;
    const authorizations = await trx
      .selectFrom("iam_authorization")
      .select("id")
      .where("employment_id", "=", e.id)
      .where("status", "=", "active")
      .orderBy("id")
      .execute();
    for (const a of authorizations) {
      await trx
        .insertInto("iam_review_line")
        .values({ ...line, employment_id: e.id, authorization_id: a.id })
        .execute();
      count++;
    }
  }
  return count;
}

/** The review as `actor` may see it: a partner's foreign review is NOT_FOUND. */
