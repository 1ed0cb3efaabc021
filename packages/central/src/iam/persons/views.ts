import type { Selectable } from "kysely";
import type { Address, IdType } from "../companies/model.js";
import type { EmploymentStatus, EmploymentTable, PersonTable, PostalChoice } from "./schema.js";

/** A person's name as written on a card and in the doors' state: "J.P. van der Berg". */
export function displayName(p: {
  initials: string;
  surname_prefix: string | null;
  surname: string;
}): string {
  return [p.initials, p.surname_prefix, p.surname].filter(Boolean).join(" ").slice(0, 100);
}

/** The person's name only: what any reader of an employment may see of its person. */
export interface PersonName {
  readonly id: number;
  readonly initials: string;
  readonly surnamePrefix: string | null;
  readonly surname: string;
  readonly name: string;
}

export interface Employment {
  readonly id: number;
  readonly employmentNumber: string;
  readonly person: PersonName;
  readonly companyId: number;
  readonly managerName: string;
  readonly email: string;
  readonly mobile: string;
  readonly phone: string | null;
  readonly address: Address;
  readonly postalChoice: PostalChoice;
  readonly idType: IdType;
  /** In the audit and logs only masked. */
  readonly idNumber: string;
  /** Local dates (Europe/Amsterdam), YYYY-MM-DD. */
  readonly startDate: string;
  readonly endDate: string | null;
  readonly status: EmploymentStatus;
  readonly endedAt: number | null;
  readonly endReason: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
}

/** A person with the employments its reader may see (a partner: its own company's only). */
export interface Person extends PersonName {
  readonly birthDate: string;
  readonly employments: readonly Employment[];
}

/**
 * A person the look-up found. Partners get the name only (and their own company's
 * employment of that person, if any); staff also the birth date and every employment.
 */
export interface LookUpMatch extends PersonName {
  readonly birthDate?: string;
  readonly employments: readonly {
    readonly id: number;
    readonly companyId: number;
    readonly employmentNumber: string;
    readonly status: EmploymentStatus;
  }[];
}

export const personName = (p: Selectable<PersonTable>): PersonName => ({
  id: p.id,
  initials: p.initials,
  surnamePrefix: p.surname_prefix,
  surname: p.surname,
  name: displayName(p),
});

export function employmentOf(
  e: Selectable<EmploymentTable>,
  p: Selectable<PersonTable>,
): Employment {
  return {
    id: e.id,
    employmentNumber: e.employment_number,
    person: personName(p),
    companyId: e.company_id,
    managerName: e.manager_name,
    email: e.email,
    mobile: e.mobile,
    phone: e.phone,
    address: {
      street: e.street,
      number: e.house_number,
      addition: e.house_number_addition,
      line2: e.address_line2,
      postcode: e.postcode,
      city: e.city,
      country: e.country,
    },
    postalChoice: e.postal_choice,
    idType: e.id_type as IdType,
    idNumber: e.id_number,
    startDate: e.start_date,
    endDate: e.end_date,
    status: e.status,
    endedAt: e.ended_at,
    endReason: e.end_reason,
    createdBy: e.created_by,
    createdAt: e.created_at,
  };
}

/** What a card or key to hand back is called in a result and a notification. */
export interface CardToReturn {
  readonly cardId: number;
  readonly cardNumber: string | null;
}

export interface KeyToReturn {
  readonly keyIssueId: number;
  readonly authorizationId: number;
  readonly keyType: string;
}

/** An end of employment: done now (`ended`) or scheduled for `endDate`. */
export interface EmploymentEnd {
  readonly employment: Employment;
  readonly ended: boolean;
  /** The instant access ends (has ended), at the doors too. */
  readonly endsAt: number;
  readonly endedAuthorizationIds: readonly number[];
  readonly cardsToReturn: readonly CardToReturn[];
  readonly keysToReturn: readonly KeyToReturn[];
  /** The person's access card kept active by another active employment, if any. */
  readonly keptCardId: number | null;
}

/** A new employment: which card step it took (a new request, or the active card it keeps). */
export interface EmploymentCreated {
  readonly employment: Employment;
  readonly personCreated: boolean;
  readonly cardRequestId: number | null;
  readonly activeCardId: number | null;
  /** An access card already requested or on its way for the person (no second request). */
  readonly pendingCardId: number | null;
}
