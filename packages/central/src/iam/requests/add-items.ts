import type { Selectable } from "kysely";
import { type Actor, requireRole } from "../actor.js";
import type { IamContext } from "../context.js";
import { inTransaction } from "../db.js";
import { IamValidationError } from "../errors.js";
import type { EmploymentTable } from "../persons/schema.js";
import { visibleEmployment } from "../scope.js";
import { audit, REQUESTERS } from "./basket.js";
import { employmentRefusal, entryRefusal, requireEntry } from "./eligibility.js";
import { type Refusal, type RequestItem, toRequestItem } from "./model.js";
import { RequestRefusedError } from "./refusals.js";
import { validateAddItems } from "./validation.js";

/**
 * Adds one item per employment (all of one company) for the entry, all or nothing: every
 * employment is checked and, if any is refused, nothing is added and RequestRefusedError
 * lists each refusal with its path. A foreign employment is NOT_FOUND; the entry's own
 * conditions (profile, colocation) refuse the whole addition.
 */
export async function addItems(
  ctx: IamContext,
  actor: Actor,
  input: unknown,
): Promise<RequestItem[]> {
  requireRole(actor, REQUESTERS, "request authorizations");
  const data = validateAddItems(input);
  const items = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const employments: Selectable<EmploymentTable>[] = [];
    for (const id of data.employmentIds) employments.push(await visibleEmployment(trx, actor, id));
    const companyId = employments[0]?.company_id ?? -1;
    const strangers = employments.flatMap((e, i) =>
      e.company_id === companyId
        ? []
        : [
            {
              path: `employmentIds.${i}`,
              message:
                "another company than employmentIds.0: one basket addition is for one company",
            },
          ],
    );
    if (strangers.length > 0) throw new IamValidationError(strangers);
    const entry = await requireEntry(trx, data.entryId);
    if (data.action === "grant") {
      const refused = await entryRefusal(trx, companyId, entry);
      if (refused !== null) throw refused;
    }
    const refusals: Refusal[] = [];
    const revoking = new Map<number, number>();
    for (const [i, employment] of employments.entries()) {
      const path = `employmentIds.${i}`;
      const base = { path, employmentId: employment.id };
      const live = await trx
        .selectFrom("iam_authorization")
        .select("id")
        .where("employment_id", "=", employment.id)
        .where("entry_id", "=", entry.id)
        .where("status", "=", "active")
        .executeTakeFirst();
      const open = await trx
        .selectFrom("iam_request_item")
        .select(["id", "status"])
        .where("employment_id", "=", employment.id)
        .where("entry_id", "=", entry.id)
        .where("status", "in", ["draft", "pending"])
        .executeTakeFirst();
      if (open !== undefined) {
        refusals.push({
          ...base,
          code: "CONFLICT",
          rule: "ALREADY_REQUESTED",
          message: `employment ${employment.employment_number} already has request item ${open.id} (${open.status}) for ${entry.code}`,
          existing: { kind: "request-item", id: open.id },
        });
        continue;
      }
      if (data.action === "revoke") {
        if (live === undefined) {
          refusals.push({
            ...base,
            code: "RULE",
            rule: "NOT_HELD",
            message: `employment ${employment.employment_number} holds no live authorization for ${entry.code} to revoke`,
          });
        } else {
          revoking.set(employment.id, live.id);
        }
        continue;
      }
      if (live !== undefined) {
        refusals.push({
          ...base,
          code: "CONFLICT",
          rule: "ALREADY_HELD",
          message: `employment ${employment.employment_number} already holds authorization ${live.id} for ${entry.code}`,
          existing: { kind: "authorization", id: live.id },
        });
        continue;
      }
      const ineligible = await employmentRefusal(ctx, trx, employment, entry, now);
      if (ineligible !== null) refusals.push({ ...base, code: "RULE", ...ineligible });
    }
    if (refusals.length > 0) throw new RequestRefusedError(refusals);
    const out: RequestItem[] = [];
    for (const employment of employments) {
      const row = await trx
        .insertInto("iam_request_item")
        .values({
          company_id: companyId,
          basket_owner: actor.accountId,
          action: data.action,
          employment_id: employment.id,
          entry_id: entry.id,
          authorization_id: revoking.get(employment.id) ?? null,
          motivation: null,
          status: "draft",
          submission_id: null,
          submitted_by: null,
          submitted_at: null,
          due_at: null,
          escalated_at: null,
          escalated_to: null,
          decided_by: null,
          decided_for: null,
          decided_at: null,
          decision_comment: null,
          expires_at: null,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const item = toRequestItem(row);
      await audit(trx, actor, now, "request-item.added", item.id, null, item);
      out.push(item);
    }
    return out;
  });
  ctx.committed();
  ctx.log?.info({ actor: actor.accountId, items: items.map((i) => i.id) }, "basket items added");
  return items;
}
