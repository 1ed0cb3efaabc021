import { type Actor, requireRole } from "../actor.js";
import type { AuditEntity, AuditRecord } from "../audit.js";
import type { IamDb } from "../db.js";

/** Filters of the audit query; every one optional, all of them combined. */
export interface AuditFilter {
  readonly entity?: string;
  readonly entityId?: string;
  /** The acting account. */
  readonly actor?: string;
  /** Instants, epoch ms: [from, until). */
  readonly from?: number;
  readonly until?: number;
}

export const DEFAULT_AUDIT_LIMIT = 50;

/**
 * The audit's query side for auditors (and wholesale admins): records by entity, actor and
 * period, oldest first, paged by id (the append order). Each filter has its index
 * (iam_audit_entity, iam_audit_actor, iam_audit_at).
 */
export class AuditQueryService {
  constructor(private readonly db: IamDb) {}

  async query(
    actor: Actor,
    filter: AuditFilter,
    page: { limit?: number; afterId?: number } = {},
  ): Promise<{ items: AuditRecord[]; afterId: number | null }> {
    requireRole(actor, ["auditor", "wholesale-admin"], "read the audit");
    const limit = page.limit ?? DEFAULT_AUDIT_LIMIT;
    let query = this.db.selectFrom("iam_audit").selectAll();
    if (filter.entity !== undefined) query = query.where("entity", "=", filter.entity);
    if (filter.entityId !== undefined) query = query.where("entity_id", "=", filter.entityId);
    if (filter.actor !== undefined) query = query.where("actor_account_id", "=", filter.actor);
    if (filter.from !== undefined) query = query.where("at", ">=", filter.from);
    if (filter.until !== undefined) query = query.where("at", "<", filter.until);
    if (page.afterId !== undefined) query = query.where("id", ">", page.afterId);
    const rows = await query
      .orderBy("id")
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(
      (r): AuditRecord => ({
        id: r.id,
        at: r.at,
        actor: { accountId: r.actor_account_id, role: r.actor_role },
        action: r.action,
        entity: r.entity as AuditEntity,
        entityId: r.entity_id,
        before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown),
        after: r.after_json === null ? null : (JSON.parse(r.after_json) as unknown),
      }),
    );
    const last = items.at(-1);
    return { items, afterId: rows.length > limit && last !== undefined ? last.id : null };
  }
}
