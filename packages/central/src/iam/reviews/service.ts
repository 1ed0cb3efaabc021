import type { Selectable } from "kysely";
import { type Actor, requireRole, SYSTEM_ACTOR, seesCompany } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { IamValidationError, iamNotFound, ruleRefused } from "../errors.js";
import { pendingTimer, scheduleTimer, type TimerHandler } from "../timers/timers.js";
import { closeReview, REVIEW_DEADLINE_TIMER } from "./close.js";
import { type ReviewEvidence, reviewEvidence } from "./evidence.js";
import {
  findLine,
  findReview,
  linesOf,
  type Review,
  type ReviewDetails,
  type ReviewLine,
  reviewOf,
} from "./model.js";
import { openReviewsIn } from "./open.js";
import { parsePeriod, periodOf, type ReviewPeriod } from "./period.js";
import type { ReviewTable } from "./schema.js";
import { validateLineDecision } from "./validation.js";

export const REVIEW_TIMERS = {
  schedule: "review.schedule",
  deadline: REVIEW_DEADLINE_TIMER,
} as const;

const READERS = ["wholesale-admin", "manager", "auditor", "helpdesk", "partner-contact"] as const;

/**
 * Schedules the opening of the next period's reviews (the one "review.schedule" timer,
 * moved if pending). Call in a transaction; the composition calls `ensureScheduled` at start.
 */
export async function scheduleNextReviews(ctx: IamContext, trx: IamDb): Promise<number> {
  const now = ctx.clock.now();
  const current = periodOf(ctx.workingDays.localDate(now), ctx.config.reviewPeriodMonths);
  const dueAt = ctx.workingDays.startOfDay(current.next);
  await scheduleTimer(trx, now, { kind: REVIEW_TIMERS.schedule, subject: "next", dueAt });
  return dueAt;
}

/**
 * Access reviews: every period each approved company with engineers gets a review, one line
 * per active employment ("still works for us") and per live authorization ("still needs
 * it"). Its contact person decides line by line and finishes it; what is not confirmed by
 * the finish or the deadline is revoked. A finished review never changes.
 */
export class ReviewService {
  constructor(private readonly ctx: IamContext) {}

  /** Opens the period's reviews (current period by default); returns those opened now. */
  async openReviews(actor: Actor, period?: string): Promise<Review[]> {
    requireRole(actor, ["wholesale-admin"], "open access reviews");
    const target = this.period(period);
    const opened = await inTransaction(this.ctx.db, (trx) =>
      openReviewsIn(this.ctx, trx, actor, target),
    );
    this.ctx.committed();
    this.ctx.log?.info(
      { actor: actor.accountId, period: target.label, opened: opened.length },
      "reviews opened",
    );
    return opened;
  }

  /** Arms the periodic opening unless it is pending already; for the composition at start. */
  async ensureScheduled(): Promise<void> {
    const pending = await pendingTimer(this.ctx.db, REVIEW_TIMERS.schedule, "next");
    if (pending !== undefined) return;
    await inTransaction(this.ctx.db, (trx) => scheduleNextReviews(this.ctx, trx));
    this.ctx.committed();
  }

  /** A company's reviews, newest first. */
  async listForCompany(actor: Actor, companyId: number): Promise<Review[]> {
    requireRole(actor, READERS, "read access reviews");
    const company = await this.ctx.db
      .selectFrom("iam_company")
      .select("id")
      .where("id", "=", companyId)
      .executeTakeFirst();
    if (company === undefined || !seesCompany(actor, companyId)) {
      throw iamNotFound("company", companyId);
    }
    const rows = await this.ctx.db
      .selectFrom("iam_review")
      .selectAll()
      .where("company_id", "=", companyId)
      .orderBy("id", "desc")
      .execute();
    return rows.map(reviewOf);
  }

  /** One review with its lines. */
  async get(actor: Actor, reviewId: number): Promise<ReviewDetails> {
    requireRole(actor, READERS, "read access reviews");
    const row = await this.visible(this.ctx.db, actor, reviewId);
    return { ...reviewOf(row), lines: await linesOf(this.ctx.db, reviewId) };
  }

  /** The contact person's decision on one line of an open review (may be changed until finished). */
  async decideLine(actor: Actor, lineId: number, input: unknown): Promise<ReviewLine> {
    requireRole(actor, ["partner-contact"], "decide review lines");
    const data = validateLineDecision(input);
    const at = this.ctx.clock.now();
    const line = await inTransaction(this.ctx.db, async (trx) => {
      const before = await findLine(trx, lineId);
      if (before === undefined) throw iamNotFound("review line", lineId);
      const review = await this.visible(trx, actor, before.review_id).catch(() => {
        throw iamNotFound("review line", lineId);
      });
      refuseFinished(review);
      await trx
        .updateTable("iam_review_line")
        .set({
          decision: data.decision,
          decided_by: actor.accountId,
          decided_at: at,
          comment: data.comment,
        })
        .where("id", "=", lineId)
        .execute();
      await appendAudit(trx, {
        actor,
        at,
        action: "review.line-decided",
        entity: "review",
        entityId: review.id,
        before: { lineId, decision: before.decision, comment: before.comment },
        after: { lineId, decision: data.decision, comment: data.comment },
      });
      const lines = await linesOf(trx, review.id);
      return lines.find((l) => l.id === lineId) as ReviewLine;
    });
    this.ctx.committed();
    return line;
  }

  /** Finishes a review whose every line is decided: what is not confirmed is revoked. */
  async finish(actor: Actor, reviewId: number): Promise<ReviewDetails> {
    requireRole(actor, ["partner-contact", "wholesale-admin"], "finish access reviews");
    const result = await inTransaction(this.ctx.db, async (trx) => {
      const review = await this.visible(trx, actor, reviewId);
      refuseFinished(review);
      const pending = await trx
        .selectFrom("iam_review_line")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("review_id", "=", reviewId)
        .where("decision", "=", "pending")
        .executeTakeFirstOrThrow();
      if (Number(pending.n) > 0) {
        throw ruleRefused(
          "LINES_PENDING",
          `review ${reviewId} has ${pending.n} undecided line(s): decide every line before finishing`,
        );
      }
      await closeReview(this.ctx, trx, review, actor, actor.accountId);
      const after = await findReview(trx, reviewId);
      return { ...reviewOf(after as Selectable<ReviewTable>), lines: await linesOf(trx, reviewId) };
    });
    this.ctx.committed();
    this.ctx.log?.info({ actor: actor.accountId, reviewId }, "review finished");
    return result;
  }

  /** The review as evidence for an auditor: content and its SHA-256. */
  async evidence(actor: Actor, reviewId: number): Promise<ReviewEvidence> {
    requireRole(
      actor,
      ["auditor", "wholesale-admin", "manager", "partner-contact"],
      "export review evidence",
    );
    const details = await this.get(actor, reviewId);
    const company = await this.ctx.db
      .selectFrom("iam_company")
      .select("kvk_name")
      .where("id", "=", details.companyId)
      .executeTakeFirstOrThrow();
    return reviewEvidence(details, company.kvk_name);
  }

  timerHandlers(): Record<string, TimerHandler> {
    return {
      [REVIEW_TIMERS.schedule]: async (trx) => {
        const now = this.ctx.clock.now();
        await openReviewsIn(this.ctx, trx, SYSTEM_ACTOR, this.period(undefined, now));
        await scheduleNextReviews(this.ctx, trx);
      },
      [REVIEW_TIMERS.deadline]: async (trx, timer) => {
        const review = await findReview(trx, Number(timer.subject));
        if (review === undefined || review.status === "finished") return;
        await closeReview(this.ctx, trx, review, SYSTEM_ACTOR, "deadline");
      },
    };
  }

  // --- internals ---

  private period(label: string | undefined, at = this.ctx.clock.now()): ReviewPeriod {
    const months = this.ctx.config.reviewPeriodMonths;
    if (label === undefined) return periodOf(this.ctx.workingDays.localDate(at), months);
    const period = parsePeriod(label, months);
    if (period === undefined) {
      const example = periodOf(this.ctx.workingDays.localDate(at), months).label;
      throw new IamValidationError([{ path: "period", message: `a period such as ${example}` }]);
    }
    return period;
  }

  private async visible(
    db: IamDb,
    actor: Actor,
    reviewId: number,
  ): Promise<Selectable<ReviewTable>> {
    const row = await findReview(db, reviewId);
    if (row === undefined || !seesCompany(actor, row.company_id))
      throw iamNotFound("review", reviewId);
    return row;
  }
}

function refuseFinished(review: Selectable<ReviewTable>): void {
  if (review.status === "finished") {
    throw ruleRefused(
      "REVIEW_FINISHED",
      `review ${review.id} (${review.period}) was finished by ${review.finished_by ?? "?"}: it cannot change`,
    );
  }
}
