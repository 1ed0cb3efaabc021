import { B_SURNAME } from "./tenant-isolation-support.js";

// What the tenant-isolation test expects of the routes that are not simply refused.

export interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly { name: string; in: string; required?: boolean }[];
  readonly requestBody?: unknown;
}
export type OpenApi = { paths: Record<string, Record<string, Operation>> };

export const NEW_PASSWORD = "Een-heel-lang-wachtwoord-42!";

/**
 * Anonymous entry points (sign-in, password reset) and the caller's own password carry no
 * company ids: they are called with inputs that exist nowhere, and answer as for anyone.
 */
export const ANONYMOUS: Record<string, number> = {
  login: 401,
  verifyLoginCode: 401,
  requestPasswordReset: 202,
  confirmPasswordReset: 400,
  changePassword: 401,
  // The harness's bearer token is an account id, not a session: logout finds none to end.
  logout: 401,
};

/**
 * Routes whose 2xx answer to partner A is about A's own data or public catalogue/site data
 * (a path of B's ids never belongs here).
 */
export const OWN_OR_PUBLIC = new Set([
  "getOpenApi",
  "getHealth",
  "listSites",
  "getSite",
  "createApiToken",
  "listCompanies",
  "listCatalogueEntries",
  "getBasket",
  "submitBasket",
  "listKeysToReturn",
  "listKeys",
  "listPendingRequests",
  "listOverdueRequests",
  "lookUpPersons",
]);

/** Whether a route names a company-bound record (sites and doors are site-wide). */
export const takesB = (route: string) => /\{(?!siteId\}|doorId\})\w+\}/.test(route);

/**
 * The look-up answers who has exactly the facts the caller typed (name and birth date), so
 * that an engineer working for two companies stays one person; it must not name the other
 * company's employments.
 */
export const ECHOED: Record<string, readonly string[]> = { lookUpPersons: [B_SURNAME] };
