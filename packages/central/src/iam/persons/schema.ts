import type { Generated } from "kysely";

/**
 * Persons and their employments (source chapter 5). A person is one human, found by exact
 * surname (prefix apart), initials and birth date; an employment ties a person to one
 * company (never twice the same pair). Each row is linked to the state row that travels to
 * the doors (`person`, `employment`, migration 1).
 */
export const PERSONS_SQL = `
CREATE TABLE iam_person (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  state_person_id INTEGER NOT NULL UNIQUE REFERENCES person(id),
  initials TEXT NOT NULL,
  surname_prefix TEXT,
  surname TEXT NOT NULL,
  -- lower-case surname (no prefix): the look-up and the name search run on it.
  surname_key TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX iam_person_lookup ON iam_person(surname_key, birth_date);

CREATE TABLE iam_employment (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  state_employment_id INTEGER NOT NULL UNIQUE REFERENCES employment(id),
  person_id INTEGER NOT NULL REFERENCES iam_person(id),
  company_id INTEGER NOT NULL REFERENCES iam_company(id),
  -- Shown to partners and searched on, e.g. "E0000123".
  employment_number TEXT NOT NULL UNIQUE,
  manager_name TEXT NOT NULL,
  email TEXT NOT NULL,
  mobile TEXT NOT NULL,
  phone TEXT,
  street TEXT NOT NULL,
  house_number TEXT NOT NULL,
  house_number_addition TEXT,
  address_line2 TEXT,
  postcode TEXT NOT NULL,
  city TEXT NOT NULL,
  country TEXT NOT NULL,
  -- Where cards and keys are sent: 'business' the company's address, 'private' this one.
  postal_choice TEXT NOT NULL CHECK (postal_choice IN ('business', 'private')),
  id_type TEXT NOT NULL CHECK (id_type IN ('passport', 'id-card', 'driving-licence')),
  id_number TEXT NOT NULL,
  start_date TEXT NOT NULL,
  -- A chosen end (local date, Europe/Amsterdam); ends at the start of that day.
  end_date TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
  ended_at INTEGER,
  end_reason TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
-- The same person-company pair never gets a second employment.
CREATE UNIQUE INDEX iam_employment_person_company ON iam_employment(person_id, company_id);
CREATE INDEX iam_employment_company ON iam_employment(company_id, id);
`;

export interface PersonTable {
  id: Generated<number>;
  state_person_id: number;
  initials: string;
  surname_prefix: string | null;
  surname: string;
  surname_key: string;
  /** YYYY-MM-DD */
  birth_date: string;
  created_by: string;
  created_at: number;
}

export type PostalChoice = "business" | "private";
export type EmploymentStatus = "active" | "ended";

export interface EmploymentTable {
  id: Generated<number>;
  state_employment_id: number;
  person_id: number;
  company_id: number;
  employment_number: string;
  manager_name: string;
  email: string;
  mobile: string;
  phone: string | null;
  street: string;
  house_number: string;
  house_number_addition: string | null;
  address_line2: string | null;
  postcode: string;
  city: string;
  country: string;
  postal_choice: PostalChoice;
  id_type: string;
  id_number: string;
  start_date: string;
  end_date: string | null;
  status: EmploymentStatus;
  ended_at: number | null;
  end_reason: string | null;
  created_by: string;
  created_at: number;
}

export interface PersonTables {
  iam_person: PersonTable;
  iam_employment: EmploymentTable;
}
