import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamLog } from "../companies/service.js";
import type { IamDb } from "../db.js";
import { enqueueNotification } from "../notifications/outbox.js";
import type { AccountDb, AccountTable } from "./db.js";
import type { AuthPolicy } from "./model.js";
import type { Argon2Params } from "./secrets.js";
import { tokenHash } from "./secrets.js";

/** What the account functions share: the store, the clock and the policy of one service. */
export interface AccountContext {
  readonly db: AccountDb;
  readonly clock: { now(): number };
  readonly log: IamLog | undefined;
  readonly argon2: Argon2Params;
  readonly policy: AuthPolicy;
  /** A hash to verify against when there is no account: the same work, so no timing leak. */
  dummy(): Promise<string>;
}

export function findAccount(db: AccountDb, id: string): Promise<AccountTable | undefined> {
  return db.selectFrom("iam_account").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function setPassword(
  trx: AccountDb,
  id: string,
  hash: string,
  at: number,
): Promise<void> {
  await trx
    .updateTable("iam_account")
    .set({ password_hash: hash, password_changed_at: at, failed_logins: 0 })
    .where("id", "=", id)
    .execute();
}

/** Stores a single-use token to set a password and e-mails it (reset or invitation). */
export async function issueReset(
  ctx: AccountContext,
  trx: AccountDb,
  row: AccountTable,
  at: number,
  purpose: "reset" | "invitation",
  token: string,
): Promise<void> {
  const ttl = purpose === "reset" ? ctx.policy.resetTtlMs : ctx.policy.invitationTtlMs;
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

export function auditAccount(
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
