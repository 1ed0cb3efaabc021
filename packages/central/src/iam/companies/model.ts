import type { DecisionStatus } from "../db.js";

export type { DecisionStatus };

export const ID_TYPES = ["passport", "id-card", "driving-licence"] as const;
export type IdType = (typeof ID_TYPES)[number];

/** A postal address as validated and stored (country ISO alpha-2, NL postcode `1234 AB`). */
export interface Address {
  readonly street: string;
  readonly number: string;
  readonly addition: string | null;
  readonly line2: string | null;
  readonly postcode: string;
  readonly city: string;
  readonly country: string;
}

/** A manager's decision on a registration or request. */
export interface Decision {
  readonly status: DecisionStatus;
  /** The account that submitted it; it cannot decide it. */
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly decisionComment: string | null;
}

export interface ContactPerson extends Decision {
  readonly id: number;
  readonly companyId: number;
  readonly initials: string;
  /** "van der", "de", ...; kept apart from the surname. */
  readonly surnamePrefix: string | null;
  readonly surname: string;
  /** `+316` and 8 digits: receives the login token. */
  readonly mobile: string;
  readonly email: string;
  readonly address: Address;
  /** `YYYY-MM-DD`. Never in the audit or logs. */
  readonly birthDate: string;
  readonly idType: IdType;
  /** In the audit and logs only masked (last 3 characters). */
  readonly idNumber: string;
}

export interface Company extends Decision {
  readonly id: number;
  /** The wholesale customer name (KW-klantnaam). */
  readonly customerName: string;
  /** The name in the chamber-of-commerce register. */
  readonly kvkName: string;
  /** The 8-digit chamber-of-commerce number. */
  readonly kvkNumber: string;
  readonly address: Address;
  readonly colocation: boolean;
}

/** A company with its contact persons (all of them, each with its own status). */
export interface CompanyDetails extends Company {
  readonly contactPersons: readonly ContactPerson[];
}
