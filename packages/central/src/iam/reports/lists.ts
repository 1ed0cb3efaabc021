import type { IamDb } from "../db.js";

/** A request item waiting for a manager's decision. */
export interface PendingApproval {
  readonly itemId: number;
  readonly companyId: number;
  readonly action: string;
  readonly employmentId: number;
  readonly employmentNumber: string;
  readonly personName: string;
  readonly entryId: number;
  readonly entryCode: string;
  readonly submittedBy: string | null;
  readonly submittedAt: number | null;
  readonly dueAt: number | null;
  /** Past its lead time (due) and still undecided. */
  readonly overdue: boolean;
  readonly escalatedAt: number | null;
}

/** A card or key expected back (chapter 14). */
export interface ReturnItem {
  readonly kind: "card" | "key";
  readonly id: number;
  readonly companyId: number;
  readonly employmentId: number;
  readonly employmentNumber: string;
  readonly personId: number;
  readonly personName: string;
  /** The card number, or the key type. */
  readonly item: string | null;
  /** Since when it is expected back. */
  readonly since: number | null;
}

const nameOf = (p: { initials: string; surname_prefix: string | null; surname: string }) =>
  [p.initials, p.surname_prefix, p.surname].filter(Boolean).join(" ");

export async function pendingApprovals(
  db: IamDb,
  q: { companyId: number | undefined; after: number; limit: number; now: number },
): Promise<PendingApproval[]> {
  let query = db
    .selectFrom("iam_request_item as r")
    .innerJoin("iam_employment as e", "e.id", "r.employment_id")
    .innerJoin("iam_person as p", "p.id", "e.person_id")
    .innerJoin("iam_catalogue_entry as c", "c.id", "r.entry_id")
    .select([
      "r.id",
      "r.company_id",
      "r.action",
      "r.employment_id",
      "e.employment_number",
      "p.initials",
      "p.surname_prefix",
      "p.surname",
      "r.entry_id",
      "c.code",
      "r.submitted_by",
      "r.submitted_at",
      "r.due_at",
      "r.escalated_at",
    ])
    .where("r.status", "=", "pending")
    .where("r.id", ">", q.after);
  if (q.companyId !== undefined) query = query.where("r.company_id", "=", q.companyId);
  const rows = await query.orderBy("r.id").limit(q.limit).execute();
  return rows.map((r) => ({
    itemId: r.id,
    companyId: r.company_id,
    action: r.action,
    employmentId: r.employment_id,
    employmentNumber: r.employment_number,
    personName: nameOf(r),
    entryId: r.entry_id,
    entryCode: r.code,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    dueAt: r.due_at,
    overdue: r.due_at !== null && r.due_at <= q.now,
    escalatedAt: r.escalated_at,
  }));
}

/** Cards (to_return = 1, not returned) then keys (status to-return), each by id. */
export async function returnsToCollect(
  db: IamDb,
  q: {
    companyId: number | undefined;
    after: readonly (string | number)[] | undefined;
    limit: number;
  },
): Promise<ReturnItem[]> {
  const [afterKind, afterId] = q.after ?? [];
  const afterNumber = typeof afterId === "number" ? afterId : 0;
  const items: ReturnItem[] = [];
  if (afterKind !== "key") {
    let cards = db
      .selectFrom("iam_card as k")
      .innerJoin("iam_employment as e", "e.id", "k.employment_id")
      .innerJoin("iam_person as p", "p.id", "e.person_id")
      .select([
        "k.id",
        "e.company_id",
        "k.employment_id",
        "e.employment_number",
        "p.id as person_id",
        "p.initials",
        "p.surname_prefix",
        "p.surname",
        "k.card_number",
        "k.deactivated_at",
      ])
      .where("k.to_return", "=", 1)
      .where("k.returned_at", "is", null)
      .where("k.id", ">", afterKind === "card" ? afterNumber : 0);
    if (q.companyId !== undefined) cards = cards.where("e.company_id", "=", q.companyId);
    for (const r of await cards.orderBy("k.id").limit(q.limit).execute()) {
      items.push({
        kind: "card",
        id: r.id,
        companyId: r.company_id,
        employmentId: r.employment_id,
        employmentNumber: r.employment_number,
        personId: r.person_id,
        personName: nameOf(r),
        item: r.card_number,
        since: r.deactivated_at,
      });
    }
  }
  if (items.length >= q.limit) return items;
  let keys = db
    .selectFrom("iam_key_issue as k")
    .innerJoin("iam_authorization as a", "a.id", "k.authorization_id")
    .innerJoin("iam_employment as e", "e.id", "a.employment_id")
    .innerJoin("iam_person as p", "p.id", "e.person_id")
    .select([
      "k.id",
      "e.company_id",
      "a.employment_id",
      "e.employment_number",
      "p.id as person_id",
      "p.initials",
      "p.surname_prefix",
      "p.surname",
      "k.key_type",
      "k.return_requested_at",
    ])
    .where("k.status", "=", "to-return")
    .where("k.id", ">", afterKind === "key" ? afterNumber : 0);
  if (q.companyId !== undefined) keys = keys.where("e.company_id", "=", q.companyId);
  for (const r of await keys
    .orderBy("k.id")
    .limit(q.limit - items.length)
    .execute()) {
    items.push({
      kind: "key",
      id: r.id,
      companyId: r.company_id,
      employmentId: r.employment_id,
      employmentNumber: r.employment_number,
      personId: r.person_id,
      personName: nameOf(r),
      item: r.key_type,
      since: r.return_requested_at,
    });
  }
  return items;
}
