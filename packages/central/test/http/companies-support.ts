import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, expect } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { registerCompanyRoutes } from "../../src/http/company-routes.js";
import { type ApiServer, buildServer } from "../../src/http/server.js";
import type { Actor } from "../../src/iam/index.js";
import { CompanyService, openIamDb } from "../../src/iam/index.js";
import { type CentralStore, openCentralStore } from "../../src/index.js";
import { registration } from "../iam/support.js";

export const NOW = Date.parse("2026-03-02T09:00:00Z");

/** "Bearer manager-1" → manager; "Bearer admin-1" → wholesale-admin; "Bearer partner-7" → partner of company 7. */
async function resolveActor(authorization: string | undefined): Promise<Actor | undefined> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  if (token === undefined) return undefined;
  const partner = /^partner-(\d+)$/.exec(token);
  if (partner) return { accountId: token, role: "partner-contact", companyId: Number(partner[1]) };
  if (token.startsWith("manager-")) return { accountId: token, role: "manager" };
  if (token.startsWith("admin-")) return { accountId: token, role: "wholesale-admin" };
  return undefined;
}

export type Json = Record<string, unknown>;

/**
 * The company routes on a real port over a real SQLite file, for the tests of one describe
 * block: registers its beforeAll/afterAll and returns the calls the tests make.
 */
export function companyRoutesServer() {
  let dir: string;
  let store: CentralStore;
  let app: ApiServer;
  let base: string;
  let keys = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-http-companies-"));
    store = openCentralStore(join(dir, "central.db"), { clock: { now: () => NOW } });
    const clock = fixedClock(NOW);
    const companies = new CompanyService({ db: openIamDb(store.db), clock });
    const built = await buildServer({
      store,
      log: pino({ level: "silent" }),
      now: clock.now,
      resolveActor,
    });
    app = built.app;
    registerCompanyRoutes(app, { context: built.context, companies });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (who: string | undefined): Record<string, string> =>
    who === undefined ? {} : { authorization: `Bearer ${who}` };
  const get = (path: string, who?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers: { ...auth(who), ...headers } });
  const post = (path: string, body: unknown, who?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth(who), ...headers },
      body: JSON.stringify(body),
    });
  const newKey = () => ({ "idempotency-key": `key-${++keys}` });

  async function problem(response: Response, status: number): Promise<Json> {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as Json;
    expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    return body;
  }

  /** Registers (as manager-1), returns the created company. */
  async function register(kvkNumber: string, who = "manager-1"): Promise<Json & { id: number }> {
    const response = await post("/companies", registration({ kvkNumber }), who, newKey());
    expect(response.status).toBe(201);
    return (await response.json()) as Json & { id: number };
  }

  async function etagOf(path: string, who = "manager-2"): Promise<string> {
    const response = await get(path, who);
    expect(response.status).toBe(200);
    const tag = response.headers.get("etag");
    expect(tag).toMatch(/^"[^"]+"$/);
    return tag as string;
  }

  async function approve(path: string, who = "manager-2"): Promise<Json> {
    const tag = await etagOf(path, who);
    const response = await post(`${path}/approval`, { decision: "approve" }, who, {
      "if-match": tag,
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  }

  return { get, post, newKey, problem, register, etagOf, approve };
}
