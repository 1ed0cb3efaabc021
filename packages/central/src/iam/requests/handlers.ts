import { accountDb } from "../accounts/db.js";
import { SYSTEM_ACTOR } from "../actor.js";
import type { IamContext } from "../context.js";
import { endAuthorization } from "../effects.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { cancelTimer, type TimerHandler } from "../timers/timers.js";
import { audit } from "./basket.js";
import { emailOf, escalationDeputy } from "./delegation.js";
import { toRequestItem } from "./model.js";

/**
 * The dated steps of requests, each a durable timer, each moot once the state moved on:
 * - `request.due` (subject: item): the lead time passed and it is still pending -> escalated
 *   to the escalation deputy, who is told ("request-escalated");
 * - `request.expire` (subject: item): still pending -> expired, the submitter told;
 * - `authorization.unused-expiry` (subject: authorization): granted, never used -> expired.
 */
export function requestTimerHandlers(ctx: IamContext): Record<string, TimerHandler> {
  return {
    "request.due": async (trx, timer) => {
      const itemId = Number(timer.subject);
      const before = await trx
        .selectFrom("iam_request_item")
        .selectAll()
        .where("id", "=", itemId)
        .executeTakeFirst();
      if (before === undefined || before.status !== "pending" || before.escalated_at !== null)
        return;
      const at = ctx.clock.now();
      const deputy = (await escalationDeputy(trx)) ?? null;
      const after = await trx
        .updateTable("iam_request_item")
        .set({ escalated_at: at, escalated_to: deputy })
        .where("id", "=", itemId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(
        trx,
        SYSTEM_ACTOR,
        at,
        "request-item.escalated",
        itemId,
        toRequestItem(before),
        toRequestItem(after),
      );
      const to = await emailOf(trx, deputy);
      if (to !== undefined) {
        await enqueueNotification(accountDb(trx), at, "request-escalated", to, {
          itemId: String(itemId),
          dueAt: new Date(before.due_at ?? at).toISOString(),
        });
      } else {
        ctx.log?.info({ itemId }, "overdue request escalated without an escalation deputy");
      }
    },
    "request.expire": async (trx, timer) => {
      const itemId = Number(timer.subject);
      const before = await trx
        .selectFrom("iam_request_item")
        .selectAll()
        .where("id", "=", itemId)
        .executeTakeFirst();
      if (before === undefined || before.status !== "pending") return;
      const at = ctx.clock.now();
      const after = await trx
        .updateTable("iam_request_item")
        .set({ status: "expired" })
        .where("id", "=", itemId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await cancelTimer(trx, "request.due", itemId);
      await audit(
        trx,
        SYSTEM_ACTOR,
        at,
        "request-item.expired",
        itemId,
        toRequestItem(before),
        toRequestItem(after),
      );
      const to = await emailOf(trx, before.submitted_by);
      if (to !== undefined) {
        await enqueueNotification(accountDb(trx), at, "request-expired", to, {
          itemId: String(itemId),
        });
      }
    },
    "authorization.unused-expiry": async (trx, timer) => {
      const authorizationId = Number(timer.subject);
      const row = await trx
        .selectFrom("iam_authorization")
        .select(["status", "first_used_at"])
        .where("id", "=", authorizationId)
        .executeTakeFirst();
      if (row === undefined || row.status !== "active" || row.first_used_at !== null) return;
      await endAuthorization(
        ctx,
        trx,
        SYSTEM_ACTOR,
        authorizationId,
        "expired",
        `never used within ${ctx.config.unusedExpiryDays} days of its grant`,
      );
    },
  };
}
