import type { Generated } from "kysely";

/**
 * The catalogue of what can be requested, by service and location, and each company's
 * profile: the entries it may request (nothing outside it). Physical entries name an area
 * at a site (migration 1) and travel to the doors as authorizations; application, PoP and
 * key entries live at central only (keys have their own life cycle, requests/schema.ts).
 */
export const CATALOGUE_SQL = `
ALTER TABLE iam_company ADD COLUMN state_company_id INTEGER REFERENCES company(id);
-- Colocation customers may not request entries that exclude them.
ALTER TABLE iam_company ADD COLUMN colocation INTEGER NOT NULL DEFAULT 0 CHECK (colocation IN (0, 1));

CREATE TABLE iam_catalogue_entry (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code TEXT NOT NULL UNIQUE,
  service TEXT NOT NULL CHECK (service IN ('physical', 'application', 'pop', 'key')),
  name TEXT NOT NULL,
  site_id TEXT REFERENCES site(id),
  area_id INTEGER REFERENCES area(id),
  -- Keys: Z, KVD-01 .. KVD-13, KVD-ALL, Z100, HS1.
  key_type TEXT,
  -- JSON string[]: certificate types the holder needs, valid, for as long as the access lasts.
  required_certificates TEXT NOT NULL DEFAULT '[]',
  excludes_colocation INTEGER NOT NULL DEFAULT 0 CHECK (excludes_colocation IN (0, 1)),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  CHECK (service <> 'physical' OR area_id IS NOT NULL),
  CHECK (service <> 'key' OR key_type IS NOT NULL)
) STRICT;

CREATE TABLE iam_profile_entry (
  company_id INTEGER NOT NULL REFERENCES iam_company(id),
  entry_id INTEGER NOT NULL REFERENCES iam_catalogue_entry(id),
  added_by TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (company_id, entry_id)
) STRICT, WITHOUT ROWID;
`;

export type CatalogueService = "physical" | "application" | "pop" | "key";

export interface CatalogueEntryTable {
  id: Generated<number>;
  code: string;
  service: CatalogueService;
  name: string;
  site_id: string | null;
  area_id: number | null;
  key_type: string | null;
  required_certificates: string;
  excludes_colocation: number;
  active: number;
  created_by: string;
  created_at: number;
}

export interface ProfileEntryTable {
  company_id: number;
  entry_id: number;
  added_by: string;
  added_at: number;
}

export interface CatalogueTables {
  iam_catalogue_entry: CatalogueEntryTable;
  iam_profile_entry: ProfileEntryTable;
}
