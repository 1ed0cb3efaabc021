import type { Generated } from "kysely";

/**
 * Cards (source chapters 5, 9, 12): requested -> approved -> in-production -> shipped ->
 * active -> inactive | expired | returned (rejected ends a request). The access card gets its
 * number, and its `card` state row (migration 1, what the doors read), at production; the PoP
 * card is a separate credential on another access system and never travels to our doors.
 */
export const CARDS_SQL = `
CREATE TABLE iam_card (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  person_id INTEGER NOT NULL REFERENCES iam_person(id),
  -- The employment the card was requested through (its company pays and ships).
  employment_id INTEGER NOT NULL REFERENCES iam_employment(id),
  kind TEXT NOT NULL CHECK (kind IN ('access', 'pop')),
  status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'in-production',
    'shipped', 'active', 'inactive', 'expired', 'returned')),
  state_card_id INTEGER UNIQUE REFERENCES card(id),
  card_number TEXT,
  replaces_card_id INTEGER REFERENCES iam_card(id),
  replacement_reason TEXT,
  -- The requester's remark with a replacement ("opmerking", chapter 9).
  request_note TEXT,
  -- JSON: the address as confirmed by the requester.
  shipping_address TEXT NOT NULL,
  -- SHA-256 of the activation code (sent separately), when it expires, tries left.
  activation_code_hash TEXT,
  activation_expires_at INTEGER,
  activation_attempts_left INTEGER,
  valid_until INTEGER,
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  decision_comment TEXT,
  produced_at INTEGER,
  shipped_at INTEGER,
  activated_at INTEGER,
  deactivated_at INTEGER,
  deactivation_reason TEXT,
  -- 1 while the physical card is expected back.
  to_return INTEGER NOT NULL DEFAULT 0,
  returned_at INTEGER
) STRICT;
CREATE INDEX iam_card_person ON iam_card(person_id, kind, status);
CREATE INDEX iam_card_employment ON iam_card(employment_id);
CREATE UNIQUE INDEX iam_card_number ON iam_card(kind, card_number) WHERE card_number IS NOT NULL;
CREATE INDEX iam_card_to_return ON iam_card(to_return) WHERE to_return = 1;
`;

export type CardKind = "access" | "pop";
export type IamCardStatus =
  | "requested"
  | "approved"
  | "rejected"
  | "in-production"
  | "shipped"
  | "active"
  | "inactive"
  | "expired"
  | "returned";

export interface IamCardTable {
  id: Generated<number>;
  person_id: number;
  employment_id: number;
  kind: CardKind;
  status: IamCardStatus;
  state_card_id: number | null;
  card_number: string | null;
  replaces_card_id: number | null;
  replacement_reason: string | null;
  request_note: string | null;
  shipping_address: string;
  activation_code_hash: string | null;
  activation_expires_at: number | null;
  activation_attempts_left: number | null;
  valid_until: number | null;
  requested_by: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  decision_comment: string | null;
  produced_at: number | null;
  shipped_at: number | null;
  activated_at: number | null;
  deactivated_at: number | null;
  deactivation_reason: string | null;
  to_return: number;
  returned_at: number | null;
}

export interface CardTables {
  iam_card: IamCardTable;
}
