import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../../src/iam/actor.js";
import { actors } from "../../iam/workflow-support.js";
import {
  type Api,
  at,
  authorizationState,
  decide,
  deltasSince,
  employeeWithCard,
  expectProblem,
  expectStatus,
  facts,
  idem,
  lastSeq,
  newEmployee,
  notifications,
  physicalEntry,
  startApi,
  submitRequest,
} from "./support.js";

/**
 * Chapter 6: the contact person finds the employees, puts the company's physical access
 * authorizations in the basket for several of them at once, motivates each, and sends the
 * basket; a KPN manager approves within the lead time (FAQ 5: officially 5 days), and the
 * authorization reaches the doors.
 */
describe("chapter 6: requesting authorizations through the basket", () => {
  let api: Api;
  let area: number;
  let meetkamer: number;
  let elsewhere: number;
  beforeEach(async () => {
    api = await startApi();
    const { f } = api;
    area = await physicalEntry(api, "AMS01-APPARATUURZAAL", f.area, [f.companyA, f.companyB]);
    meetkamer = await physicalEntry(api, "AMS01-MEETKAMER", f.certArea, [f.companyA]);
    elsewhere = await physicalEntry(api, "AMS01-ALLEEN-B", f.area, [f.companyB]);
  });
  afterEach(() => api.close());

  const add = (as: Actor, employmentIds: number[], entryId: number) =>
    api.call("POST", "/basket/items", {
      as,
      body: { employmentIds, entryId, action: "grant" },
      headers: idem(),
    });
  const refusedPaths = (body: { errors: { path: string; message: string }[] }) =>
    body.errors.map((e) => `${e.path} ${e.message.split(":")[0]}`);

  it("baskets several employees at once, refuses what cannot be had, sends once, grants at the doors", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const piet = await employeeWithCard(api, f.partnerA, f.companyA, facts("Pietersen"));
    const nocard = await newEmployee(api, f.partnerA, f.companyA, facts("Zonderpas"));
    // Step 1: find the employees ("%": all of one's own company).
    const all = expectStatus(
      await call("GET", "/reports/employees?q=%25", { as: f.partnerA }),
      200,
    );
    expect(all.items.map((e: { employmentId: number }) => e.employmentId)).toEqual([
      jan.employmentId,
      piet.employmentId,
      nocard.employmentId,
    ]);

    // The refusals: all or nothing, each employment with its rule.
    const noCard = expectProblem(
      await add(f.partnerA, [jan.employmentId, nocard.employmentId], area),
      422,
    );
    expect(refusedPaths(noCard)).toEqual(["/employmentIds/1 NO_ACTIVE_CARD"]);
    expectProblem(await add(f.partnerA, [jan.employmentId], elsewhere), 409, "NOT_IN_PROFILE");
    const cert = expectProblem(
      await add(f.partnerA, [jan.employmentId, piet.employmentId], meetkamer),
      422,
    );
    expect(refusedPaths(cert)).toEqual([
      "/employmentIds/0 CERTIFICATE_MISSING",
      "/employmentIds/1 CERTIFICATE_MISSING",
    ]);
    expect(expectStatus(await call("GET", "/basket", { as: f.partnerA }), 200).items).toEqual([]);

    const added = expectStatus(
      await add(f.partnerA, [jan.employmentId, piet.employmentId], area),
      201,
    );
    expect(added.items.map((i: { status: string; ready: boolean }) => [i.status, i.ready])).toEqual(
      [
        ["draft", false],
        ["draft", false],
      ],
    );
    const pendingAgain = expectProblem(await add(f.partnerA, [piet.employmentId], area), 422);
    expect(refusedPaths(pendingAgain)).toEqual(["/employmentIds/0 ALREADY_REQUESTED"]);

    // Without a motivation nothing is sent ("in het rood").
    const early = expectStatus(
      await call("POST", "/basket/submission", { as: f.partnerA, headers: idem() }),
      200,
    );
    expect(early).toMatchObject({ submissionIds: [], items: [], notReady: 2 });
    const blank = await call("PUT", `/request-items/${added.items[0].id}/motivation`, {
      as: f.partnerA,
      body: { motivation: " " },
    });
    expectProblem(blank, 422);
    for (const item of added.items) {
      const motivated = expectStatus(
        await call("PUT", `/request-items/${item.id}/motivation`, {
          as: f.partnerA,
          body: { motivation: "Onderhoud apparatuur" },
        }),
        200,
      );
      expect(motivated.ready).toBe(true);
    }
    const key = idem();
    const sent = await call("POST", "/basket/submission", { as: f.partnerA, headers: key });
    const first = expectStatus(sent, 200);
    expect(first.items.map((i: { status: string }) => i.status)).toEqual(["pending", "pending"]);
    expect(first.submissionIds).toHaveLength(1);
    const retried = await call("POST", "/basket/submission", { as: f.partnerA, headers: key });
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(retried.body).toEqual(first);
    const pending = expectStatus(await call("GET", "/requests/pending", { as: f.partnerA }), 200);
    expect(pending.items).toHaveLength(2);

    // The manager decides: the contact person cannot.
    const [janItem, pietItem] = first.items as { id: number }[];
    expectProblem(await decide(api, janItem?.id ?? 0, f.partnerA), 403);
    const seq = lastSeq(f);
    const approved = expectStatus(await decide(api, janItem?.id ?? 0), 200);
    expect(approved).toMatchObject({ status: "approved", decidedBy: actors.manager.accountId });
    const granted = authorizationState(f, approved.authorizationId);
    expect(granted).toMatchObject({ status: "active", revokedAt: null });
    const sentToDoors = deltasSince(f, seq).flatMap((d) => d.upsert.authorizations ?? []);
    expect(sentToDoors).toContainEqual(
      expect.objectContaining({ id: granted.stateId, areaId: f.area }),
    );
    const rejected = await decide(api, pietItem?.id ?? 0, actors.manager, {
      decision: "reject",
      comment: "Niet nodig voor dit contract",
    });
    expect(expectStatus(rejected, 200).status).toBe("rejected");
    // The requester is told either way.
    const told = notifications(f, "request-decided").map((n) => [
      n.recipient,
      n.parameters.decision,
    ]);
    expect(told).toEqual([
      ["acc-partner-a@example.nl", "approved"],
      ["acc-partner-a@example.nl", "rejected"],
    ]);
    const held = expectProblem(await add(f.partnerA, [jan.employmentId], area), 422);
    expect(refusedPaths(held)).toEqual(["/employmentIds/0 ALREADY_HELD"]);
  });

  it("is due after 5 Dutch working days (Koningsdag not counted) and escalates to the deputy when overdue", async () => {
    const { f, call } = api;
    f.clock.set(at("2026-04-24T10:00:00+02:00")); // Friday; Monday 27 April is Koningsdag
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    expectStatus(
      await call("PUT", "/settings/escalation-deputy", {
        as: actors.admin,
        body: { accountId: actors.deputy.accountId },
      }),
      200,
    );
    const [item] = await submitRequest(api, f.partnerA, [jan.employmentId], area);
    const view = expectStatus(
      await call("GET", `/request-items/${item?.id}`, { as: f.partnerA }),
      200,
    );
    // Tue 28, Wed 29, Thu 30 April, Fri 1 and Mon 4 May, 10:00 local time.
    expect(view.dueAt).toBe("2026-05-04T08:00:00.000Z");
    expect(view.expiresAt).toBe("2026-05-24T08:00:00.000Z");

    f.clock.set(at("2026-05-04T09:59:00+02:00"));
    await api.server.workflow.timers.runDue();
    expect(
      expectStatus(await call("GET", "/requests/overdue", { as: actors.manager }), 200).items,
    ).toEqual([]);
    f.clock.set(at("2026-05-04T10:01:00+02:00"));
    await api.server.workflow.timers.runDue();
    const escalated = expectStatus(
      await call("GET", `/request-items/${item?.id}`, { as: actors.manager }),
      200,
    );
    expect(escalated).toMatchObject({
      status: "pending",
      escalatedTo: actors.deputy.accountId,
      escalatedAt: new Date(f.clock.now()).toISOString(),
    });
    expect(notifications(f, "request-escalated")).toEqual([
      expect.objectContaining({
        recipient: "acc-deputy@example.nl",
        parameters: expect.objectContaining({ itemId: String(item?.id) }),
      }),
    ]);
    const overdue = expectStatus(
      await call("GET", "/requests/overdue", { as: actors.manager }),
      200,
    );
    expect(overdue.items.map((i: { id: number }) => i.id)).toEqual([item?.id]);
  });

  it("lets a named deputy decide for an absent manager, recording both, never the submitter", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    // A manager fills the basket on the company's behalf: that manager cannot decide it.
    const [item] = await submitRequest(api, actors.manager, [jan.employmentId], area);
    const itemId = item?.id ?? 0;
    expectProblem(await decide(api, itemId, actors.manager), 403, "OWN_REQUEST");
    // The helpdesk is no manager: only a delegation lets it decide.
    expectProblem(await decide(api, itemId, actors.helpdesk), 403);
    const delegation = expectStatus(
      await call("POST", "/delegations", {
        as: actors.manager2,
        body: {
          deputyAccountId: actors.helpdesk.accountId,
          from: "2026-03-02T08:00:00+01:00",
          until: "2026-03-09T18:00:00+01:00",
        },
        headers: idem(),
      }),
      201,
    );
    expect(delegation).toMatchObject({
      managerAccountId: actors.manager2.accountId,
      withdrawnAt: null,
    });
    const decided = expectStatus(await decide(api, itemId, actors.helpdesk), 200);
    expect(decided).toMatchObject({
      status: "approved",
      decidedBy: actors.helpdesk.accountId,
      decidedFor: actors.manager2.accountId,
    });
    // A partner or institute is never a deputy.
    const institute = await call("POST", "/delegations", {
      as: actors.manager2,
      body: {
        deputyAccountId: actors.institute.accountId,
        from: "2026-03-02T08:00:00+01:00",
        until: "2026-03-09T18:00:00+01:00",
      },
      headers: idem(),
    });
    expectProblem(institute, 409, "DEPUTY_NOT_ALLOWED");
  });

  it("expires a request nobody decided, telling the requester", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const [item] = await submitRequest(api, f.partnerA, [jan.employmentId], area);
    f.clock.advance(30 * 86_400_000 + 60_000);
    await api.server.workflow.timers.runDue();
    const expired = expectStatus(
      await call("GET", `/request-items/${item?.id}`, { as: f.partnerA }),
      200,
    );
    expect(expired.status).toBe("expired");
    expect(notifications(f, "request-expired")).toEqual([
      expect.objectContaining({
        recipient: "acc-partner-a@example.nl",
        parameters: { itemId: String(item?.id) },
      }),
    ]);
    expectProblem(await decide(api, item?.id ?? 0), 409, "NOT_PENDING");
    // It can be asked again.
    expect(
      (await submitRequest(api, f.partnerA, [jan.employmentId], area)).map((i) => i.status),
    ).toEqual(["pending"]);
  });
});
