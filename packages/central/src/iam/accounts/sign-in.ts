import type { Actor, Role } from "../actor.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { type AccountContext, auditAccount, findAccount } from "./context.js";
import { inAccountTransaction } from "./db.js";
import { AuthError, unauthenticated } from "./errors.js";
import { API_TOKEN_PREFIX, actorOf, type IssuedToken, SESSION_PREFIX } from "./model.js";
import { hashSecret, newCode, newId, newToken, tokenHash, verifySecret } from "./secrets.js";

/**
 * Step one of a login: checks the password and, if right, texts a 6-digit code to the
 * account's mobile. Refuses UNAUTHENTICATED (never saying which part was wrong), LOCKED.
 */
export async function login(
  ctx: AccountContext,
  username: string,
  password: string,
): Promise<{ challengeId: string; expiresAt: number }> {
  const row = await ctx.db
    .selectFrom("iam_account")
    .selectAll()
    .where("username", "=", username.toLowerCase())
    .executeTakeFirst();
  const now = ctx.clock.now();
  if (row !== undefined && row.locked_until !== null && row.locked_until > now) {
    throw new AuthError("LOCKED", "too many failed logins", row.locked_until);
  }
  if (row?.password_hash == null) {
    await verifySecret(password, await ctx.dummy());
    ctx.log?.info({}, "login refused");
    throw unauthenticated();
  }
  if (!(await verifySecret(password, row.password_hash))) {
    await recordFailure(ctx, row.id, "password");
    throw unauthenticated();
  }
  const code = newCode();
  const codeHash = await hashSecret(code, ctx.argon2);
  const at = ctx.clock.now();
  const challenge = {
    id: newId(),
    account_id: row.id,
    code_hash: codeHash,
    created_at: at,
    expires_at: at + ctx.policy.codeTtlMs,
    attempts_left: ctx.policy.codeAttempts,
    used_at: null,
  };
  await inAccountTransaction(ctx.db, async (trx) => {
    await trx.insertInto("iam_login_challenge").values(challenge).execute();
    await enqueueNotification(trx, at, "login-code", row.mobile, { code });
    await auditAccount(trx, actorOf(row), at, "account.password-accepted", "account", row.id);
  });
  ctx.log?.info({ accountId: row.id }, "login code sent");
  return { challengeId: challenge.id, expiresAt: challenge.expires_at };
}

/**
 * Step two: the code of a challenge opens a session. A wrong code uses up an attempt and
 * counts as a failed login; an unknown, used, expired or exhausted challenge: UNAUTHENTICATED.
 */
export async function verifyCode(
  ctx: AccountContext,
  challengeId: string,
  code: string,
): Promise<IssuedToken> {
  const challenge = await ctx.db
    .selectFrom("iam_login_challenge")
    .selectAll()
    .where("id", "=", challengeId)
    .executeTakeFirst();
  const now = ctx.clock.now();
  if (
    challenge === undefined ||
    challenge.used_at !== null ||
    challenge.expires_at <= now ||
    challenge.attempts_left <= 0
  ) {
    throw unauthenticated();
  }
  const row = await findAccount(ctx.db, challenge.account_id);
  if (row === undefined) throw unauthenticated();
  if (row.locked_until !== null && row.locked_until > now) {
    throw new AuthError("LOCKED", "too many failed logins", row.locked_until);
  }
  if (!(await verifySecret(code, challenge.code_hash))) {
    await inAccountTransaction(ctx.db, (trx) =>
      trx
        .updateTable("iam_login_challenge")
        .set((eb) => ({ attempts_left: eb("attempts_left", "-", 1) }))
        .where("id", "=", challengeId)
        .execute(),
    );
    await recordFailure(ctx, row.id, "code");
    throw unauthenticated();
  }
  const token = newToken(SESSION_PREFIX);
  const at = ctx.clock.now();
  const session = {
    id: newId(),
    token_hash: tokenHash(token),
    account_id: row.id,
    created_at: at,
    last_seen_at: at,
    expires_at: at + ctx.policy.sessionIdleMs,
    ended_at: null,
  };
  await inAccountTransaction(ctx.db, async (trx) => {
    // Single use, also against a concurrent second use of the same code.
    const used = await trx
      .updateTable("iam_login_challenge")
      .set({ used_at: at })
      .where("id", "=", challengeId)
      .where("used_at", "is", null)
      .where("attempts_left", ">", 0)
      .where("expires_at", ">", at)
      .executeTakeFirst();
    if (used.numUpdatedRows !== 1n) throw unauthenticated();
    await trx.insertInto("iam_session").values(session).execute();
    await trx
      .updateTable("iam_account")
      .set({ failed_logins: 0 })
      .where("id", "=", row.id)
      .execute();
    const actor = actorOf(row);
    await auditAccount(trx, actor, at, "session.created", "session", session.id, null, {
      accountId: row.id,
      expiresAt: session.expires_at,
    });
  });
  ctx.log?.info({ accountId: row.id, sessionId: session.id }, "signed in");
  return { token, expiresAt: session.expires_at };
}

/** Ends the session of `token` (UNAUTHENTICATED when it is no live session). */
export async function logout(ctx: AccountContext, token: string): Promise<void> {
  const at = ctx.clock.now();
  const ended = await inAccountTransaction(ctx.db, async (trx) => {
    const session = await trx
      .selectFrom("iam_session")
      .innerJoin("iam_account", "iam_account.id", "iam_session.account_id")
      .select(["iam_session.id as sessionId", "iam_account.id as accountId", "role", "company_id"])
      .where("token_hash", "=", tokenHash(token))
      .where("ended_at", "is", null)
      .where("expires_at", ">", at)
      .executeTakeFirst();
    if (session === undefined) throw unauthenticated();
    await trx
      .updateTable("iam_session")
      .set({ ended_at: at })
      .where("id", "=", session.sessionId)
      .execute();
    const actor = { accountId: session.accountId, role: session.role as Role };
    await auditAccount(trx, actor, at, "session.ended", "session", session.sessionId);
    return session;
  });
  ctx.log?.info({ accountId: ended.accountId, sessionId: ended.sessionId }, "signed out");
}

/**
 * The actor of an `Authorization: Bearer <token>` header (a live session, whose idle
 * expiry moves on, or an unrevoked API token); undefined for anything else.
 */
export async function resolveActor(
  ctx: AccountContext,
  authorization: string | undefined,
): Promise<Actor | undefined> {
  const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(authorization?.trim() ?? "");
  const token = match?.[1];
  if (token === undefined) return undefined;
  const hash = tokenHash(token);
  const now = ctx.clock.now();
  if (token.startsWith(SESSION_PREFIX)) {
    const session = await ctx.db
      .selectFrom("iam_session")
      .select(["id", "account_id", "created_at"])
      .where("token_hash", "=", hash)
      .where("ended_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    if (session === undefined) return undefined;
    const row = await findAccount(ctx.db, session.account_id);
    if (row === undefined) return undefined;
    const expiresAt = Math.min(
      now + ctx.policy.sessionIdleMs,
      session.created_at + ctx.policy.sessionMaxMs,
    );
    await ctx.db
      .updateTable("iam_session")
      .set({ last_seen_at: now, expires_at: expiresAt })
      .where("id", "=", session.id)
      .execute();
    return actorOf(row);
  }
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const apiToken = await ctx.db
      .selectFrom("iam_api_token")
      .select("account_id")
      .where("token_hash", "=", hash)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (apiToken === undefined) return undefined;
    const row = await findAccount(ctx.db, apiToken.account_id);
    return row === undefined ? undefined : actorOf(row);
  }
  return undefined;
}

/** One failed password or code: counted, and at the threshold the account locks. */
async function recordFailure(
  ctx: AccountContext,
  accountId: string,
  step: "password" | "code",
): Promise<void> {
  const at = ctx.clock.now();
  const lockedUntil = await inAccountTransaction(ctx.db, async (trx) => {
    const row = await findAccount(trx, accountId);
    if (row === undefined) return null;
    const failed = row.failed_logins + 1;
    const actor = actorOf(row);
    await auditAccount(trx, actor, at, "account.login-failed", "account", row.id, null, {
      step,
      failedLogins: failed,
    });
    if (failed < ctx.policy.maxFailedLogins) {
      await trx
        .updateTable("iam_account")
        .set({ failed_logins: failed })
        .where("id", "=", row.id)
        .execute();
      return null;
    }
    const until = at + ctx.policy.lockoutMs;
    await trx
      .updateTable("iam_account")
      .set({ failed_logins: 0, locked_until: until })
      .where("id", "=", row.id)
      .execute();
    await auditAccount(
      trx,
      actor,
      at,
      "account.locked",
      "account",
      row.id,
      { lockedUntil: row.locked_until },
      { lockedUntil: until, failedLogins: failed },
    );
    return until;
  });
  ctx.log?.info({ accountId, step, locked: lockedUntil !== null }, "login failed");
}
