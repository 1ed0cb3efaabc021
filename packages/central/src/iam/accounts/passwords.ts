import type { Actor } from "../actor.js";
import {
  type AccountContext,
  auditAccount,
  findAccount,
  issueReset,
  setPassword,
} from "./context.js";
import { inAccountTransaction } from "./db.js";
import { AuthError, unauthenticated } from "./errors.js";
import { actorOf, PasswordSchema, parse } from "./model.js";
import { hashSecret, newToken, tokenHash, verifySecret } from "./secrets.js";

/** Changes the actor's own password, given the current one (UNAUTHENTICATED if wrong). */
export async function changePassword(
  ctx: AccountContext,
  actor: Actor,
  current: string,
  next: unknown,
): Promise<void> {
  const password = parse(PasswordSchema, next);
  const row = await findAccount(ctx.db, actor.accountId);
  if (row?.password_hash == null || !(await verifySecret(current, row.password_hash))) {
    throw unauthenticated();
  }
  const hash = await hashSecret(password, ctx.argon2);
  const at = ctx.clock.now();
  await inAccountTransaction(ctx.db, async (trx) => {
    await setPassword(trx, actor.accountId, hash, at);
    await auditAccount(trx, actor, at, "account.password-changed", "account", actor.accountId);
  });
  ctx.log?.info({ accountId: actor.accountId }, "password changed");
}

/**
 * E-mails a single-use token to set a new password, when an account has `email`; says
 * nothing either way (the caller answers the same), so no account's existence leaks.
 */
export async function requestPasswordReset(ctx: AccountContext, email: string): Promise<void> {
  const at = ctx.clock.now();
  const token = newToken("");
  const accountId = await inAccountTransaction(ctx.db, async (trx) => {
    const row = await trx
      .selectFrom("iam_account")
      .selectAll()
      .where("email", "=", email.trim().toLowerCase())
      .executeTakeFirst();
    if (row === undefined) return undefined;
    await issueReset(ctx, trx, row, at, "reset", token);
    await auditAccount(
      trx,
      actorOf(row),
      at,
      "account.password-reset-requested",
      "account",
      row.id,
    );
    return row.id;
  });
  ctx.log?.info({ accountId: accountId ?? null }, "password reset requested");
}

/**
 * Sets the password with a reset (or invitation) token, once; ends the account's sessions.
 * Refuses INVALID_TOKEN for an unknown, used or expired token, IamValidationError for a
 * password not fit.
 */
export async function confirmPasswordReset(
  ctx: AccountContext,
  token: string,
  password: unknown,
): Promise<void> {
  const clear = parse(PasswordSchema, password);
  const hash = await hashSecret(clear, ctx.argon2);
  const at = ctx.clock.now();
  const accountId = await inAccountTransaction(ctx.db, async (trx) => {
    const reset = await trx
      .selectFrom("iam_password_reset")
      .selectAll()
      .where("token_hash", "=", tokenHash(token))
      .executeTakeFirst();
    if (reset === undefined || reset.used_at !== null || reset.expires_at <= at) {
      throw new AuthError("INVALID_TOKEN", "the token is unknown, used or expired");
    }
    const row = await findAccount(trx, reset.account_id);
    if (row === undefined) throw new AuthError("INVALID_TOKEN", "no such account");
    await trx
      .updateTable("iam_password_reset")
      .set({ used_at: at })
      .where("token_hash", "=", reset.token_hash)
      .execute();
    await setPassword(trx, row.id, hash, at);
    await trx
      .updateTable("iam_session")
      .set({ ended_at: at })
      .where("account_id", "=", row.id)
      .where("ended_at", "is", null)
      .execute();
    await auditAccount(trx, actorOf(row), at, "account.password-set", "account", row.id, null, {
      via: reset.purpose,
    });
    return row.id;
  });
  ctx.log?.info({ accountId }, "password set");
}
