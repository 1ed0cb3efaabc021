/** IAM rules that are configuration rather than code. */
export interface IamConfig {
  /** Local parts of generic (role) addresses, refused as a contact's e-mail; lower case. */
  readonly roleAddresses: readonly string[];
  /** Free-mail domains, refused as a contact's business e-mail; lower case. */
  readonly freeMailDomains: readonly string[];
  /** The zone of local dates (end dates, working days). */
  readonly timezone: string;
  /** A request's lead time in Dutch working days (weekends and public holidays not counted). */
  readonly leadTimeWorkingDays: number;
  /** date-holidays types counted as days off besides weekends ("public" always). */
  readonly holidayTypes: readonly string[];
  /** Pending request items expire after this many days. */
  readonly pendingExpiryDays: number;
  /** Approved authorizations never used expire after this many days. */
  readonly unusedExpiryDays: number;
  /** Activation codes: valid this long, this many attempts. */
  readonly activationCodeTtlDays: number;
  readonly activationAttempts: number;
  /** Access cards are valid this many years from production. */
  readonly cardValidityYears: number;
  /** Warnings ahead of a card's or certificate's expiry, in days. */
  readonly cardExpiryWarningDays: number;
  readonly certificateExpiryWarningDays: number;
  /** Access reviews: one per company every this many months, deadline in days. */
  readonly reviewPeriodMonths: number;
  readonly reviewDeadlineDays: number;
  /** How produced access cards are numbered at the doors (Wiegand H10301 by default). */
  readonly cardFormat: string;
  readonly cardFacility: number;
}

export const DEFAULT_ROLE_ADDRESSES: readonly string[] = [
  "info",
  "sales",
  "admin",
  "administratie",
  "office",
  "contact",
  "support",
  "service",
  "helpdesk",
  "noreply",
  "no-reply",
  "postmaster",
  "webmaster",
  "hostmaster",
  "abuse",
  "billing",
  "finance",
  "facturen",
  "hr",
  "jobs",
  "team",
  "receptie",
  "mail",
];

export const DEFAULT_FREE_MAIL_DOMAINS: readonly string[] = [
  "gmail.com",
  "googlemail.com",
  "hotmail.com",
  "hotmail.nl",
  "outlook.com",
  "outlook.nl",
  "live.com",
  "live.nl",
  "msn.com",
  "yahoo.com",
  "yahoo.nl",
  "icloud.com",
  "me.com",
  "aol.com",
  "gmx.com",
  "gmx.net",
  "proton.me",
  "protonmail.com",
  "ziggo.nl",
  "kpnmail.nl",
  "planet.nl",
  "home.nl",
  "hetnet.nl",
  "xs4all.nl",
  "telfort.nl",
  "casema.nl",
  "chello.nl",
  "upcmail.nl",
];

export const DEFAULT_IAM_CONFIG: IamConfig = {
  roleAddresses: DEFAULT_ROLE_ADDRESSES,
  freeMailDomains: DEFAULT_FREE_MAIL_DOMAINS,
  timezone: "Europe/Amsterdam",
  leadTimeWorkingDays: 5,
  holidayTypes: [],
  pendingExpiryDays: 30,
  unusedExpiryDays: 90,
  activationCodeTtlDays: 14,
  activationAttempts: 3,
  cardValidityYears: 5,
  cardExpiryWarningDays: 30,
  certificateExpiryWarningDays: 30,
  reviewPeriodMonths: 3,
  reviewDeadlineDays: 14,
  cardFormat: "C1000_35",
  cardFacility: 1000,
};
