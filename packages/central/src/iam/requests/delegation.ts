import { accountDb } from "../accounts/db.js";
import { type Actor, requireRole } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { IamValidationError, iamNotFound, ruleRefused } from "../errors.js";
import { type Delegation, toDelegation } from "./model.js";
import { validateAccountId, validateDelegation } from "./validation.js";

export const ESCALATION_DEPUTY = "escalation-deputy";

/** Roles that may stand in for a manager or take escalations (never a partner or an institute). */
const DEPUTY_ROLES = ["manager", "wholesale-admin", "helpdesk"];

async function account(
  db: IamDb,
  id: string,
): Promise<{ id: string; role: string; email: string } | undefined> {
  return accountDb(db)
    .selectFrom("iam_account")
    .select(["id", "role", "email"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The e-mail address of an account, for notifications; undefined for an unknown one. */
export async function emailOf(db: IamDb, accountId: string | null): Promise<string | undefined> {
  return accountId === null ? undefined : (await account(db, accountId))?.email;
}

async function requireDeputy(db: IamDb, path: string, id: string): Promise<void> {
  const deputy = await account(db, id);
  if (deputy === undefined) throw new IamValidationError([{ path, message: `no account ${id}` }]);
  if (!DEPUTY_ROLES.includes(deputy.role)) {
    throw ruleRefused(
      "DEPUTY_NOT_ALLOWED",
      `account ${id} (${deputy.role}) cannot decide requests`,
    );
  }
}

/**
 * A manager away from .. until names a deputy, who decides requests in the manager's name
 * meanwhile (even without the manager role); the decision records both.
 */
export async function delegate(ctx: IamContext, actor: Actor, input: unknown): Promise<Delegation> {
  requireRole(actor, ["manager"], "delegate decisions");
  const data = validateDelegation(input);
  const now = ctx.clock.now();
  if (data.until <= now) {
    throw new IamValidationError([{ path: "until", message: "must be in the future" }]);
  }
  if (data.deputyAccountId === actor.accountId) {
    throw new IamValidationError([
      { path: "deputyAccountId", message: "a manager is not their own deputy" },
    ]);
  }
  const delegation = await inTransaction(ctx.db, async (trx) => {
    await requireDeputy(trx, "deputyAccountId", data.deputyAccountId);
    const row = await trx
      .insertInto("iam_delegation")
      .values({
        manager_account_id: actor.accountId,
        deputy_account_id: data.deputyAccountId,
        valid_from: data.from,
        valid_until: data.until,
        created_at: now,
        withdrawn_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const d = toDelegation(row);
    await appendAudit(trx, {
      actor,
      at: now,
      action: "delegation.created",
      entity: "delegation",
      entityId: d.id,
      before: null,
      after: d,
    });
    return d;
  });
  ctx.committed();
  return delegation;
}

/** Delegations the actor gave or received (admins and auditors: all), newest first. */
export async function delegations(ctx: IamContext, actor: Actor): Promise<Delegation[]> {
  requireRole(actor, ["manager", "wholesale-admin", "helpdesk", "auditor"], "read delegations");
  let query = ctx.db.selectFrom("iam_delegation").selectAll();
  if (actor.role !== "wholesale-admin" && actor.role !== "auditor") {
    query = query.where((eb) =>
      eb.or([
        eb("manager_account_id", "=", actor.accountId),
        eb("deputy_account_id", "=", actor.accountId),
      ]),
    );
  }
  return (await query.orderBy("id", "desc").execute()).map(toDelegation);
}

/** Ends a delegation now (its manager or an admin); another's is NOT_FOUND. */
export async function withdrawDelegation(
  ctx: IamContext,
  actor: Actor,
  delegationId: number,
): Promise<Delegation> {
  requireRole(actor, ["manager", "wholesale-admin"], "withdraw delegations");
  const result = await inTransaction(ctx.db, async (trx) => {
    const row = await trx
      .selectFrom("iam_delegation")
      .selectAll()
      .where("id", "=", delegationId)
      .executeTakeFirst();
    if (
      row === undefined ||
      (actor.role === "manager" && row.manager_account_id !== actor.accountId)
    ) {
      throw iamNotFound("delegation", delegationId);
    }
    if (row.withdrawn_at !== null) return toDelegation(row);
    const at = ctx.clock.now();
    const after = await trx
      .updateTable("iam_delegation")
      .set({ withdrawn_at: at })
      .where("id", "=", delegationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      actor,
      at,
      action: "delegation.withdrawn",
      entity: "delegation",
      entityId: delegationId,
      before: toDelegation(row),
      after: toDelegation(after),
    });
    return toDelegation(after);
  });
  ctx.committed();
  return result;
}

/** The delegation under which `accountId` decides at `at`, if one runs (the oldest). */
export async function runningDelegation(
  db: IamDb,
  accountId: string,
  at: number,
): Promise<Delegation | undefined> {
  const row = await db
    .selectFrom("iam_delegation")
    .selectAll()
    .where("deputy_account_id", "=", accountId)
    .where("valid_from", "<=", at)
    .where("valid_until", ">", at)
    .where("withdrawn_at", "is", null)
    .orderBy("id")
    .executeTakeFirst();
  return row === undefined ? undefined : toDelegation(row);
}

/** Names the account overdue requests escalate to (iam_setting "escalation-deputy"). */
export async function setEscalationDeputy(
  ctx: IamContext,
  actor: Actor,
  accountIdInput: unknown,
): Promise<string> {
  requireRole(actor, ["wholesale-admin"], "set the escalation deputy");
  const accountId = validateAccountId(accountIdInput);
  await inTransaction(ctx.db, async (trx) => {
    await requireDeputy(trx, "accountId", accountId);
    const at = ctx.clock.now();
    const before = await escalationDeputy(trx);
    const value = JSON.stringify(accountId);
    await trx
      .insertInto("iam_setting")
      .values({ key: ESCALATION_DEPUTY, value, changed_by: actor.accountId, changed_at: at })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({ value, changed_by: actor.accountId, changed_at: at }),
      )
      .execute();
    await appendAudit(trx, {
      actor,
      at,
      action: "setting.changed",
      entity: "setting",
      entityId: ESCALATION_DEPUTY,
      before: { accountId: before ?? null },
      after: { accountId },
    });
  });
  ctx.committed();
  return accountId;
}

export async function escalationDeputy(db: IamDb): Promise<string | undefined> {
  const row = await db
    .selectFrom("iam_setting")
    .select("value")
    .where("key", "=", ESCALATION_DEPUTY)
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.value) as string);
}
