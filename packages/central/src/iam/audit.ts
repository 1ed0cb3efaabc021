import { type Actor, requireRole } from "./actor.js";
import type { IamDb } from "./db.js";

/** Entities the IAM audit knows. */
export type AuditEntity =
  | "company"
  | "contact-person"
  | "account"
  | "session"
  | "api-token"
  | "person"
  | "employment"
  | "card"
  | "catalogue-entry"
  | "profile"
  | "request-item"
  | "authorization"
  | "key"
  | "delegation"
  | "setting"
  | "certificate"
  | "review"
  | "door"
  | "remote-open"
  | "edge-key";

/** One append-only audit record, as the auditor reads it. */
export interface AuditRecord {
  readonly id: number;
  readonly at: number;
  readonly actor: { readonly accountId: string; readonly role: string };
  readonly action: string;
  readonly entity: AuditEntity;
  readonly entityId: string;
  /** The entity before the change (masked); null for a creation. */
  readonly before: unknown;
  /** The entity after the change (masked). */
  readonly after: unknown;
}

/** What a command hands to the audit: the shapes are masked here, never stored in clear. */
export interface AuditEntry {
  readonly actor: Actor;
  readonly at: number;
  readonly action: string;
  readonly entity: AuditEntity;
  readonly entityId: number | string;
  readonly before: object | null;
  readonly after: object | null;
}

/** An ID-document number showing its last 3 characters only: `NX12345X7` -> `******5X7`. */
export function maskIdNumber(idNumber: string): string {
  const keep = idNumber.slice(-3);
  return `${"*".repeat(Math.max(idNumber.length - keep.length, 3))}${keep}`;
}

/** A birth date masked to nothing but its presence. */
export const MASKED_DATE = "****-**-**";

const SENSITIVE: Record<string, (value: unknown) => unknown> = {
  idNumber: (v) => (typeof v === "string" ? maskIdNumber(v) : v),
  birthDate: (v) => (v === null || v === undefined ? v : MASKED_DATE),
};

/**
 * A copy of `value` fit for the audit and logs: every `idNumber` masked to its last 3
 * characters and every `birthDate` replaced, at any depth.
 */
export function maskSensitive<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => maskSensitive(v)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const mask = SENSITIVE[key];
    out[key] = mask === undefined ? maskSensitive(v) : mask(v);
  }
  return out as T;
}

/**
 * Appends one audit record. Pass the command's transaction (`trx`) so the record commits
 * with the change or not at all. There is no update or delete: the table refuses both.
 */
export async function appendAudit(trx: IamDb, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto("iam_audit")
    .values({
      at: entry.at,
      actor_account_id: entry.actor.accountId,
      actor_role: entry.actor.role,
      action: entry.action,
      entity: entry.entity,
      entity_id: String(entry.entityId),
      before_json: entry.before === null ? null : JSON.stringify(maskSensitive(entry.before)),
      after_json: entry.after === null ? null : JSON.stringify(maskSensitive(entry.after)),
    })
    .execute();
}

/** The audit's reading side. */
export class AuditService {
  constructor(private readonly db: IamDb) {}

  /** The records of one entity, oldest first; for auditors (and wholesale admins). */
  async byEntity(
    actor: Actor,
    entity: AuditEntity,
    entityId: number | string,
  ): Promise<AuditRecord[]> {
    requireRole(actor, ["auditor", "wholesale-admin"], "read the audit");
    const rows = await this.db
      .selectFrom("iam_audit")
      .selectAll()
      .where("entity", "=", entity)
      .where("entity_id", "=", String(entityId))
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: { accountId: r.actor_account_id, role: r.actor_role },
      action: r.action,
      entity: r.entity as AuditEntity,
      entityId: r.entity_id,
      before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown),
      after: r.after_json === null ? null : (JSON.parse(r.after_json) as unknown),
    }));
  }
}
