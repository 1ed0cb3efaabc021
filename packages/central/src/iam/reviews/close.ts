import type { Selectable } from "kysely";
import { accountDb } from "../accounts/db.js";
import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import type { IamDb } from "../db.js";
import { endAuthorization } from "../effects.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { cancelTimer } from "../timers/timers.js";
import { contactEmails } from "./model.js";
import type { ReviewTable } from "./schema.js";

export const REVIEW_DEADLINE_TIMER = "review.deadline";

/**
 * Finishes an open review (by its contact person or at its deadline): what was not
 * confirmed is revoked. An authorization line ends that authorization; an employment line
 * ends every live authorization of the employment (the employment itself is the partner's
 * to end). Lines first: once the review is finished its triggers refuse any change.
 */
export async function closeReview(
  ctx: IamContext,
  trx: IamDb,
  review: Selectable<ReviewTable>,
  actor: Actor,
  finishedBy: string,
): Promise<{ revokedLines: number; endedAuthorizations: number[] }> {
  const at = ctx.clock.now();
  const reason = `access review ${review.period}`;
  const open = await trx
    .selectFrom("iam_review_line")
    .selectAll()
    .where("review_id", "=", review.id)
    .where("decision", "in", ["pending", "not-confirmed"])
    .orderBy("id")
    .execute();
  const ended: number[] = [];
  const end = async (authorizationId: number) => {
    if (await endAuthorization(ctx, trx, actor, authorizationId, "revoked", reason)) {
      ended.push(authorizationId);
    }
  };
  for (const line of open) {
    if (line.authorization_id !== null) {
      await end(line.authorization_id);
    } else {
      const live = await trx
        .selectFrom("iam_authorization")
        .select("id")
        .where("employment_id", "=", line.employment_id)
        .where("status", "=", "active")
        .orderBy("id")
        .execute();
      for (const a of live) await end(a.id);
    }
    // A contact person's "not confirmed" keeps who said so; a line nobody decided names
    // who finished the review.
    const undecided = line.decision === "pending";
    await trx
      .updateTable("iam_review_line")
      .set({
        decision: "revoked",
        decided_by: undecided ? finishedBy : line.decided_by,
        decided_at: undecided ? at : line.decided_at,
        comment: undecided ? "not confirmed before the review finished" : line.comment,
      })
      .where("id", "=", line.id)
      .execute();
  }
  await trx
    .updateTable("iam_review")
    .set({ status: "finished", finished_at: at, finished_by: finishedBy })
    .where("id", "=", review.id)
    .execute();
  await cancelTimer(trx, REVIEW_DEADLINE_TIMER, review.id);
  await appendAudit(trx, {
    actor,
    at,
    action: "review.finished",
    entity: "review",
    entityId: review.id,
    before: { status: review.status },
    after: {
      status: "finished",
      finishedBy,
      revokedLines: open.length,
      endedAuthorizations: ended,
    },
  });
  const params = {
    reviewId: String(review.id),
    period: review.period,
    revokedLines: String(open.length),
    finishedBy,
  };
  for (const to of await contactEmails(trx, review.company_id)) {
    await enqueueNotification(accountDb(trx), at, "review-finished", to, params);
  }
  return { revokedLines: open.length, endedAuthorizations: ended };
}
