import type { Generated } from "kysely";

/**
 * What the helpdesk needs beyond the state: which area each door of a site belongs to
 * (the edges' configuration, registered here), the fingerprint enrollments the edges
 * reported (which card each is bound to), and the remote openings with their reasons.
 */
export const HELPDESK_SQL = `
CREATE TABLE iam_door (
  site_id TEXT NOT NULL REFERENCES site(id),
  door_id TEXT NOT NULL,
  area_id INTEGER NOT NULL REFERENCES area(id),
  name TEXT NOT NULL,
  PRIMARY KEY (site_id, door_id)
) STRICT, WITHOUT ROWID;

-- The newest enrollment per site and person, from the edges' fingerprint-enrolled events.
CREATE TABLE iam_enrollment (
  site_id TEXT NOT NULL,
  state_person_id INTEGER NOT NULL,
  state_card_id INTEGER NOT NULL,
  enrolled_at INTEGER NOT NULL,
  PRIMARY KEY (site_id, state_person_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE iam_remote_open (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL,
  door_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  outcome TEXT,
  outcome_reason TEXT
) STRICT;
CREATE INDEX iam_remote_open_door ON iam_remote_open(site_id, door_id, id);

-- The reports' searches (this part runs after the persons', cards' and requests' parts):
-- the name search walks persons in surname order (a range, never LIKE) and pages by id.
CREATE INDEX iam_person_surname ON iam_person(surname_key, id);
CREATE INDEX iam_key_issue_to_return ON iam_key_issue(id) WHERE status = 'to-return';
CREATE INDEX iam_request_item_company_pending ON iam_request_item(company_id, id)
  WHERE status = 'pending';
-- The audit query by actor and by period.
CREATE INDEX iam_audit_actor ON iam_audit(actor_account_id, id);
CREATE INDEX iam_audit_at ON iam_audit(at, id);
`;

export interface DoorTable {
  site_id: string;
  door_id: string;
  area_id: number;
  name: string;
}

export interface EnrollmentTable {
  site_id: string;
  state_person_id: number;
  state_card_id: number;
  enrolled_at: number;
}

export interface RemoteOpenTable {
  id: Generated<number>;
  site_id: string;
  door_id: string;
  reason: string;
  requested_by: string;
  requested_at: number;
  outcome: string | null;
  outcome_reason: string | null;
}

export interface HelpdeskTables {
  iam_door: DoorTable;
  iam_enrollment: EnrollmentTable;
  iam_remote_open: RemoteOpenTable;
}
