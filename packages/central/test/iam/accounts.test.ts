import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accountDb } from "../../src/iam/accounts/db.js";
import { AuthError } from "../../src/iam/accounts/errors.js";
import { DEFAULT_ARGON2, hashSecret, verifySecret } from "../../src/iam/accounts/secrets.js";
import { IamError } from "../../src/iam/index.js";
import {
  drainNotifications,
  FileSender,
  MemorySender,
} from "../../src/iam/notifications/outbox.js";
import { tempDir } from "../support/fixture.js";
import { accountsFixture, PASSWORD, system } from "./accounts-support.js";

const MIN = 60_000;

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof AuthError || error instanceof IamError) return error.code;
  throw new Error(`expected a refusal, got ${String(error)}`);
}

describe("argon2id", () => {
  it("verifies, and differs per salt", async () => {
    const a = await hashSecret("s3cret-password!", DEFAULT_ARGON2);
    const b = await hashSecret("s3cret-password!", DEFAULT_ARGON2);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifySecret("s3cret-password!", a)).toBe(true);
    expect(await verifySecret("s3cret-password!", b)).toBe(true);
    expect(await verifySecret("s3cret-password?", a)).toBe(false);
    expect(await verifySecret("x", "not a hash")).toBe(false);
  });
});

describe("accounts and sign-in", () => {
  it("creates accounts by wholesale admins only, validated", async () => {
    const f = accountsFixture();
    const admin = await f.account("admin");
    expect(admin).toMatchObject({ username: "admin", role: "wholesale-admin", companyId: null });
    const manager = { accountId: "m", role: "manager" as const };
    expect(await refusal(f.accounts.createAccount(manager, {}))).toBe("FORBIDDEN");
    const bad = await refusal(
      f.accounts.createAccount(system, {
        username: "p",
        role: "partner-contact",
        mobile: "+31712345678",
        email: "nope",
      }),
    );
    expect(bad).toBe("INVALID");
    expect(
      await refusal(
        f.accounts.createAccount(system, {
          username: "admin",
          role: "helpdesk",
          mobile: "+31612345678",
          email: "other@example.nl",
        }),
      ),
    ).toBe("CONFLICT");
    const row = f.store.db.prepare("SELECT password_hash FROM iam_account").pluck().get();
    expect(String(row)).toMatch(/^\$argon2id\$/);
  });

  it("signs in with password then code; the session resolves to the actor", async () => {
    const f = accountsFixture();
    const admin = await f.account("admin");
    const { challengeId } = await f.accounts.login("admin", PASSWORD);
    const code = await f.code();
    expect(code).toMatch(/^\d{6}$/);
    const { token, expiresAt } = await f.accounts.verifyCode(challengeId, code);
    expect(expiresAt).toBe(f.clock.now() + 30 * MIN);
    expect(await f.accounts.resolveActor(`Bearer ${token}`)).toEqual({
      accountId: admin.id,
      role: "wholesale-admin",
    });
    // The code is single use.
    expect(await refusal(f.accounts.verifyCode(challengeId, code))).toBe("UNAUTHENTICATED");
    // Idle expiry moves on with use, and ends the session when idle too long.
    f.clock.advance(20 * MIN);
    expect(await f.accounts.resolveActor(`Bearer ${token}`)).toBeDefined();
    f.clock.advance(20 * MIN);
    expect(await f.accounts.resolveActor(`Bearer ${token}`)).toBeDefined();
    f.clock.advance(31 * MIN);
    expect(await f.accounts.resolveActor(`Bearer ${token}`)).toBeUndefined();
    expect(await f.accounts.resolveActor(undefined)).toBeUndefined();
    expect(await f.accounts.resolveActor("Bearer acs_s_forged-token-value")).toBeUndefined();
  });

  it("logs out", async () => {
    const f = accountsFixture();
    await f.account("admin");
    const { challengeId } = await f.accounts.login("admin", PASSWORD);
    const { token } = await f.accounts.verifyCode(challengeId, await f.code());
    await f.accounts.logout(token);
    expect(await f.accounts.resolveActor(`Bearer ${token}`)).toBeUndefined();
    expect(await refusal(f.accounts.logout(token))).toBe("UNAUTHENTICATED");
  });

  it("refuses an expired code, and a code after 3 wrong attempts", async () => {
    const f = accountsFixture();
    await f.account("admin");
    const first = await f.accounts.login("admin", PASSWORD);
    const code = await f.code();
    f.clock.advance(5 * MIN);
    expect(await refusal(f.accounts.verifyCode(first.challengeId, code))).toBe("UNAUTHENTICATED");
    const second = await f.accounts.login("admin", PASSWORD);
    const right = await f.code();
    const wrong = right === "000000" ? "000001" : "000000";
    for (let i = 0; i < 3; i++) {
      expect(await refusal(f.accounts.verifyCode(second.challengeId, wrong))).toBe(
        "UNAUTHENTICATED",
      );
    }
    expect(await refusal(f.accounts.verifyCode(second.challengeId, right))).toBe("UNAUTHENTICATED");
  });

  it("locks the account for 15 minutes after 5 failed logins, and records it", async () => {
    const f = accountsFixture();
    const admin = await f.account("admin");
    for (let i = 0; i < 4; i++) {
      expect(await refusal(f.accounts.login("admin", "wrong password!"))).toBe("UNAUTHENTICATED");
    }
    // An unknown user is refused the same way.
    expect(await refusal(f.accounts.login("nobody", PASSWORD))).toBe("UNAUTHENTICATED");
    expect(await refusal(f.accounts.login("admin", "wrong password!"))).toBe("UNAUTHENTICATED");
    // Locked: even the right password is refused.
    expect(await refusal(f.accounts.login("admin", PASSWORD))).toBe("LOCKED");
    f.clock.advance(15 * MIN - 1);
    expect(await refusal(f.accounts.login("admin", PASSWORD))).toBe("LOCKED");
    f.clock.advance(1);
    expect(await f.accounts.login("admin", PASSWORD)).toMatchObject({
      challengeId: expect.any(String),
    });
    const actions = f.store.db
      .prepare("SELECT action FROM iam_audit WHERE entity = 'account' AND entity_id = ?")
      .pluck()
      .all(admin.id);
    expect(actions.filter((a) => a === "account.login-failed")).toHaveLength(5);
    expect(actions).toContain("account.locked");
  });

  it("resets a password with a single-use, expiring token", async () => {
    const f = accountsFixture();
    await f.account("admin");
    await f.accounts.requestPasswordReset("nobody@example.nl");
    await f.accounts.requestPasswordReset("ADMIN@example.nl");
    await f.drain();
    const token = f.sender.last("password-reset", "admin@example.nl")?.parameters.token ?? "";
    expect(f.sender.sent.filter((n) => n.template === "password-reset")).toHaveLength(1);
    await f.accounts.confirmPasswordReset(token, "a brand new passphrase");
    expect(await refusal(f.accounts.confirmPasswordReset(token, "another new passphrase"))).toBe(
      "INVALID_TOKEN",
    );
    expect(await refusal(f.accounts.login("admin", PASSWORD))).toBe("UNAUTHENTICATED");
    expect(await f.accounts.login("admin", "a brand new passphrase")).toBeDefined();
    await f.accounts.requestPasswordReset("admin@example.nl");
    await f.drain();
    const late = f.sender.last("password-reset")?.parameters.token ?? "";
    f.clock.advance(61 * MIN);
    expect(await refusal(f.accounts.confirmPasswordReset(late, "too late passphrase"))).toBe(
      "INVALID_TOKEN",
    );
  });

  it("API tokens work until revoked, by their owner only", async () => {
    const f = accountsFixture();
    const admin = await f.account("admin");
    const owner = { accountId: admin.id, role: "wholesale-admin" as const };
    const issued = await f.accounts.createApiToken(owner, "ci");
    expect(issued.token).toMatch(/^acs_t_/);
    expect(await f.accounts.resolveActor(`Bearer ${issued.token}`)).toEqual(owner);
    const other = { accountId: "someone-else", role: "wholesale-admin" as const };
    expect(await refusal(f.accounts.revokeApiToken(other, issued.id))).toBe("NOT_FOUND");
    await f.accounts.revokeApiToken(owner, issued.id);
    expect(await f.accounts.resolveActor(`Bearer ${issued.token}`)).toBeUndefined();
    const stored = f.store.db.prepare("SELECT token_hash FROM iam_api_token").pluck().get();
    expect(stored).not.toContain(issued.token);
  });

  it("keeps secrets out of the logs, the audit and (once sent) the outbox", async () => {
    const f = accountsFixture();
    await f.account("admin");
    const { challengeId } = await f.accounts.login("admin", PASSWORD);
    const code = await f.code();
    const { token } = await f.accounts.verifyCode(challengeId, code);
    const owner = await f.accounts.resolveActor(`Bearer ${token}`);
    if (owner === undefined) throw new Error("no actor");
    const api = await f.accounts.createApiToken(owner, "ci");
    await f.accounts.changePassword(owner, PASSWORD, "changed passphrase 2");
    await f.accounts.requestPasswordReset("admin@example.nl");
    await f.drain();
    const reset = f.sender.last("password-reset")?.parameters.token ?? "";
    const secrets = [PASSWORD, "changed passphrase 2", code, token, api.token, reset];
    const audit = JSON.stringify(f.store.db.prepare("SELECT * FROM iam_audit").all());
    const outbox = JSON.stringify(
      f.store.db.prepare("SELECT * FROM iam_notification_outbox").all(),
    );
    const tables = JSON.stringify(
      [
        "iam_account",
        "iam_session",
        "iam_api_token",
        "iam_password_reset",
        "iam_login_challenge",
      ].map((t) => f.store.db.prepare(`SELECT * FROM ${t}`).all()),
    );
    const logs = f.logged.join("\n");
    expect(f.logged.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(outbox).not.toContain(secret);
      expect(tables).not.toContain(secret);
    }
  });

  it("sends notifications through a file sender, once", async () => {
    const f = accountsFixture();
    await f.accounts.createAccount(system, {
      username: "helpdesk1",
      role: "helpdesk",
      mobile: "+31687654321",
      email: "hd@example.nl",
    });
    const file = join(tempDir(), "outbox.jsonl");
    const sender = new FileSender(file);
    expect(await drainNotifications(accountDb(f.db), sender, f.clock)).toBe(1);
    expect(await drainNotifications(accountDb(f.db), sender, f.clock)).toBe(0);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      channel: "email",
      recipient: "hd@example.nl",
      template: "account-invitation",
      parameters: { token: expect.any(String), username: "helpdesk1" },
    });
    expect(new MemorySender().sent).toEqual([]);
  });

  it("writes nothing when a command is refused", async () => {
    const f = accountsFixture();
    await refusal(
      f.accounts.createAccount(system, {
        username: "pc",
        role: "partner-contact",
        mobile: "+31612345678",
        email: "pc@example.nl",
        companyId: 99,
      }),
    );
    const count = (t: string) => f.store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();
    expect([count("iam_account"), count("iam_audit"), count("iam_notification_outbox")]).toEqual([
      0, 0, 0,
    ]);
  });
});
