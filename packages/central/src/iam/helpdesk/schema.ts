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
