import type { Actor } from "./actor.js";
import { appendAudit } from "./audit.js";
import type { IamContext } from "./context.js";
import type { IamDb } from "./db.js";
import type { AuthorizationStatus } from "./requests/schema.js";

/**
 * Changes several modules make (a request's revocation, an end of employment, a lapsed
 * certificate, a review's deadline all end authorizations; a replacement and an end of
 * employment deactivate cards): one implementation, run inside the caller's transaction.
 */

/**
 * Ends a live authorization: at central (status, when, why), at the doors (its state row is
 * revoked: a delta to its site); a key out goes to "to-return", one not yet shipped is
 * cancelled. No-op for one already ended.
 */
export async function endAuthorization(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  authorizationId: number,
  status: Exclude<AuthorizationStatus, "active">,
  reason: string,
): Promise<boolean> {
  const row = await trx
    .selectFrom("iam_authorization")
    .selectAll()
    .where("id", "=", authorizationId)
    .executeTakeFirst();
  if (row === undefined || row.status !== "active") return false;
  const at = ctx.clock.now();
  await trx
    .updateTable("iam_authorization")
    .set({ status, ended_at: at, end_reason: reason })
    .where("id", "=", authorizationId)
    .execute();
  if (row.state_authorization_id !== null) ctx.commands.revoke(row.state_authorization_id);
  const key = await trx
    .selectFrom("iam_key_issue")
    .select(["id", "status"])
    .where("authorization_id", "=", authorizationId)
    .executeTakeFirst();
  if (key !== undefined && (key.status === "shipped" || key.status === "issued")) {
    await trx
      .updateTable("iam_key_issue")
      .set({ status: "to-return", return_requested_at: at })
      .where("id", "=", key.id)
      .execute();
  } else if (key?.status === "approved") {
    // Never sent: nothing to hand back, and it must not be shipped any more.
    await trx
      .updateTable("iam_key_issue")
      .set({ status: "cancelled" })
      .where("id", "=", key.id)
      .execute();
  }
  await appendAudit(trx, {
    actor,
    at,
    action: `authorization.${status}`,
    entity: "authorization",
    entityId: authorizationId,
    before: { status: row.status },
    after: { status, reason },
  });
  return true;
}

/**
 * Deactivates an active (or shipped) access card at central and at the doors. `stateStatus`
 * is what the doors see: lost / stolen / defective for those reasons, inactive otherwise.
 */
export async function deactivateCard(
  ctx: IamContext,
  trx: IamDb,
  actor: Actor,
  cardId: number,
  reason: string,
  options: {
    readonly stateStatus?: "inactive" | "lost" | "stolen" | "defective" | "replaced";
    readonly toReturn?: boolean;
  } = {},
): Promise<boolean> {
  const row = await trx
    .selectFrom("iam_card")
    .selectAll()
    .where("id", "=", cardId)
    .executeTakeFirst();
  if (row === undefined || !["active", "shipped", "in-production"].includes(row.status)) {
    return false;
  }
  const at = ctx.clock.now();
  await trx
    .updateTable("iam_card")
    .set({
      status: "inactive",
      deactivated_at: at,
      deactivation_reason: reason,
      to_return: options.toReturn === true ? 1 : row.to_return,
    })
    .where("id", "=", cardId)
    .execute();
  if (row.state_card_id !== null) {
    ctx.commands.setCardStatus(row.state_card_id, options.stateStatus ?? "inactive", reason);
  }
  await appendAudit(trx, {
    actor,
    at,
    action: "card.deactivated",
    entity: "card",
    entityId: cardId,
    before: { status: row.status },
    after: { status: "inactive", reason, toReturn: options.toReturn === true },
  });
  return true;
}
