/** IAM rules that are configuration rather than code. */
export interface IamConfig {
  /** Local parts of generic (role) addresses, refused as a contact's e-mail; lower case. */
  readonly roleAddresses: readonly string[];
  /** Free-mail domains, refused as a contact's business e-mail; lower case. */
  readonly freeMailDomains: readonly string[];
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
};
