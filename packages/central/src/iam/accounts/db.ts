import type { Kysely } from "kysely";
import type { IamDatabase, IamDb } from "../db.js";
import type { NotificationDatabase } from "../notifications/outbox.js";

/** The account tables (migration 3, src/state/migrations.ts); instants are epoch ms. */
export interface AccountTable {
  id: string;
  username: string;
  role: string;
  mobile: string;
  email: string;
  company_id: number | null;
  /** argon2id PHC string; null until the invitation is accepted. */
  password_hash: string | null;
  password_changed_at: number | null;
  failed_logins: number;
  locked_until: number | null;
  created_by: string;
  created_at: number;
}

export interface LoginChallengeTable {
  id: string;
  account_id: string;
  /** argon2id of the 6-digit code. */
  code_hash: string;
  created_at: number;
  expires_at: number;
  attempts_left: number;
  used_at: number | null;
}

export interface PasswordResetTable {
  /** SHA-256 (hex) of the token. */
  token_hash: string;
  account_id: string;
  purpose: "reset" | "invitation";
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface SessionTable {
  id: string;
  /** SHA-256 (hex) of the bearer token. */
  token_hash: string;
  account_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ended_at: number | null;
}

export interface ApiTokenTable {
  id: string;
  /** SHA-256 (hex) of the bearer token. */
  token_hash: string;
  account_id: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

export interface AccountDatabase extends IamDatabase, NotificationDatabase {
  iam_account: AccountTable;
  iam_login_challenge: LoginChallengeTable;
  iam_password_reset: PasswordResetTable;
  iam_session: SessionTable;
  iam_api_token: ApiTokenTable;
}

export type AccountDb = Kysely<AccountDatabase>;

/** The IAM database seen with the account and outbox tables too. */
export function accountDb(db: IamDb): AccountDb {
  return db.withTables<Omit<AccountDatabase, keyof IamDatabase>>() as unknown as AccountDb;
}

/** Runs `fn` in one transaction (change, audit and outbox commit together). */
export function inAccountTransaction<T>(
  db: AccountDb,
  fn: (trx: AccountDb) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
