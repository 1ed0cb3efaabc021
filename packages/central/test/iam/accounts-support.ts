import pino from "pino";
import { fixedClock } from "../../src/clock.js";
import { accountDb } from "../../src/iam/accounts/db.js";
import { AccountService } from "../../src/iam/accounts/service.js";
import type { Actor } from "../../src/iam/index.js";
import { openIamDb } from "../../src/iam/index.js";
import { drainNotifications, MemorySender } from "../../src/iam/notifications/outbox.js";
import { NOW, openTestStore } from "../support/fixture.js";

/** Cheap argon2id for tests: the parameters are the service's, the cost is not. */
export const TEST_ARGON2 = { memorySize: 256, iterations: 1, parallelism: 1 };

export const system: Actor = { accountId: "system", role: "wholesale-admin" };
export const PASSWORD = "correct horse battery";

export function accountsFixture() {
  const { store } = openTestStore();
  const clock = fixedClock(NOW);
  const db = openIamDb(store.db);
  const logged: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logged.push(line) });
  const accounts = new AccountService({ db, clock, log, argon2: TEST_ARGON2 });
  const sender = new MemorySender();
  const drain = () => drainNotifications(accountDb(db), sender, clock);

  /** Creates an account and sets its password through the e-mailed invitation. */
  async function account(
    username: string,
    overrides: Record<string, unknown> = {},
    password = PASSWORD,
  ) {
    const created = await accounts.createAccount(system, {
      username,
      role: "wholesale-admin",
      mobile: "+31612345678",
      email: `${username}@example.nl`,
      ...overrides,
    });
    await drain();
    const invitation = sender.last("account-invitation", created.email);
    if (invitation?.parameters.token === undefined) throw new Error("no invitation");
    await accounts.confirmPasswordReset(invitation.parameters.token, password);
    return created;
  }

  /** The newest login code texted to `mobile`. */
  async function code(mobile = "+31612345678"): Promise<string> {
    await drain();
    const sms = sender.last("login-code", mobile);
    if (sms?.parameters.code === undefined) throw new Error("no code");
    return sms.parameters.code;
  }

  return { store, clock, db, accounts, sender, drain, account, code, logged };
}
