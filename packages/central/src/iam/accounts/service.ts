import { z } from "zod";
import { type Actor, ROLES, type Role, requireRole } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamLog } from "../companies/service.js";
import type { IamDb } from "../db.js";
import { forbidden, IamError, IamValidationError, iamNotFound } from "../errors.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { type AccountDb, type AccountTable, accountDb, inAccountTransaction } from "./db.js";
import { AuthError, unauthenticated } from "./errors.js";
import {
  type Argon2Params,
  DEFAULT_ARGON2,
  hashSecret,
  newCode,
  newId,
  newToken,
  tokenHash,
  verifySecret,
} from "./secrets.js";

/** Time limits and thresholds of authentication. */
export interface AuthPolicy {
  readonly codeTtlMs: number;
  readonly codeAttempts: number;
  readonly maxFailedLogins: number;
  readonly lockoutMs: number;
  readonly resetTtlMs: number;
  readonly invitationTtlMs: number;
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  codeTtlMs: 5 * 60_000,
  codeAttempts: 3,
  maxFailedLogins: 5,
  lockoutMs: 15 * 60_000,
  resetTtlMs: 60 * 60_000,
  invitationTtlMs: 72 * 60 * 60_000,
  sessionIdleMs: 30 * 60_000,
  sessionMaxMs: 12 * 60 * 60_000,
};

export interface AccountServiceOptions {
  readonly db: IamDb;
  readonly clock: { now(): number };
  readonly log?: IamLog;
  /** argon2id cost of passwords and codes; DEFAULT_ARGON2 when absent (tests pass less). */
  readonly argon2?: Argon2Params;
  readonly policy?: Partial<AuthPolicy>;
}

/** An account as services and the API show it: no hashes, no counters. */
export interface Account {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly mobile: string;
  readonly email: string;
  readonly companyId: number | null;
  readonly createdAt: number;
}

export interface IssuedToken {
  /** The bearer token, in clear: given once, stored hashed. */
  readonly token: string;
  readonly expiresAt: number;
}

export interface IssuedApiToken {
  readonly id: string;
  readonly name: string;
  /** The bearer token, in clear: shown once, stored hashed. */
  readonly token: string;
  readonly createdAt: number;
}

export const SESSION_PREFIX = "acs_s_";
export const API_TOKEN_PREFIX = "acs_t_";

export const PasswordSchema = z
  .string()
  .min(12, "at least 12 characters")
  .max(256, "at most 256 characters");

export const CreateAccountSchema = z
  .strictObject({
    username: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, "3..64 characters of a-z, 0-9, '.', '_' and '-'"),
    role: z.enum(ROLES),
    mobile: z.string().regex(/^\+316\d{8}$/, "a Dutch mobile number: +316 and 8 digits"),
    email: z
      .email()
      .max(254)
      .transform((e) => e.toLowerCase()),
    companyId: z.number().int().positive().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.role === "partner-contact" && v.companyId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["companyId"],
        message: "required for partner contacts",
      });
    }
    if (v.role !== "partner-contact" && v.companyId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["companyId"], message: "only for partner contacts" });
    }
  });

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new IamValidationError(
    result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  );
}

function view(row: AccountTable): Account {
  return {
    id: row.id,
    username: row.username,
    role: row.role as Role,
    mobile: row.mobile,
    email: row.email,
    companyId: row.company_id,
    createdAt: row.created_at,
  };
}

function actorOf(row: AccountTable): Actor {
  return row.company_id === null
    ? { accountId: row.id, role: row.role as Role }
    : { accountId: row.id, role: row.role as Role, companyId: row.company_id };
}

/**
 * Accounts and their authentication: password (argon2id) then a 6-digit code by SMS, a
 * lockout after repeated failures, password (re)set by a single-use e-mailed token,
 * sessions with an idle expiry, and API tokens. Every code and token is stored hashed;
 * notifications go through the outbox in the change's transaction; every change is audited
 * with no secret in the audit or the log.
 */
export class AccountService {
  private readonly db: AccountDb;
  private readonly clock: { now(): number };
  private readonly log: IamLog | undefined;
  private readonly argon2: Argon2Params;
  private readonly policy: AuthPolicy;
  /** A hash to verify against when there is no account: the same work, so no timing leak. */
  private dummyHash: Promise<string> | undefined;

  constructor(options: AccountServiceOptions) {
    this.db = accountDb(options.db);
    this.clock = options.clock;
    this.log = options.log;
    this.argon2 = options.argon2 ?? DEFAULT_ARGON2;
    this.policy = { ...DEFAULT_AUTH_POLICY, ...options.policy };
  }

  /**
   * Creates an account (wholesale admins only) without a password: an invitation with a
   * single-use token to set one is e-mailed. Refuses IamValidationError, NOT_FOUND for an
   * unknown company, CONFLICT `DUPLICATE_ACCOUNT` for a username or e-mail in use.
   */
  async createAccount(actor: Actor, input: unknown): Promise<Account> {
    requireRole(actor, ["wholesale-admin"], "create accounts");
    const data = parse(CreateAccountSchema, input);
    const at = this.clock.now();
    const token = newToken("");
    const account = await inAccountTransaction(this.db, async (trx) => {
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
      await this.audit(trx, actor, at, "account.created", "account", row.id, null, created);
      await this.issueReset(trx, row, at, "invitation", token);
      return created;
    });
    this.log?.info({ actor: actor.accountId, accountId: account.id }, "account created");
    return account;
  }

  /**
   * The first wholesale administrator of a new installation (run by the operator on the
   * server, `central admin create`): refused (RULE `ADMIN_EXISTS`) once any exists — from
   * then on administrators create accounts. Returns the invitation token to hand over (the
   * invitation e-mail is queued too, for when a mail sender is configured).
   */
  async bootstrapAdmin(input: unknown): Promise<{ account: Account; invitationToken: string }> {
    const existing = await this.db
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
    const account = await this.createAccount(bootstrap, data);
    const outbox = await this.db
      .selectFrom("iam_notification_outbox")
      .select("parameters")
      .where("template", "=", "account-invitation")
      .where("recipient", "=", account.email)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const { token } = JSON.parse(outbox.parameters) as { token: string };
    return { account, invitationToken: token };
  }

  /** Changes the actor's own password, given the current one (UNAUTHENTICATED if wrong). */
  async changePassword(actor: Actor, current: string, next: unknown): Promise<void> {
    const password = parse(PasswordSchema, next);
    const row = await this.account(this.db, actor.accountId);
    if (row?.password_hash == null || !(await verifySecret(current, row.password_hash))) {
      throw unauthenticated();
    }
    const hash = await hashSecret(password, this.argon2);
    const at = this.clock.now();
    await inAccountTransaction(this.db, async (trx) => {
      await this.setPassword(trx, actor.accountId, hash, at);
      await this.audit(trx, actor, at, "account.password-changed", "account", actor.accountId);
    });
    this.log?.info({ accountId: actor.accountId }, "password changed");
  }

  /**
   * Step one of a login: checks the password and, if right, texts a 6-digit code to the
   * account's mobile. Refuses UNAUTHENTICATED (never saying which part was wrong), LOCKED.
   */
  async login(
    username: string,
    password: string,
  ): Promise<{ challengeId: string; expiresAt: number }> {
    const row = await this.db
      .selectFrom("iam_account")
      .selectAll()
      .where("username", "=", username.toLowerCase())
      .executeTakeFirst();
    const now = this.clock.now();
    if (row !== undefined && row.locked_until !== null && row.locked_until > now) {
      throw new AuthError("LOCKED", "too many failed logins", row.locked_until);
    }
    if (row?.password_hash == null) {
      await verifySecret(password, await this.dummy());
      this.log?.info({}, "login refused");
      throw unauthenticated();
    }
    if (!(await verifySecret(password, row.password_hash))) {
      await this.recordFailure(row.id, "password");
      throw unauthenticated();
    }
    const code = newCode();
    const codeHash = await hashSecret(code, this.argon2);
    const at = this.clock.now();
    const challenge = {
      id: newId(),
      account_id: row.id,
      code_hash: codeHash,
      created_at: at,
      expires_at: at + this.policy.codeTtlMs,
      attempts_left: this.policy.codeAttempts,
      used_at: null,
    };
    await inAccountTransaction(this.db, async (trx) => {
      await trx.insertInto("iam_login_challenge").values(challenge).execute();
      await enqueueNotification(trx, at, "login-code", row.mobile, { code });
      await this.audit(trx, actorOf(row), at, "account.password-accepted", "account", row.id);
    });
    this.log?.info({ accountId: row.id }, "login code sent");
    return { challengeId: challenge.id, expiresAt: challenge.expires_at };
  }

  /**
   * Step two: the code of a challenge opens a session. A wrong code uses up an attempt and
   * counts as a failed login; an unknown, used, expired or exhausted challenge: UNAUTHENTICATED.
   */
  async verifyCode(challengeId: string, code: string): Promise<IssuedToken> {
    const challenge = await this.db
      .selectFrom("iam_login_challenge")
      .selectAll()
      .where("id", "=", challengeId)
      .executeTakeFirst();
    const now = this.clock.now();
    if (
      challenge === undefined ||
      challenge.used_at !== null ||
      challenge.expires_at <= now ||
      challenge.attempts_left <= 0
    ) {
      throw unauthenticated();
    }
    const row = await this.account(this.db, challenge.account_id);
    if (row === undefined) throw unauthenticated();
    if (row.locked_until !== null && row.locked_until > now) {
      throw new AuthError("LOCKED", "too many failed logins", row.locked_until);
    }
    if (!(await verifySecret(code, challenge.code_hash))) {
      await inAccountTransaction(this.db, (trx) =>
        trx
          .updateTable("iam_login_challenge")
          .set((eb) => ({ attempts_left: eb("attempts_left", "-", 1) }))
          .where("id", "=", challengeId)
          .execute(),
      );
      await this.recordFailure(row.id, "code");
      throw unauthenticated();
    }
    const token = newToken(SESSION_PREFIX);
    const at = this.clock.now();
    const session = {
      id: newId(),
      token_hash: tokenHash(token),
      account_id: row.id,
      created_at: at,
      last_seen_at: at,
      expires_at: at + this.policy.sessionIdleMs,
      ended_at: null,
    };
    await inAccountTransaction(this.db, async (trx) => {
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
      await this.audit(trx, actor, at, "session.created", "session", session.id, null, {
        accountId: row.id,
        expiresAt: session.expires_at,
      });
    });
    this.log?.info({ accountId: row.id, sessionId: session.id }, "signed in");
    return { token, expiresAt: session.expires_at };
  }

  /** Ends the session of `token` (UNAUTHENTICATED when it is no live session). */
  async logout(token: string): Promise<void> {
    const at = this.clock.now();
    const ended = await inAccountTransaction(this.db, async (trx) => {
      const session = await trx
        .selectFrom("iam_session")
        .innerJoin("iam_account", "iam_account.id", "iam_session.account_id")
        .select([
          "iam_session.id as sessionId",
          "iam_account.id as accountId",
          "role",
          "company_id",
        ])
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
      await this.audit(trx, actor, at, "session.ended", "session", session.sessionId);
      return session;
    });
    this.log?.info({ accountId: ended.accountId, sessionId: ended.sessionId }, "signed out");
  }

  /**
   * E-mails a single-use token to set a new password, when an account has `email`; says
   * nothing either way (the caller answers the same), so no account's existence leaks.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const at = this.clock.now();
    const token = newToken("");
    const accountId = await inAccountTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom("iam_account")
        .selectAll()
        .where("email", "=", email.trim().toLowerCase())
        .executeTakeFirst();
      if (row === undefined) return undefined;
      await this.issueReset(trx, row, at, "reset", token);
      await this.audit(
        trx,
        actorOf(row),
        at,
        "account.password-reset-requested",
        "account",
        row.id,
      );
      return row.id;
    });
    this.log?.info({ accountId: accountId ?? null }, "password reset requested");
  }

  /**
   * Sets the password with a reset (or invitation) token, once; ends the account's sessions.
   * Refuses INVALID_TOKEN for an unknown, used or expired token, IamValidationError for a
   * password not fit.
   */
  async confirmPasswordReset(token: string, password: unknown): Promise<void> {
    const clear = parse(PasswordSchema, password);
    const hash = await hashSecret(clear, this.argon2);
    const at = this.clock.now();
    const accountId = await inAccountTransaction(this.db, async (trx) => {
      const reset = await trx
        .selectFrom("iam_password_reset")
        .selectAll()
        .where("token_hash", "=", tokenHash(token))
        .executeTakeFirst();
      if (reset === undefined || reset.used_at !== null || reset.expires_at <= at) {
        throw new AuthError("INVALID_TOKEN", "the token is unknown, used or expired");
      }
      const row = await this.account(trx, reset.account_id);
      if (row === undefined) throw new AuthError("INVALID_TOKEN", "no such account");
      await trx
        .updateTable("iam_password_reset")
        .set({ used_at: at })
        .where("token_hash", "=", reset.token_hash)
        .execute();
      await this.setPassword(trx, row.id, hash, at);
      await trx
        .updateTable("iam_session")
        .set({ ended_at: at })
        .where("account_id", "=", row.id)
        .where("ended_at", "is", null)
        .execute();
      await this.audit(trx, actorOf(row), at, "account.password-set", "account", row.id, null, {
        via: reset.purpose,
      });
      return row.id;
    });
    this.log?.info({ accountId }, "password set");
  }

  /** A new API token of the actor's own account; the token is in the answer only. */
  async createApiToken(actor: Actor, name: unknown): Promise<IssuedApiToken> {
    const label = parse(z.string().trim().min(1).max(100), name);
    const token = newToken(API_TOKEN_PREFIX);
    const at = this.clock.now();
    const row = {
      id: newId(),
      token_hash: tokenHash(token),
      account_id: actor.accountId,
      name: label,
      created_at: at,
      revoked_at: null,
    };
    await inAccountTransaction(this.db, async (trx) => {
      if ((await this.account(trx, actor.accountId)) === undefined) {
        throw forbidden("only accounts hold API tokens", "NO_ACCOUNT");
      }
      await trx.insertInto("iam_api_token").values(row).execute();
      await this.audit(trx, actor, at, "api-token.created", "api-token", row.id, null, {
        name: label,
        accountId: actor.accountId,
      });
    });
    this.log?.info({ accountId: actor.accountId, apiTokenId: row.id }, "api token created");
    return { id: row.id, name: label, token, createdAt: at };
  }

  /** Revokes one of the actor's own API tokens (another's: NOT_FOUND). */
  async revokeApiToken(actor: Actor, id: string): Promise<void> {
    const at = this.clock.now();
    await inAccountTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom("iam_api_token")
        .select(["id", "name", "revoked_at"])
        .where("id", "=", id)
        .where("account_id", "=", actor.accountId)
        .executeTakeFirst();
      if (row === undefined) throw iamNotFound("API token", id);
      if (row.revoked_at !== null) return;
      await trx.updateTable("iam_api_token").set({ revoked_at: at }).where("id", "=", id).execute();
      await this.audit(
        trx,
        actor,
        at,
        "api-token.revoked",
        "api-token",
        id,
        { name: row.name, revokedAt: null },
        { name: row.name, revokedAt: at },
      );
    });
    this.log?.info({ accountId: actor.accountId, apiTokenId: id }, "api token revoked");
  }

  /**
   * The actor of an `Authorization: Bearer <token>` header (a live session, whose idle
   * expiry moves on, or an unrevoked API token); undefined for anything else.
   */
  readonly resolveActor = async (authorization: string | undefined): Promise<Actor | undefined> => {
    const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(authorization?.trim() ?? "");
    const token = match?.[1];
    if (token === undefined) return undefined;
    const hash = tokenHash(token);
    const now = this.clock.now();
    if (token.startsWith(SESSION_PREFIX)) {
      const session = await this.db
        .selectFrom("iam_session")
        .select(["id", "account_id", "created_at"])
        .where("token_hash", "=", hash)
        .where("ended_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      if (session === undefined) return undefined;
      const row = await this.account(this.db, session.account_id);
      if (row === undefined) return undefined;
      const expiresAt = Math.min(
        now + this.policy.sessionIdleMs,
        session.created_at + this.policy.sessionMaxMs,
      );
      await this.db
        .updateTable("iam_session")
        .set({ last_seen_at: now, expires_at: expiresAt })
        .where("id", "=", session.id)
        .execute();
      return actorOf(row);
    }
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const apiToken = await this.db
        .selectFrom("iam_api_token")
        .select("account_id")
        .where("token_hash", "=", hash)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (apiToken === undefined) return undefined;
      const row = await this.account(this.db, apiToken.account_id);
      return row === undefined ? undefined : actorOf(row);
    }
    return undefined;
  };

  /** One account (wholesale admins, helpdesk, auditors; anyone their own). */
  async get(actor: Actor, id: string): Promise<Account> {
    if (actor.accountId !== id) {
      requireRole(actor, ["wholesale-admin", "helpdesk", "auditor"], "read accounts");
    }
    const row = await this.account(this.db, id);
    if (row === undefined) throw iamNotFound("account", id);
    return view(row);
  }

  // --- internals ---

  private account(db: AccountDb, id: string): Promise<AccountTable | undefined> {
    return db.selectFrom("iam_account").selectAll().where("id", "=", id).executeTakeFirst();
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashSecret(newToken(""), this.argon2);
    return this.dummyHash;
  }

  private async setPassword(trx: AccountDb, id: string, hash: string, at: number): Promise<void> {
    await trx
      .updateTable("iam_account")
      .set({ password_hash: hash, password_changed_at: at, failed_logins: 0 })
      .where("id", "=", id)
      .execute();
  }

  private async issueReset(
    trx: AccountDb,
    row: AccountTable,
    at: number,
    purpose: "reset" | "invitation",
    token: string,
  ): Promise<void> {
    const ttl = purpose === "reset" ? this.policy.resetTtlMs : this.policy.invitationTtlMs;
    await trx
      .insertInto("iam_password_reset")
      .values({
        token_hash: tokenHash(token),
        account_id: row.id,
        purpose,
        created_at: at,
        expires_at: at + ttl,
        used_at: null,
      })
      .execute();
    const template = purpose === "reset" ? "password-reset" : "account-invitation";
    await enqueueNotification(trx, at, template, row.email, { token, username: row.username });
  }

  /** One failed password or code: counted, and at the threshold the account locks. */
  private async recordFailure(accountId: string, step: "password" | "code"): Promise<void> {
    const at = this.clock.now();
    const lockedUntil = await inAccountTransaction(this.db, async (trx) => {
      const row = await this.account(trx, accountId);
      if (row === undefined) return null;
      const failed = row.failed_logins + 1;
      const actor = actorOf(row);
      await this.audit(trx, actor, at, "account.login-failed", "account", row.id, null, {
        step,
        failedLogins: failed,
      });
      if (failed < this.policy.maxFailedLogins) {
        await trx
          .updateTable("iam_account")
          .set({ failed_logins: failed })
          .where("id", "=", row.id)
          .execute();
        return null;
      }
      const until = at + this.policy.lockoutMs;
      await trx
        .updateTable("iam_account")
        .set({ failed_logins: 0, locked_until: until })
        .where("id", "=", row.id)
        .execute();
      await this.audit(
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
    this.log?.info({ accountId, step, locked: lockedUntil !== null }, "login failed");
  }

  private audit(
    trx: AccountDb,
    actor: Actor,
    at: number,
    action: string,
    entity: "account" | "session" | "api-token",
    entityId: string,
    before: object | null = null,
    after: object | null = null,
  ): Promise<void> {
    return appendAudit(trx as unknown as IamDb, {
      actor,
      at,
      action,
      entity,
      entityId,
      before,
      after,
    });
  }
}
