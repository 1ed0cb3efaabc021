import type { Actor } from "../../src/iam/actor.js";

/** Monday 2 March 2026, 09:00 in Amsterdam. */
export const WORKFLOW_NOW = Date.parse("2026-03-02T09:00:00+01:00");
export const DAY_MS = 86_400_000;

/**
 * The actors of the workflow tests. Partners: `partnerA` of company A, `partnerB` of
 * company B (ids in the fixture). Accounts exist for all of them (iam_account rows), so
 * notifications and delegations can name them.
 */
export const actors = {
  admin: { accountId: "acc-admin", role: "wholesale-admin" },
  manager: { accountId: "acc-manager", role: "manager" },
  manager2: { accountId: "acc-manager2", role: "manager" },
  deputy: { accountId: "acc-deputy", role: "manager" },
  institute: { accountId: "acc-institute", role: "training-institute" },
  helpdesk: { accountId: "acc-helpdesk", role: "helpdesk" },
  auditor: { accountId: "acc-auditor", role: "auditor" },
} as const satisfies Record<string, Actor>;
