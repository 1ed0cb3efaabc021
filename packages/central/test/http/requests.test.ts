import { afterEach, describe, expect, it } from "vitest";
import { registerDelegationRoutes } from "../../src/http/delegation-routes.js";
import { registerKeyRoutes } from "../../src/http/key-routes.js";
import { registerRequestRoutes } from "../../src/http/request-routes.js";
import type { ApiServer } from "../../src/http/server.js";
import { KeyService } from "../../src/iam/requests/keys.js";
import { RequestService } from "../../src/iam/requests/service.js";
import {
  type ApiCaller,
  actors,
  DAY_MS,
  seedActiveCard,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
  workflowServer,
} from "../iam/workflow-support.js";

let f: WorkflowFixture;
let app: ApiServer | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  f?.close();
});

async function serve(): Promise<ApiCaller> {
  const server = await workflowServer(f, (a, context) => {
    const requests = new RequestService(f.ctx);
    registerRequestRoutes(a, { context, requests });
    registerDelegationRoutes(a, { context, requests });
    registerKeyRoutes(a, { context, keys: new KeyService(f.ctx) });
  });
  app = server.app;
  return server.call;
}

describe("request routes", () => {
  it("runs the main flow: basket, motivation, one submission, approval with If-Match", async () => {
    f = await workflowFixture();
    const call = await serve();
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const ok = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, ok);
    const cardless = await seedEmployment(f, f.companyA);

    const refused = await call("POST", "/basket/items", {
      as: f.partnerA,
      headers: { "idempotency-key": "add-1" },
      body: {
        employmentIds: [ok.employmentId, cardless.employmentId],
        entryId: entry,
        action: "grant",
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      { path: "/employmentIds/1", in: "body", message: expect.stringMatching(/^NO_ACTIVE_CARD: /) },
    ]);
    const added = await call("POST", "/basket/items", {
      as: f.partnerA,
      headers: { "idempotency-key": "add-2" },
      body: { employmentIds: [ok.employmentId], entryId: entry, action: "grant" },
    });
    expect(added.status).toBe(201);
    const itemId = added.body.items[0].id as number;
    expect((await call("GET", "/basket", { as: f.partnerA })).body.items).toHaveLength(1);

    const early = await call("POST", "/basket/submission", {
      as: f.partnerA,
      headers: { "idempotency-key": "s-0" },
    });
    expect(early.body).toMatchObject({ items: [], notReady: 1 });
    const motivated = await call("PUT", `/request-items/${itemId}/motivation`, {
      as: f.partnerA,
      body: { motivation: "Storing apparatuurzaal" },
    });
    expect(motivated.body.ready).toBe(true);
    expect((await call("POST", "/basket/submission", { as: f.partnerA })).status).toBe(400);
    const first = await call("POST", "/basket/submission", {
      as: f.partnerA,
      headers: { "idempotency-key": "s-1" },
    });
    expect(first.status).toBe(200);
    expect(first.body.items).toMatchObject([{ id: itemId, status: "pending" }]);
    const retry = await call("POST", "/basket/submission", {
      as: f.partnerA,
      headers: { "idempotency-key": "s-1" },
    });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(first.body);
    const submissions = await f.ctx.db.selectFrom("iam_submission").select("id").execute();
    expect(submissions).toHaveLength(1);

    expect((await call("GET", `/request-items/${itemId}`, { as: f.partnerB })).status).toBe(404);
    expect((await call("GET", "/requests/pending", { as: f.partnerB })).body.items).toEqual([]);
    const pending = await call("GET", "/requests/pending", { as: actors.manager });
    expect(pending.body.items.map((i: { id: number }) => i.id)).toEqual([itemId]);

    const read = await call("GET", `/request-items/${itemId}`, { as: actors.manager });
    const tag = read.headers.get("etag") ?? "";
    const noMatch = await call("POST", `/request-items/${itemId}/decision`, {
      as: actors.manager,
      body: { decision: "approve" },
    });
    expect(noMatch.status).toBe(428);
    const foreign = await call("POST", `/request-items/${itemId}/decision`, {
      as: f.partnerB,
      headers: { "if-match": tag },
      body: { decision: "approve" },
    });
    expect(foreign.status).toBe(404);
    const reject = await call("POST", `/request-items/${itemId}/decision`, {
      as: actors.manager,
      headers: { "if-match": tag },
      body: { decision: "reject" },
    });
    expect(reject.status).toBe(422);
    const approved = await call("POST", `/request-items/${itemId}/decision`, {
      as: actors.manager,
      headers: { "if-match": tag },
      body: { decision: "approve" },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: "approved",
      decidedBy: actors.manager.accountId,
    });
    const stale = await call("POST", `/request-items/${itemId}/decision`, {
      as: actors.manager2,
      headers: { "if-match": tag },
      body: { decision: "approve" },
    });
    expect(stale.status).toBe(412);
    const deltas = f.commands.store.db
      .prepare("SELECT count(*) AS n FROM delta_outbox WHERE site = 'ams01'")
      .get() as { n: number };
    expect(deltas.n).toBeGreaterThan(0);
  });

  it("delegates, names the escalation deputy and refuses the submitter's own decision", async () => {
    f = await workflowFixture();
    const call = await serve();
    const now = f.clock.now();
    const delegated = await call("POST", "/delegations", {
      as: actors.manager,
      headers: { "idempotency-key": "d-1" },
      body: {
        deputyAccountId: actors.helpdesk.accountId,
        from: new Date(now).toISOString(),
        until: new Date(now + DAY_MS).toISOString(),
      },
    });
    expect(delegated.status).toBe(201);
    const listed = await call("GET", "/delegations", { as: actors.helpdesk });
    expect(listed.body.items.map((d: { id: number }) => d.id)).toEqual([delegated.body.id]);
    const setting = await call("PUT", "/settings/escalation-deputy", {
      as: actors.admin,
      body: { accountId: actors.deputy.accountId },
    });
    expect(setting.body).toEqual({ accountId: actors.deputy.accountId });
    expect(
      (
        await call("PUT", "/settings/escalation-deputy", {
          as: actors.manager,
          body: { accountId: "x" },
        })
      ).status,
    ).toBe(403);

    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const e = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, e);
    const added = await call("POST", "/basket/items", {
      as: actors.manager,
      headers: { "idempotency-key": "m-1" },
      body: { employmentIds: [e.employmentId], entryId: entry, action: "grant" },
    });
    const itemId = added.body.items[0].id as number;
    await call("PUT", `/request-items/${itemId}/motivation`, {
      as: actors.manager,
      body: { motivation: "Spoed" },
    });
    await call("POST", "/basket/submission", {
      as: actors.manager,
      headers: { "idempotency-key": "m-2" },
    });
    const tag =
      (await call("GET", `/request-items/${itemId}`, { as: actors.manager })).headers.get("etag") ??
      "";
    const own = await call("POST", `/request-items/${itemId}/decision`, {
      as: actors.manager,
      headers: { "if-match": tag },
      body: { decision: "approve" },
    });
    expect(own.status).toBe(403);
    expect(own.body.rule).toBe("OWN_REQUEST");
    const withdrawn = await call("DELETE", `/delegations/${delegated.body.id}`, {
      as: actors.manager,
    });
    expect(withdrawn.body.withdrawnAt).not.toBeNull();
    expect((await call("GET", "/requests/overdue", { as: actors.manager })).body.items).toEqual([]);
    expect((await call("GET", "/keys/to-return", { as: f.partnerA })).body.items).toEqual([]);
  });
});
