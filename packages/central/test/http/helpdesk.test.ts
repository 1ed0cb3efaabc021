import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerHelpdeskRoutes } from "../../src/http/helpdesk-routes.js";
import type { ApiServer } from "../../src/http/server.js";
import type { Actor } from "../../src/iam/actor.js";
import { DoorService } from "../../src/iam/helpdesk/doors.js";
import { HelpdeskService, type RemoteOpener } from "../../src/iam/helpdesk/service.js";
import type { EventStore } from "../../src/service/event-store.js";
import { decision, eventStore, seedEngineer } from "../iam/helpdesk-support.js";
import {
  type ApiCaller,
  actors,
  type WorkflowFixture,
  workflowFixture,
  workflowServer,
} from "../iam/workflow-support.js";

describe("helpdesk routes over a real port", () => {
  let f: WorkflowFixture;
  let events: EventStore;
  let app: ApiServer;
  let call: ApiCaller;
  const opened: string[] = [];

  beforeEach(async () => {
    f = await workflowFixture();
    events = eventStore();
    const opener: RemoteOpener = {
      async open(_site, doorId, reason) {
        opened.push(`${doorId}: ${reason}`);
        return { outcome: "ok", reason: null };
      },
    };
    ({ app, call } = await workflowServer(f, (server, context) =>
      registerHelpdeskRoutes(server, {
        context,
        doors: new DoorService(f.ctx),
        helpdesk: new HelpdeskService(f.ctx, { events, opener }),
      }),
    ));
  });
  afterEach(async () => {
    await app.close();
    events.close();
    f.close();
  });

  it("registers, updates and lists doors (admin writes, others 403)", async () => {
    const put = (
      as: Actor = actors.admin,
      body: object = { areaId: f.area, name: "Hoofdingang" },
    ) => call("PUT", `/sites/${f.site}/doors/d1`, { as, body });
    expect((await put()).status).toBe(201);
    const updated = await put(actors.admin, { areaId: f.certArea, name: "Meetkamer" });
    expect(updated).toMatchObject({ status: 200, body: { doorId: "d1", areaId: f.certArea } });
    expect((await put(actors.helpdesk)).status).toBe(403);
    expect((await put(actors.admin, { areaId: f.area, name: "x", extra: 1 })).status).toBe(400);
    expect(
      (
        await call("PUT", "/sites/nowhere/doors/d1", {
          as: actors.admin,
          body: { areaId: f.area, name: "x" },
        })
      ).status,
    ).toBe(404);
    const list = await call("GET", `/sites/${f.site}/doors`, { as: actors.helpdesk });
    expect(list.body).toEqual({
      items: [{ siteId: f.site, doorId: "d1", areaId: f.certArea, name: "Meetkamer" }],
      nextCursor: null,
    });
    expect((await call("GET", `/sites/${f.site}/doors`)).status).toBe(401);
  });

  it("explains a refusal with the last events, and lists enrollments", async () => {
    await call("PUT", `/sites/${f.site}/doors/d1`, {
      as: actors.admin,
      body: { areaId: f.area, name: "Ingang" },
    });
    const e = await seedEngineer(f);
    events.store(
      f.site,
      [
        decision(f, {
          doorId: "d1",
          cardId: e.stateCardId,
          personId: e.statePersonId,
          outcome: "deny",
        }),
      ],
      f.clock.now(),
    );
    const response = await call("POST", "/helpdesk/explain", {
      as: actors.helpdesk,
      body: { siteId: f.site, doorId: "d1", cardNumber: String(e.number) },
    });
    expect(response.status).toBe(200);
    expect(response.body.failed).toMatchObject({ check: "fingerprint", ok: false });
    expect(response.body.checks.map((c: { check: string }) => c.check)).toEqual([
      "authorization",
      "card",
      "employment",
      "fingerprint",
      "certificates",
    ]);
    expect(response.body.lastEvents).toEqual([
      {
        seq: expect.any(Number),
        at: new Date(f.clock.now()).toISOString(),
        outcome: "deny",
        reason: "NO_AUTHORIZATION",
      },
    ]);
    const invalid = await call("POST", "/helpdesk/explain", {
      as: actors.helpdesk,
      body: { siteId: f.site, doorId: "d1" },
    });
    expect(invalid.status).toBe(422);
    expect(
      (
        await call("POST", "/helpdesk/explain", {
          as: f.partnerA,
          body: { siteId: f.site, doorId: "d1", personId: e.personId },
        })
      ).status,
    ).toBe(403);

    const enrollments = await call("GET", `/persons/${e.personId}/enrollments`, { as: f.partnerA });
    expect(enrollments.body.items).toEqual([
      expect.objectContaining({
        siteId: f.site,
        fingerprintRequired: true,
        enrolledCardId: null,
        needsNewFingerprint: false,
      }),
    ]);
    expect(
      (await call("GET", `/persons/${e.personId}/enrollments`, { as: f.partnerB })).status,
    ).toBe(404);
  });

  it("opens a door remotely once per Idempotency-Key, with a reason", async () => {
    await call("PUT", `/sites/${f.site}/doors/d1`, {
      as: actors.admin,
      body: { areaId: f.area, name: "Ingang" },
    });
    const open = (
      headers: Record<string, string>,
      body: object = { reason: "Lezer defect, monteur wacht" },
    ) =>
      call("POST", `/sites/${f.site}/doors/d1/remote-open`, { as: actors.helpdesk, body, headers });
    const first = await open({ "idempotency-key": "k1" });
    expect(first).toMatchObject({
      status: 201,
      body: {
        outcome: "ok",
        reason: "Lezer defect, monteur wacht",
        requestedBy: actors.helpdesk.accountId,
      },
    });
    const replay = await open({ "idempotency-key": "k1" });
    expect(replay.body).toEqual(first.body);
    expect(opened).toEqual(["d1: Lezer defect, monteur wacht"]);
    expect((await open({})).status).toBe(400);
    const short = await open({ "idempotency-key": "k2" }, { reason: "x" });
    expect(short.status).toBe(422);
    expect(short.body.errors[0].path).toBe("/reason");
    const admin = await call("POST", `/sites/${f.site}/doors/d1/remote-open`, {
      as: actors.admin,
      body: { reason: "Lezer defect" },
      headers: { "idempotency-key": "k3" },
    });
    expect(admin.status).toBe(403);
  });
});

describe("remote open without a link to the sites", () => {
  it("answers 409 REMOTE_OPEN_UNAVAILABLE", async () => {
    const f = await workflowFixture();
    const { app, call } = await workflowServer(f, (server, context) =>
      registerHelpdeskRoutes(server, {
        context,
        doors: new DoorService(f.ctx),
        helpdesk: new HelpdeskService(f.ctx),
      }),
    );
    try {
      await call("PUT", `/sites/${f.site}/doors/d1`, {
        as: actors.admin,
        body: { areaId: f.area, name: "Ingang" },
      });
      const response = await call("POST", `/sites/${f.site}/doors/d1/remote-open`, {
        as: actors.helpdesk,
        body: { reason: "Lezer defect" },
        headers: { "idempotency-key": "k1" },
      });
      expect(response).toMatchObject({ status: 409, body: { rule: "REMOTE_OPEN_UNAVAILABLE" } });
    } finally {
      await app.close();
      f.close();
    }
  });
});
