import { type Actor, requireRole } from "../actor.js";
import { IamError, iamNotFound } from "../errors.js";
import { type AccountContext, auditAccount, findAccount, issueReset } from "./context.js";
import { type AccountTable, inAccountTransaction } from "./db.js";
import { type Account, CreateAccountSchema, parse, view } from "./model.js";
import { newId, newToken } from "./secrets.js";

/**
 * Creates an account (wholesale admins only) without a password: an invitation with a
 * single-use token to set one is e-mailed. Refuses IamValidationError, NOT_FOUND for an
 * unknown company, CONFLICT `DUPLICATE_ACCOUNT` for a username or e-mail in use.
 */
export async function createAccount(
  ctx: AccountContext,
  actor: Actor,
  input: unknown,
): Promise<Account> {
  requireRole(actor, ["wholesale-admin"], "create accounts");
  const data = parse(CreateAccountSchema, input);
  const at = ctx.clock.now();
  const token = newToken("");
  const account = await inAccountTransaction(ctx.db, async (trx) => {
    if (data.companyId !== undefined) {
      const company = await trx
        .selectFrom("iam_company")
        .select("id")
        .where("id", "=", data.companyId)
        .executeTakeFirst();
      if (company === undefined) throw iamNotFound("company", data.companyId);
    }
    const clash = await trx
      .selectFrom("iam_account")
      .select("id")
      .where((eb) => eb.or([eb("username", "=", data.username), eb("email", "=", data.email)]))
      .executeTakeFirst();
    if (clash !== undefined) {
      throw new IamError(
        "CONFLICT",
        "an account with this username or e-mail exists",
        "DUPLICATE_ACCOUNT",
      );
    }
    const row: AccountTable = {
      id: newId(),
      username: data.username,
      role: data.role,
      mobile: data.mobile,
      email: data.email,
      company_id: data.companyId ?? null,
      password_hash: null,
      password_changed_at: null,
      failed_logins: 0,
      locked_until: null,
      created_by: actor.accountId,
      created_at: at,
    };
    await trx.insertInto("iam_account").values(row).execute();
    const created = view(row);
    await auditAccount(trx, actor, at, "account.created", "account", row.id, null, created);
    await issueReset(ctx, trx, row, at, "invitation", token);
    return created;
  });
  ctx.log?.info({ actor: actor.accountId, accountId: account.id }, "account created");
  return account;
}

/**
 * The first wholesale administrator of a new installation (run by the operator on the
 * server, `central admin create`): refused (RULE `ADMIN_EXISTS`) once any exists — from
 * then on administrators create accounts. Returns the invitation token to hand over (the
 * invitation e-mail is queued too, for when a mail sender is configured).
 */
export async function bootstrapAdmin(
  ctx: AccountContext,
  input: unknown,
): Promise<{ account: Account; invitationToken: string }> {
  const existing = await ctx.db
    .selectFrom("iam_account")
    .select("id")
    .where("role", "=", "wholesale-admin")
    .executeTakeFirst();
  if (existing !== undefined) {
    throw new IamError(
      "RULE",
      "a wholesale administrator exists: further accounts are created by one through the API",
      "ADMIN_EXISTS",
    );
  }
  const bootstrap: Actor = { accountId: "bootstrap", role: "wholesale-admin" };
  const data = { ...(input as object), role: "wholesale-admin" };
  const account = await createAccount(ctx, bootstrap, data);
  const outbox = await ctx.db
    .selectFrom("iam_notification_outbox")
    .select("parameters")
    .where("template", "=", "account-invitation")
    .where("recipient", "=", account.email)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  const { token } = JSON.parse(outbox.parameters) as { token: string };
  return { account, invitationToken: token };
}

/** One account (wholesale admins, helpdesk, auditors; anyone their own). */
export async function getAccount(ctx: AccountContext, actor: Actor, id: string): Promise<Account> {
  if (actor.accountId !== id) {
    requireRole(actor, ["wholesale-admin", "helpdesk", "auditor"], "read accounts");
  }
  const row = await findAccount(ctx.db, id);
  if (row === undefined) throw iamNotFound("account", id);
  return view(row);
}
