import { forbidden } from "./errors.js";

export const ROLES = [
  "wholesale-admin",
  "manager",
  "partner-contact",
  "training-institute",
  "helpdesk",
  "auditor",
] as const;

export type Role = (typeof ROLES)[number];

/** Who calls a service: authenticated by the HTTP layer, passed in. */
export interface Actor {
  readonly accountId: string;
  readonly role: Role;
  /** The actor's company; set for partner contacts, who see their own company only. */
  readonly companyId?: number;
}

/** Refuses (FORBIDDEN) an actor whose role is not among `roles`. */
export function requireRole(actor: Actor, roles: readonly Role[], what: string): void {
  if (!roles.includes(actor.role)) throw forbidden(`${actor.role} may not ${what}`);
}

/**
 * Whether `actor` may see company `companyId`: partner contacts their own only (a foreign
 * company answers as not found, so its existence does not leak).
 */
export function seesCompany(actor: Actor, companyId: number): boolean {
  return actor.role !== "partner-contact" || actor.companyId === companyId;
}

/** Who acts when a durable timer fires (a dated end, a lapse, an expiry, a deadline). */
export const SYSTEM_ACTOR: Actor = { accountId: "system", role: "wholesale-admin" };
