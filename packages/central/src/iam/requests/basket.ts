import type { Selectable } from "kysely";
import { type Actor, requireRole, seesCompany } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { iamNotFound, ruleRefused } from "../errors.js";
import { scheduleTimer } from "../timers/timers.js";
import { type RequestItem, type SubmissionResult, toRequestItem } from "./model.js";
import type { RequestItemTable } from "./schema.js";
import { validateMotivation } from "./validation.js";

export const DAY_MS = 86_400_000;

/** Who fills a basket: contact persons for their company; KPN staff on a company's behalf. */
export const REQUESTERS = ["partner-contact", "manager", "wholesale-admin"] as const;

/** An item as `actor` may see it (a partner: its own company's only; foreign = missing). */
export async function visibleItem(
  db: IamDb,
  actor: Actor,
  itemId: number,
): Promise<Selectable<RequestItemTable>> {
  const row = await db
    .selectFrom("iam_request_item")
    .selectAll()
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (row === undefined || !seesCompany(actor, row.company_id)) {
    throw iamNotFound("request item", itemId);
  }
  return row;
}

/** An item of the actor's own basket, or NOT_FOUND. */
async function basketItem(
  db: IamDb,
  actor: Actor,
  itemId: number,
): Promise<Selectable<RequestItemTable>> {
  const row = await visibleItem(db, actor, itemId);
  if (row.basket_owner !== actor.accountId) throw iamNotFound("request item", itemId);
  if (row.status !== "draft") {
    throw ruleRefused("NOT_DRAFT", `request item ${itemId} is ${row.status}: only a draft changes`);
  }
  return row;
}

/** Sets a draft's motivation: it is then ready to be submitted. */
export async function setMotivation(
  ctx: IamContext,
  actor: Actor,
  itemId: number,
  text: unknown,
): Promise<RequestItem> {
  requireRole(actor, REQUESTERS, "request authorizations");
  const motivation = validateMotivation(text);
  const item = await inTransaction(ctx.db, async (trx) => {
    const before = await basketItem(trx, actor, itemId);
    const after = await trx
      .updateTable("iam_request_item")
      .set({ motivation })
      .where("id", "=", itemId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const at = ctx.clock.now();
    await audit(
      trx,
      actor,
      at,
      "request-item.motivated",
      itemId,
      toRequestItem(before),
      toRequestItem(after),
    );
    return toRequestItem(after);
  });
  ctx.committed();
  return item;
}

/** Takes a draft out of the basket (kept as withdrawn, for the record). */
export async function removeItem(
  ctx: IamContext,
  actor: Actor,
  itemId: number,
): Promise<RequestItem> {
  requireRole(actor, REQUESTERS, "request authorizations");
  const item = await inTransaction(ctx.db, async (trx) => {
    const before = await basketItem(trx, actor, itemId);
    const after = await trx
      .updateTable("iam_request_item")
      .set({ status: "withdrawn" })
      .where("id", "=", itemId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(
      trx,
      actor,
      ctx.clock.now(),
      "request-item.removed",
      itemId,
      toRequestItem(before),
      toRequestItem(after),
    );
    return toRequestItem(after);
  });
  ctx.committed();
  return item;
}

/** The actor's basket: its drafts, by id. */
export async function basket(ctx: IamContext, actor: Actor): Promise<RequestItem[]> {
  requireRole(actor, REQUESTERS, "request authorizations");
  const rows = await ctx.db
    .selectFrom("iam_request_item")
    .selectAll()
    .where("basket_owner", "=", actor.accountId)
    .where("status", "=", "draft")
    .orderBy("id")
    .execute();
  return rows.map(toRequestItem);
}

/**
 * Sends every ready draft of the actor's basket, together (one submission per company):
 * each becomes pending, due after the lead time in Dutch working days, and expires after
 * `pendingExpiryDays`. Drafts without motivation stay. With nothing ready it sends nothing,
 * so a repeated submission never sends twice.
 */
export async function submit(ctx: IamContext, actor: Actor): Promise<SubmissionResult> {
  requireRole(actor, REQUESTERS, "submit requests");
  const result = await inTransaction(ctx.db, async (trx) => {
    const drafts = await trx
      .selectFrom("iam_request_item")
      .selectAll()
      .where("basket_owner", "=", actor.accountId)
      .where("status", "=", "draft")
      .orderBy("id")
      .execute();
    const ready = drafts.filter((d) => d.motivation !== null);
    const now = ctx.clock.now();
    const dueAt = ctx.workingDays.addWorkingDays(now, ctx.config.leadTimeWorkingDays);
    const expiresAt = now + ctx.config.pendingExpiryDays * DAY_MS;
    const submissionIds: number[] = [];
    const items: RequestItem[] = [];
    for (const companyId of [...new Set(ready.map((r) => r.company_id))]) {
      const ofCompany = ready.filter((r) => r.company_id === companyId);
      const submission = await trx
        .insertInto("iam_submission")
        .values({
          company_id: companyId,
          submitted_by: actor.accountId,
          submitted_at: now,
          item_count: ofCompany.length,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      submissionIds.push(submission.id);
      for (const draft of ofCompany) {
        const after = await trx
          .updateTable("iam_request_item")
          .set({
            status: "pending",
            submission_id: submission.id,
            submitted_by: actor.accountId,
            submitted_at: now,
            due_at: dueAt,
            expires_at: expiresAt,
          })
          .where("id", "=", draft.id)
          .where("status", "=", "draft")
          .returningAll()
          .executeTakeFirstOrThrow();
        await scheduleTimer(trx, now, { kind: "request.due", subject: draft.id, dueAt });
        await scheduleTimer(trx, now, {
          kind: "request.expire",
          subject: draft.id,
          dueAt: expiresAt,
        });
        const item = toRequestItem(after);
        await audit(
          trx,
          actor,
          now,
          "request-item.submitted",
          draft.id,
          toRequestItem(draft),
          item,
        );
        items.push(item);
      }
    }
    return { submissionIds, items, notReady: drafts.length - ready.length };
  });
  ctx.committed();
  ctx.log?.info(
    { actor: actor.accountId, submissions: result.submissionIds, items: result.items.length },
    "requests submitted",
  );
  return result;
}

/** Pending items (a partner: its own company's), oldest due first. */
export async function pendingItems(
  ctx: IamContext,
  actor: Actor,
  overdueOnly: boolean,
): Promise<RequestItem[]> {
  requireRole(
    actor,
    ["manager", "wholesale-admin", "helpdesk", "auditor", "partner-contact"],
    "read requests",
  );
  let query = ctx.db.selectFrom("iam_request_item").selectAll().where("status", "=", "pending");
  if (actor.role === "partner-contact")
    query = query.where("company_id", "=", actor.companyId ?? -1);
  if (overdueOnly) query = query.where("due_at", "<", ctx.clock.now());
  const rows = await query.orderBy("due_at").orderBy("id").execute();
  return rows.map(toRequestItem);
}

export function audit(
  trx: IamDb,
  actor: Actor,
  at: number,
  action: string,
  itemId: number,
  before: object | null,
  after: object | null,
): Promise<void> {
  return appendAudit(trx, {
    actor,
    at,
    action,
    entity: "request-item",
    entityId: itemId,
    before,
    after,
  });
}
