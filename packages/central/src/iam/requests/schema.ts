import type { Generated } from "kysely";

/**
 * Requests (source chapters 6, 7, 11, 12): a basket of items per contact person (an
 * employment x a catalogue entry, to grant or to revoke), submitted together once, decided
 * item by item by a manager who did not submit it (or a deputy, delegated for a period).
 * An approved grant becomes an authorization; a physical one has its state row
 * (`access_authorization`, what the doors read); a key has its own life cycle.
 */
export const REQUESTS_SQL = `
CREATE TABLE iam_submission (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES iam_company(id),
  submitted_by TEXT NOT NULL,
  submitted_at INTEGER NOT NULL,
  item_count INTEGER NOT NULL
) STRICT;

CREATE TABLE iam_authorization (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  employment_id INTEGER NOT NULL REFERENCES iam_employment(id),
  entry_id INTEGER NOT NULL REFERENCES iam_catalogue_entry(id),
  -- Physical entries: the authorization the doors read.
  state_authorization_id INTEGER UNIQUE REFERENCES access_authorization(id),
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'lapsed', 'ended', 'expired')),
  granted_at INTEGER NOT NULL,
  granted_by TEXT NOT NULL,
  -- First time it was used (a granted read at a door of its area; a key issued).
  first_used_at INTEGER,
  ended_at INTEGER,
  end_reason TEXT
) STRICT;
CREATE INDEX iam_authorization_employment ON iam_authorization(employment_id, status);
-- One live authorization per employment and entry.
CREATE UNIQUE INDEX iam_authorization_live ON iam_authorization(employment_id, entry_id)
  WHERE status = 'active';

CREATE TABLE iam_request_item (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES iam_company(id),
  -- The contact person's account whose basket holds the item.
  basket_owner TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),
  employment_id INTEGER NOT NULL REFERENCES iam_employment(id),
  entry_id INTEGER NOT NULL REFERENCES iam_catalogue_entry(id),
  -- revoke: the authorization to end; grant: the authorization it became.
  authorization_id INTEGER REFERENCES iam_authorization(id),
  motivation TEXT,
  status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected', 'expired',
    'withdrawn')),
  submission_id INTEGER REFERENCES iam_submission(id),
  submitted_by TEXT,
  submitted_at INTEGER,
  -- The lead time's end, in Dutch working days from submission.
  due_at INTEGER,
  escalated_at INTEGER,
  escalated_to TEXT,
  decided_by TEXT,
  -- Set when a deputy decided for an away manager: that manager.
  decided_for TEXT,
  decided_at INTEGER,
  decision_comment TEXT,
  expires_at INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX iam_request_item_basket ON iam_request_item(basket_owner, status);
CREATE INDEX iam_request_item_pending ON iam_request_item(status, due_at);
CREATE INDEX iam_request_item_employment ON iam_request_item(employment_id, entry_id, status);

-- Keys (Sleutels Wholesale): approved -> shipped (to the confirmed address) -> issued ->
-- to-return -> returned; an approved key whose access ended before it was shipped: cancelled.
CREATE TABLE iam_key_issue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  authorization_id INTEGER NOT NULL UNIQUE REFERENCES iam_authorization(id),
  key_type TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('approved', 'shipped', 'issued', 'to-return', 'returned',
    'cancelled')),
  shipping_address TEXT NOT NULL,
  shipped_at INTEGER,
  issued_at INTEGER,
  return_requested_at INTEGER,
  returned_at INTEGER
) STRICT;
CREATE INDEX iam_key_issue_status ON iam_key_issue(status);

-- A manager away from .. until: the deputy decides in their name (both recorded).
CREATE TABLE iam_delegation (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  manager_account_id TEXT NOT NULL REFERENCES iam_account(id),
  deputy_account_id TEXT NOT NULL REFERENCES iam_account(id),
  valid_from INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  withdrawn_at INTEGER,
  CHECK (valid_until > valid_from)
) STRICT;
CREATE INDEX iam_delegation_deputy ON iam_delegation(deputy_account_id, valid_until);

-- Settings an administrator changes at run time (e.g. the escalation deputy), JSON values.
CREATE TABLE iam_setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL
) STRICT;
`;

export type AuthorizationStatus = "active" | "revoked" | "lapsed" | "ended" | "expired";
export type RequestAction = "grant" | "revoke";
export type RequestItemStatus =
  | "draft"
  | "pending"
  | "approved"
  | "rejected"
  | "expired"
  | "withdrawn";
export type KeyIssueStatus =
  | "approved"
  | "shipped"
  | "issued"
  | "to-return"
  | "returned"
  | "cancelled";

export interface SubmissionTable {
  id: Generated<number>;
  company_id: number;
  submitted_by: string;
  submitted_at: number;
  item_count: number;
}

export interface IamAuthorizationTable {
  id: Generated<number>;
  employment_id: number;
  entry_id: number;
  state_authorization_id: number | null;
  status: AuthorizationStatus;
  granted_at: number;
  granted_by: string;
  first_used_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
}

export interface RequestItemTable {
  id: Generated<number>;
  company_id: number;
  basket_owner: string;
  action: RequestAction;
  employment_id: number;
  entry_id: number;
  authorization_id: number | null;
  motivation: string | null;
  status: RequestItemStatus;
  submission_id: number | null;
  submitted_by: string | null;
  submitted_at: number | null;
  due_at: number | null;
  escalated_at: number | null;
  escalated_to: string | null;
  decided_by: string | null;
  decided_for: string | null;
  decided_at: number | null;
  decision_comment: string | null;
  expires_at: number | null;
  created_at: number;
}

export interface KeyIssueTable {
  id: Generated<number>;
  authorization_id: number;
  key_type: string;
  status: KeyIssueStatus;
  shipping_address: string;
  shipped_at: number | null;
  issued_at: number | null;
  return_requested_at: number | null;
  returned_at: number | null;
}

export interface DelegationTable {
  id: Generated<number>;
  manager_account_id: string;
  deputy_account_id: string;
  valid_from: number;
  valid_until: number;
  created_at: number;
  withdrawn_at: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
  changed_by: string;
  changed_at: number;
}

export interface RequestTables {
  iam_submission: SubmissionTable;
  iam_authorization: IamAuthorizationTable;
  iam_request_item: RequestItemTable;
  iam_key_issue: KeyIssueTable;
  iam_delegation: DelegationTable;
  iam_setting: SettingTable;
}
