import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerAuditRoutes } from "../../src/http/audit-routes.js";
import { registerReportRoutes } from "../../src/http/report-routes.js";
import type { ApiServer } from "../../src/http/server.js";
import { appendAudit } from "../../src/iam/audit.js";
import { AuditQueryService } from "../../src/iam/reports/audit-query.js";
import { ReportService } from "../../src/iam/reports/service.js";
import type { EventStore } from "../../src/service/event-store.js";
import { decision, eventStore, seedDoor } from "../iam/helpdesk-support.js";
import {
  type ApiCaller,
  actors,
  seedActiveCard,
  seedEmployment,
  type WorkflowFixture,
  workflowFixture,
  workflowServer,
} from "../iam/workflow-support.js";

describe("report and audit routes over a real port", () => {
  let f: WorkflowFixture;
  let events: EventStore;
  let app: ApiServer;
  let call: ApiCaller;

  beforeEach(async () => {
    f = await workflowFixture();
    events = eventStore();
    ({ app, call } = await workflowServer(f, (server, context) => {
      registerReportRoutes(server, { context, reports: new ReportService(f.ctx, { events }) });
      registerAuditRoutes(server, { context, audit: new AuditQueryService(f.ctx.db) });
    }));
  });
  afterEach(async () => {
    await app.close();
    events.close();
    f.close();
  });

  it("searches employees, paged, a partner within its own company", async () => {
    const a1 = await seedEmployment(f, f.companyA, { surname: "Smit" });
    const a2 = await seedEmployment(f, f.companyA, { surname: "Smits" });
    const b1 = await seedEmployment(f, f.companyB, { surname: "Smit" });
    const card = await seedActiveCard(f, a1);
    const first = await call("GET", "/reports/employees?q=SMI&limit=2", { as: actors.helpdesk });
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { employmentId: number }) => r.employmentId)).toEqual([
      a1.employmentId,
      b1.employmentId,
    ]);
    expect(first.body.items[0]).toMatchObject({ surname: "Smit", cardNumber: String(card.number) });
    expect(first.body.items[0].surnameKey).toBeUndefined();
    const next = await call(
      "GET",
      `/reports/employees?q=SMI&limit=2&cursor=${first.body.nextCursor}`,
      {
        as: actors.helpdesk,
      },
    );
    expect(next.body).toMatchObject({
      items: [{ employmentId: a2.employmentId }],
      nextCursor: null,
    });
    const asB = await call("GET", "/reports/employees?q=%25", { as: f.partnerB });
    expect(asB.body.items.map((r: { employmentId: number }) => r.employmentId)).toEqual([
      b1.employmentId,
    ]);
    const foreign = await call("GET", `/reports/employees?q=%25&companyId=${f.companyA}`, {
      as: f.partnerB,
    });
    expect(foreign.status).toBe(404);
    expect(
      (await call("GET", `/reports/employees?q=${card.number}`, { as: f.partnerB })).body.items,
    ).toEqual([]);
    expect(
      (await call("GET", "/reports/employees?q=smit&cursor=bad!", { as: actors.admin })).status,
    ).toBe(400);
    expect((await call("GET", "/reports/employees?q=smit", {})).status).toBe(401);
  });

  it("lists returns, pending approvals and visits", async () => {
    const a = await seedEmployment(f, f.companyA);
    const card = await seedActiveCard(f, a);
    await f.ctx.db
      .updateTable("iam_card")
      .set({ status: "inactive", to_return: 1 })
      .where("id", "=", card.cardId)
      .execute();
    const returns = await call("GET", "/reports/returns", { as: f.partnerA });
    expect(returns.body).toMatchObject({
      items: [{ kind: "card", item: String(card.number) }],
      nextCursor: null,
    });
    expect((await call("GET", "/reports/returns", { as: f.partnerB })).body.items).toEqual([]);
    expect((await call("GET", "/reports/pending-approvals", { as: actors.manager })).body).toEqual({
      items: [],
      nextCursor: null,
    });

    await seedDoor(f);
    events.store(
      f.site,
      [
        decision(f, {
          doorId: "d1",
          cardId: card.stateCardId,
          personId: a.statePersonId,
          outcome: "grant",
        }),
      ],
      f.clock.now(),
    );
    const visits = await call(
      "GET",
      `/reports/visits?personId=${a.personId}&siteId=${f.site}&from=2026-03-01&until=2026-03-03`,
      { as: actors.auditor },
    );
    expect(visits.body).toEqual({
      items: [
        {
          date: "2026-03-02",
          doorId: "d1",
          doorName: "Door d1",
          visits: 1,
          firstAt: new Date(f.clock.now()).toISOString(),
          lastAt: new Date(f.clock.now()).toISOString(),
        },
      ],
    });
    const bad = await call(
      "GET",
      `/reports/visits?personId=${a.personId}&siteId=${f.site}&from=x&until=y`,
      {
        as: actors.auditor,
      },
    );
    expect(bad.status).toBe(422);
  });

  it("queries the audit for auditors and admins only, paged", async () => {
    for (let i = 1; i <= 3; i++) {
      await appendAudit(f.ctx.db, {
        actor: actors.helpdesk,
        at: f.clock.now() + i,
        action: "remote-open.requested",
        entity: "remote-open",
        entityId: i,
        before: null,
        after: { reason: `r${i}` },
      });
    }
    const from = new Date(f.clock.now() + 2).toISOString();
    const page = await call(
      "GET",
      `/audit?entity=remote-open&actor=acc-helpdesk&from=${from}&limit=1`,
      {
        as: actors.auditor,
      },
    );
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([
      expect.objectContaining({
        entityId: "2",
        at: new Date(f.clock.now() + 2).toISOString(),
        after: { reason: "r2" },
      }),
    ]);
    const rest = await call(
      "GET",
      `/audit?entity=remote-open&from=${from}&cursor=${page.body.nextCursor}`,
      {
        as: actors.admin,
      },
    );
    expect(rest.body).toMatchObject({ items: [{ entityId: "3" }], nextCursor: null });
    for (const as of [actors.manager, actors.helpdesk, f.partnerA]) {
      const refused = await call("GET", "/audit", { as });
      expect(refused).toMatchObject({ status: 403, body: { rule: "ROLE" } });
    }
    expect((await call("GET", "/audit?from=yesterday", { as: actors.auditor })).status).toBe(400);
  });
});
