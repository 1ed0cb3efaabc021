import type { Generated } from "kysely";

/**
 * Access reviews: each period a company's contact person confirms, engineer by engineer,
 * that each still works for them (a line without authorization) and still needs each
 * authorization. What is not confirmed by the deadline is revoked; a finished review never
 * changes (triggers) and exports as evidence.
 */
export const REVIEWS_SQL = `
CREATE TABLE iam_review (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES iam_company(id),
  -- e.g. "2026-Q4"
  period TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  deadline_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'finished')),
  finished_at INTEGER,
  -- The account that finished it, or 'deadline'.
  finished_by TEXT,
  UNIQUE (company_id, period)
) STRICT;

CREATE TABLE iam_review_line (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  review_id INTEGER NOT NULL REFERENCES iam_review(id),
  employment_id INTEGER NOT NULL REFERENCES iam_employment(id),
  -- Null: "still works for us"; else "still needs this authorization".
  authorization_id INTEGER REFERENCES iam_authorization(id),
  decision TEXT NOT NULL CHECK (decision IN ('pending', 'confirmed', 'not-confirmed', 'revoked')),
  decided_by TEXT,
  decided_at INTEGER,
  comment TEXT
) STRICT;
CREATE INDEX iam_review_line_review ON iam_review_line(review_id, employment_id);

CREATE TRIGGER iam_review_finished_no_update BEFORE UPDATE ON iam_review
WHEN OLD.status = 'finished'
BEGIN SELECT RAISE(ABORT, 'a finished review cannot be changed'); END;
CREATE TRIGGER iam_review_line_finished_no_update BEFORE UPDATE ON iam_review_line
WHEN (SELECT status FROM iam_review WHERE id = OLD.review_id) = 'finished'
BEGIN SELECT RAISE(ABORT, 'a finished review cannot be changed'); END;
CREATE TRIGGER iam_review_line_no_delete BEFORE DELETE ON iam_review_line
BEGIN SELECT RAISE(ABORT, 'review lines are kept'); END;
`;

export type ReviewStatus = "open" | "finished";
export type ReviewDecision = "pending" | "confirmed" | "not-confirmed" | "revoked";

export interface ReviewTable {
  id: Generated<number>;
  company_id: number;
  period: string;
  opened_at: number;
  deadline_at: number;
  status: ReviewStatus;
  finished_at: number | null;
  finished_by: string | null;
}

export interface ReviewLineTable {
  id: Generated<number>;
  review_id: number;
  employment_id: number;
  authorization_id: number | null;
  decision: ReviewDecision;
  decided_by: string | null;
  decided_at: number | null;
  comment: string | null;
}

export interface ReviewTables {
  iam_review: ReviewTable;
  iam_review_line: ReviewLineTable;
}
