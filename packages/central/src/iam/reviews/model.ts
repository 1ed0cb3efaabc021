import type { Selectable } from "kysely";
import { accountDb } from "../accounts/db.js";
import type { IamDb } from "../db.js";
import type { ReviewDecision, ReviewLineTable, ReviewStatus, ReviewTable } from "./schema.js";

/** A review as the services return it; instants in epoch ms. */
export interface Review {
  readonly id: number;
  readonly companyId: number;
  readonly period: string;
  readonly openedAt: number;
  readonly deadlineAt: number;
  readonly status: ReviewStatus;
  readonly finishedAt: number | null;
  /** The account that finished it, or "deadline". */
  readonly finishedBy: string | null;
}

/** One line: "still works for us" (no authorization) or "still needs this authorization". */
export interface ReviewLine {
  readonly id: number;
  readonly reviewId: number;
  readonly employmentId: number;
  readonly employmentNumber: string;
  readonly personName: string;
  readonly authorizationId: number | null;
  readonly entryCode: string | null;
  readonly entryName: string | null;
  readonly decision: ReviewDecision;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly comment: string | null;
}

export interface ReviewDetails extends Review {
  readonly lines: readonly ReviewLine[];
}

export function reviewOf(row: Selectable<ReviewTable>): Review {
  return {
    id: row.id,
    companyId: row.company_id,
    period: row.period,
    openedAt: row.opened_at,
    deadlineAt: row.deadline_at,
    status: row.status,
    finishedAt: row.finished_at,
    finishedBy: row.finished_by,
  };
}

export function findReview(db: IamDb, reviewId: number) {
  return db.selectFrom("iam_review").selectAll().where("id", "=", reviewId).executeTakeFirst();
}

export function findLine(
  db: IamDb,
  lineId: number,
): Promise<Selectable<ReviewLineTable> | undefined> {
  return db.selectFrom("iam_review_line").selectAll().where("id", "=", lineId).executeTakeFirst();
}

/** The lines of a review with what a reader needs to decide them, by employment then id. */
export async function linesOf(db: IamDb, reviewId: number): Promise<ReviewLine[]> {
  const rows = await db
    .selectFrom("iam_review_line as l")
    .innerJoin("iam_employment as e", "e.id", "l.employment_id")
    .innerJoin("iam_person as p", "p.id", "e.person_id")
    .leftJoin("iam_authorization as a", "a.id", "l.authorization_id")
    .leftJoin("iam_catalogue_entry as c", "c.id", "a.entry_id")
    .select([
      "l.id",
      "l.review_id",
      "l.employment_id",
      "l.authorization_id",
      "l.decision",
      "l.decided_by",
      "l.decided_at",
      "l.comment",
      "e.employment_number",
      "p.initials",
      "p.surname_prefix",
      "p.surname",
      "c.code",
      "c.name",
    ])
    .where("l.review_id", "=", reviewId)
    .orderBy("l.employment_id")
    .orderBy("l.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reviewId: r.review_id,
    employmentId: r.employment_id,
    employmentNumber: r.employment_number,
    personName: [r.initials, r.surname_prefix, r.surname].filter(Boolean).join(" "),
    authorizationId: r.authorization_id,
    entryCode: r.code,
    entryName: r.name,
    decision: r.decision,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    comment: r.comment,
  }));
}

/** The e-mail addresses of a company's contact persons (partner-contact accounts). */
export async function contactEmails(trx: IamDb, companyId: number): Promise<string[]> {
  const rows = await accountDb(trx)
    .selectFrom("iam_account")
    .select("email")
    .where("role", "=", "partner-contact")
    .where("company_id", "=", companyId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.email);
}
