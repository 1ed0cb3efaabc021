import type { Selectable } from "kysely";
import { accountDb } from "../accounts/db.js";
import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import { shippingAddressOf } from "../cards/request.js";
import type { CatalogueEntry } from "../catalogue/model.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { endAuthorization } from "../effects.js";
import { forbidden, iamNotFound, ruleRefused } from "../errors.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { cancelTimer, scheduleTimer } from "../timers/timers.js";
import { audit, DAY_MS, visibleItem } from "./basket.js";
import { emailOf, runningDelegation } from "./delegation.js";
import { employmentRefusal, entryRefusal, requireEntry } from "./eligibility.js";
import { type RequestItem, toRequestItem } from "./model.js";
import type { RequestItemTable } from "./schema.js";
import { validateDecision } from "./validation.js";

/**
 * Decides a pending item: a manager, or a deputy while a delegation runs (recorded as
 * decided_by the deputy, decided_for the manager). Nobody decides an item they submitted
 * (FORBIDDEN `OWN_REQUEST`), as deputy neither. An approved grant is checked again (card,
 * certificates, profile) and becomes an authorization: at the doors too for a physical
 * entry, a key to ship for a key entry. An approved revocation ends its authorization.
 * The submitter is told either way.
 */
export async function decide(
  ctx: IamContext,
  actor: Actor,
  itemId: number,
  input: unknown,
): Promise<RequestItem> {
  const data = validateDecision(input);
  const result = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const before = await visibleItem(trx, actor, itemId);
    const delegation = await runningDelegation(trx, actor.accountId, now);
    if (delegation === undefined && actor.role !== "manager") {
      throw forbidden(`${actor.role} may not decide requests`);
    }
    if (before.status !== "pending") {
      throw ruleRefused(
        "NOT_PENDING",
        `request item ${itemId} is ${before.status}: only a pending one is decided`,
      );
    }
    const decidedFor = delegation?.managerAccountId ?? null;
    if (
      before.submitted_by === actor.accountId ||
      (decidedFor !== null && before.submitted_by === decidedFor)
    ) {
      throw forbidden(
        `request item ${itemId} was submitted by ${before.submitted_by}, who cannot decide it`,
        "OWN_REQUEST",
      );
    }
    let authorizationId = before.authorization_id;
    if (data.decision === "approve") {
      const entry = await requireEntry(trx, before.entry_id);
      if (before.action === "grant") {
        authorizationId = await grant(ctx, trx, actor, before, entry);
      } else if (before.authorization_id !== null) {
        await endAuthorization(
          ctx,
          trx,
          actor,
          before.authorization_id,
          "revoked",
          data.comment ?? "revoked on request",
        );
      }
    }
    const after = await trx
      .updateTable("iam_request_item")
      .set({
        status: data.decision === "approve" ? "approved" : "rejected",
        authorization_id: authorizationId,
        decided_by: actor.accountId,
        decided_for: decidedFor,
        decided_at: now,
        decision_comment: data.comment,
      })
      .where("id", "=", itemId)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancelTimer(trx, "request.due", itemId);
    await cancelTimer(trx, "request.expire", itemId);
    const item = toRequestItem(after);
    await audit(
      trx,
      actor,
      now,
      `request-item.${item.status}`,
      itemId,
      toRequestItem(before),
      item,
    );
    const to = await emailOf(trx, before.submitted_by);
    if (to !== undefined) {
      await enqueueNotification(accountDb(trx), now, "request-decided", to, {
        itemId: String(itemId),
        decision: item.status,
        comment: data.comment ?? "",
      });
    }
    return item;
  });
  ctx.committed();
  ctx.log?.info({ actor: actor.accountId, itemId, status: result.status }, "request decided");
  return result;
}

/** Checks the grant again and makes the authorization; returns its id. */
async function grant(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  item: Selectable<RequestItemTable>,
  entry: CatalogueEntry,
): Promise<number> {
  const now = ctx.clock.now();
  const employment = await trx
    .selectFrom("iam_employment")
    .selectAll()
    .where("id", "=", item.employment_id)
    .executeTakeFirst();
  if (employment === undefined) throw iamNotFound("employment", item.employment_id);
  const refused = await entryRefusal(trx, item.company_id, entry);
  if (refused !== null) throw refused;
  const ineligible = await employmentRefusal(ctx, trx, employment, entry, now);
  if (ineligible !== null)
    throw ruleRefused(ineligible.rule, `cannot approve: ${ineligible.message}`);
  const held = await trx
    .selectFrom("iam_authorization")
    .select("id")
    .where("employment_id", "=", employment.id)
    .where("entry_id", "=", entry.id)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (held !== undefined) {
    throw ruleRefused(
      "ALREADY_HELD",
      `employment ${employment.employment_number} already holds authorization ${held.id}`,
    );
  }
  // Physical entries reach the doors: the state row and its site delta commit with this.
  const stateAuthorizationId =
    entry.service === "physical" && entry.areaId !== null
      ? ctx.commands.grant(employment.state_employment_id, entry.areaId).authorizationId
      : null;
  const row = await trx
    .insertInto("iam_authorization")
    .values({
      employment_id: employment.id,
      entry_id: entry.id,
      state_authorization_id: stateAuthorizationId,
      status: "active",
      granted_at: now,
      granted_by: actor.accountId,
      first_used_at: null,
      ended_at: null,
      end_reason: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await appendAudit(trx, {
    actor,
    at: now,
    action: "authorization.granted",
    entity: "authorization",
    entityId: row.id,
    before: null,
    after: {
      requestItemId: item.id,
      employmentId: employment.id,
      entryId: entry.id,
      stateAuthorizationId,
    },
  });
  await scheduleTimer(trx, now, {
    kind: "authorization.unused-expiry",
    subject: row.id,
    dueAt: now + ctx.config.unusedExpiryDays * DAY_MS,
  });
  if (entry.service === "key" && entry.keyType !== null) {
    const address = await shippingAddressOf(trx, employment.id);
    await trx
      .insertInto("iam_key_issue")
      .values({
        authorization_id: row.id,
        key_type: entry.keyType,
        status: "approved",
        shipping_address: JSON.stringify(address),
        shipped_at: null,
        issued_at: null,
        return_requested_at: null,
        returned_at: null,
      })
      .execute();
  }
  return row.id;
}
