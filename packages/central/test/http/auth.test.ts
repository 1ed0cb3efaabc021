import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { authRoutes } from "../../src/http/auth-routes.js";
import { type ApiServer, buildServer } from "../../src/http/server.js";
import { accountDb } from "../../src/iam/accounts/db.js";
import { AccountService } from "../../src/iam/accounts/service.js";
import { openIamDb } from "../../src/iam/index.js";
import { drainNotifications, MemorySender } from "../../src/iam/notifications/outbox.js";
import { type CentralStore, openCentralStore } from "../../src/index.js";
import { TEST_ARGON2 } from "../iam/accounts-support.js";

const NOW = Date.parse("2026-03-02T09:00:00Z");
const PASSWORD = "correct horse battery";

describe("the auth API, on a real port", () => {
  let dir: string;
  let store: CentralStore;
  let app: ApiServer;
  let base: string;
  let accounts: AccountService;
  const clock = fixedClock(NOW);
  const sender = new MemorySender();
  const logged: string[] = [];
  const secrets: string[] = [PASSWORD];
  const drain = () => drainNotifications(accountDb(openIamDb(store.db)), sender, clock);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-auth-"));
    store = openCentralStore(join(dir, "central.db"), { clock });
    const log = pino({ level: "info" }, { write: (line: string) => void logged.push(line) });
    accounts = new AccountService({ db: openIamDb(store.db), clock, log, argon2: TEST_ARGON2 });
    const built = await buildServer({
      store,
      log,
      now: () => clock.now(),
      resolveActor: accounts.resolveActor,
      registerRoutes: (server) => authRoutes(server, accounts),
    });
    app = built.app;
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    base = `http://127.0.0.1:${address.port}`;
    // The first admin, as a bootstrap would make it.
    await accounts.createAccount(
      { accountId: "system", role: "wholesale-admin" },
      { username: "admin", role: "wholesale-admin", mobile: "+31611111111", email: "a@x.nl" },
    );
    await drain();
    const invite = sender.last("account-invitation")?.parameters.token ?? "";
    secrets.push(invite);
    const set = await post("/auth/password-reset/confirm", { token: invite, password: PASSWORD });
    expect(set.status).toBe(200);
  });

  afterAll(async () => {
    await app?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body?: unknown, token?: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function problem(response: Response, status: number) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    return (await response.json()) as Record<string, unknown>;
  }

  async function signIn(username: string, password: string, mobile: string): Promise<string> {
    const login = await post("/auth/login", { username, password });
    expect(login.status).toBe(200);
    const { challengeId } = (await login.json()) as { challengeId: string };
    await drain();
    const code = sender.last("login-code", mobile)?.parameters.code ?? "";
    secrets.push(code);
    const otp = await post("/auth/otp", { challengeId, code });
    expect(otp.status).toBe(200);
    const { token } = (await otp.json()) as { token: string; expiresAt: string };
    secrets.push(token);
    return token;
  }

  it("signs in, creates an account, and refuses others that", async () => {
    const token = await signIn("admin", PASSWORD, "+31611111111");
    const created = await post(
      "/accounts",
      { username: "hdesk", role: "helpdesk", mobile: "+31622222222", email: "hd@x.nl" },
      token,
    );
    const account = await created.json();
    expect(created.status, JSON.stringify(account)).toBe(201);
    expect(account).toMatchObject({ username: "hdesk", role: "helpdesk" });
    await drain();
    const invite = sender.last("account-invitation", "hd@x.nl")?.parameters.token ?? "";
    secrets.push(invite);
    await post("/auth/password-reset/confirm", { token: invite, password: "helpdesk passphrase" });
    secrets.push("helpdesk passphrase");
    const hd = await signIn("hdesk", "helpdesk passphrase", "+31622222222");
    const refused = await post(
      "/accounts",
      { username: "x1", role: "auditor", mobile: "+31633333333", email: "x1@x.nl" },
      hd,
    );
    expect((await problem(refused, 403)).type).toBe("urn:acs:problem:forbidden");
    await problem(await post("/accounts", { username: "x" }), 401);
    const invalid = await problem(
      await post(
        "/accounts",
        { username: "x2x", role: "auditor", mobile: "06", email: "e" },
        token,
      ),
      400,
    );
    expect((invalid.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      "/email",
      "/mobile",
    ]);
    expect((await post("/auth/logout", undefined, hd)).status).toBe(200);
    await problem(await post("/auth/logout", undefined, hd), 401);
  });

  it("answers wrong credentials with 401 without saying which, then 423 when locked", async () => {
    const unknown = await problem(
      await post("/auth/login", { username: "nobody", password: "x" }),
      401,
    );
    const wrong = await problem(
      await post("/auth/login", { username: "hdesk", password: "x" }),
      401,
    );
    expect(unknown.detail).toBe(wrong.detail);
    for (let i = 0; i < 4; i++) await post("/auth/login", { username: "hdesk", password: "x" });
    const locked = await problem(
      await post("/auth/login", { username: "hdesk", password: "helpdesk passphrase" }),
      423,
    );
    expect(locked.type).toBe("urn:acs:problem:account-locked");
    await problem(await post("/auth/otp", { challengeId: "nope", code: "123456" }), 401);
  });

  it("always answers a reset request with 202; the token works once", async () => {
    expect((await post("/auth/password-reset", { email: "nobody@x.nl" })).status).toBe(202);
    expect((await post("/auth/password-reset", { email: "a@x.nl" })).status).toBe(202);
    await drain();
    const token = sender.last("password-reset", "a@x.nl")?.parameters.token ?? "";
    secrets.push(token, "the new admin passphrase");
    const body = { token, password: "the new admin passphrase" };
    expect((await post("/auth/password-reset/confirm", body)).status).toBe(200);
    const again = await problem(await post("/auth/password-reset/confirm", body), 400);
    expect(again.type).toBe("urn:acs:problem:invalid-token");
  });

  it("issues API tokens that work until revoked", async () => {
    const session = await signIn("admin", "the new admin passphrase", "+31611111111");
    const created = await post("/api-tokens", { name: "ci" }, session);
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    secrets.push(token);
    const viaToken = await post("/api-tokens", { name: "second" }, token);
    expect(viaToken.status).toBe(201);
    const revoke = await fetch(`${base}/api-tokens/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${session}` },
    });
    expect(revoke.status).toBe(200);
    await problem(await post("/api-tokens", { name: "third" }, token), 401);
  });

  it("documents the routes and keeps every secret out of logs and audit", async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      "/auth/login",
      "/auth/otp",
      "/auth/logout",
      "/auth/password-reset",
      "/auth/password-reset/confirm",
      "/accounts",
      "/api-tokens",
      "/api-tokens/{id}",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const logs = logged.join("\n");
    const audit = JSON.stringify(store.db.prepare("SELECT * FROM iam_audit").all());
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of secrets.filter((s) => s !== "")) {
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});
