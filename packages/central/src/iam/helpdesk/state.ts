import type { IamDb } from "../db.js";

/**
 * The state rows (migration 1) the helpdesk reads: what the doors decide on. Read-only here;
 * they change through CentralCommands only. Typed for Kysely so the reads stay
 * dialect-neutral.
 */
type StateSite = {
  id: string;
  name: string;
  fingerprint_required: number;
};
type StateArea = {
  id: number;
  site_id: string;
  name: string;
  required_certificates: string;
};
type StateCard = {
  id: number;
  person_id: number;
  status: string;
  valid_from: number | null;
  valid_until: number | null;
};
type StateEmployment = {
  id: number;
  person_id: number;
  start_at: number;
  end_at: number | null;
};
type StateAuthorization = {
  id: number;
  employment_id: number;
  area_id: number;
  valid_from: number | null;
  valid_until: number | null;
  revoked_at: number | null;
};
type StateCertificate = {
  id: number;
  person_id: number;
  type: string;
  valid_from: number | null;
  valid_until: number | null;
};

export type StateTables = {
  site: StateSite;
  area: StateArea;
  card: StateCard;
  employment: StateEmployment;
  access_authorization: StateAuthorization;
  certificate: StateCertificate;
};

/** The IAM database with the state tables readable too. */
export function stateReader(db: IamDb) {
  return db.withTables<StateTables>();
}

export type StateReader = ReturnType<typeof stateReader>;

export async function siteRow(db: IamDb, siteId: string): Promise<StateSite | undefined> {
  return stateReader(db).selectFrom("site").selectAll().where("id", "=", siteId).executeTakeFirst();
}

export async function areaRow(db: IamDb, areaId: number): Promise<StateArea | undefined> {
  return stateReader(db).selectFrom("area").selectAll().where("id", "=", areaId).executeTakeFirst();
}

/** Whether an instant lies in [from, until), an absent bound being open. */
export function validAt(at: number, from: number | null, until: number | null): boolean {
  return (from === null || from <= at) && (until === null || at < until);
}
