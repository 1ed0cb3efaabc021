import type { Actor } from "../actor.js";
import type { IamLog } from "../companies/service.js";
import type { IamDb } from "../db.js";
import { bootstrapAdmin, createAccount, getAccount } from "./accounts.js";
import { createApiToken, revokeApiToken } from "./api-tokens.js";
import type { AccountContext } from "./context.js";
import { accountDb } from "./db.js";
import {
  type Account,
  type AuthPolicy,
  DEFAULT_AUTH_POLICY,
  type IssuedApiToken,
  type IssuedToken,
} from "./model.js";
import { changePassword, confirmPasswordReset, requestPasswordReset } from "./passwords.js";
import { type Argon2Params, DEFAULT_ARGON2, hashSecret, newToken } from "./secrets.js";
import { login, logout, resolveActor, verifyCode } from "./sign-in.js";

export {
  type Account,
  API_TOKEN_PREFIX,
  type AuthPolicy,
  CreateAccountSchema,
  DEFAULT_AUTH_POLICY,
  type IssuedApiToken,
  type IssuedToken,
  PasswordSchema,
  SESSION_PREFIX,
} from "./model.js";

export interface AccountServiceOptions {
  readonly db: IamDb;
  readonly clock: { now(): number };
  readonly log?: IamLog;
  /** argon2id cost of passwords and codes; DEFAULT_ARGON2 when absent (tests pass less). */
  readonly argon2?: Argon2Params;
  readonly policy?: Partial<AuthPolicy>;
}

/**
 * Accounts and their authentication: password (argon2id) then a 6-digit code by SMS, a
 * lockout after repeated failures, password (re)set by a single-use e-mailed token,
 * sessions with an idle expiry, and API tokens. Every code and token is stored hashed;
 * notifications go through the outbox in the change's transaction; every change is audited
 * with no secret in the audit or the log. The work is done by the functions of
 * accounts.ts, sign-in.ts, passwords.ts and api-tokens.ts; this class holds their context.
 */
export class AccountService {
  private readonly ctx: AccountContext;

  constructor(options: AccountServiceOptions) {
    const argon2 = options.argon2 ?? DEFAULT_ARGON2;
    let dummyHash: Promise<string> | undefined;
    this.ctx = {
      db: accountDb(options.db),
      clock: options.clock,
      log: options.log,
      argon2,
      policy: { ...DEFAULT_AUTH_POLICY, ...options.policy },
      dummy: () => {
        dummyHash ??= hashSecret(newToken(""), argon2);
        return dummyHash;
      },
    };
  }

  /** See createAccount in accounts.ts. */
  createAccount(actor: Actor, input: unknown): Promise<Account> {
    return createAccount(this.ctx, actor, input);
  }

  /** See bootstrapAdmin in accounts.ts. */
  bootstrapAdmin(input: unknown): Promise<{ account: Account; invitationToken: string }> {
    return bootstrapAdmin(this.ctx, input);
  }

  /** See changePassword in passwords.ts. */
  changePassword(actor: Actor, current: string, next: unknown): Promise<void> {
    return changePassword(this.ctx, actor, current, next);
  }

  /** See login in sign-in.ts. */
  login(username: string, password: string): Promise<{ challengeId: string; expiresAt: number }> {
    return login(this.ctx, username, password);
  }

  /** See verifyCode in sign-in.ts. */
  verifyCode(challengeId: string, code: string): Promise<IssuedToken> {
    return verifyCode(this.ctx, challengeId, code);
  }

  /** See logout in sign-in.ts. */
  logout(token: string): Promise<void> {
    return logout(this.ctx, token);
  }

  /** See requestPasswordReset in passwords.ts. */
  requestPasswordReset(email: string): Promise<void> {
    return requestPasswordReset(this.ctx, email);
  }

  /** See confirmPasswordReset in passwords.ts. */
  confirmPasswordReset(token: string, password: unknown): Promise<void> {
    return confirmPasswordReset(this.ctx, token, password);
  }

  /** See createApiToken in api-tokens.ts. */
  createApiToken(actor: Actor, name: unknown): Promise<IssuedApiToken> {
    return createApiToken(this.ctx, actor, name);
  }

  /** See revokeApiToken in api-tokens.ts. */
  revokeApiToken(actor: Actor, id: string): Promise<void> {
    return revokeApiToken(this.ctx, actor, id);
  }

  /** See resolveActor in sign-in.ts; a property, so it can be handed over unbound. */
  readonly resolveActor = (authorization: string | undefined): Promise<Actor | undefined> =>
    resolveActor(this.ctx, authorization);

  /** See getAccount in accounts.ts. */
  get(actor: Actor, id: string): Promise<Account> {
    return getAccount(this.ctx, actor, id);
  }
}
