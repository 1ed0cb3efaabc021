import { z } from "zod";
import { type Actor, ROLES, type Role } from "../actor.js";
import { IamValidationError } from "../errors.js";
import type { AccountTable } from "./db.js";

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

export function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new IamValidationError(
    result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  );
}

export function view(row: AccountTable): Account {
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

export function actorOf(row: AccountTable): Actor {
  return row.company_id === null
    ? { accountId: row.id, role: row.role as Role }
    : { accountId: row.id, role: row.role as Role, companyId: row.company_id };
}
