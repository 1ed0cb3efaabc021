import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventStore } from "../../../src/service/event-store.js";
import { decision } from "../../iam/helpdesk-support.js";
import { actors } from "../../iam/workflow-support.js";
import { tempDbPath } from "../../support/fixture.js";
import {
  type Api,
  at,
  authorizationState,
  deltasSince,
  employeeWithCard,
  expectProblem,
  expectStatus,
  facts,
  grantThroughBasket,
  lastSeq,
  notifications,
  physicalEntry,
  restartApi,
  startApi,
  stateCardStatus,
  submitRequest,
} from "./support.js";

/**
 * Chapter 13: the reports (tab "Rapportage": employees by name, number or "%", pending
 * approvals, what is to be returned, visits), and the end of an employment: "uit dienst
 * melden" at once, or a date that takes effect when it comes, even if central was stopped.
 */
describe("chapter 13: reports and the end of an employment", () => {
  let api: Api;
  let events: EventStore;
  let entry: number;
  beforeEach(async () => {
    events = new EventStore(tempDbPath());
    api = await startApi({ events });
    entry = await physicalEntry(api, "AMS01-APPARATUURZAAL", api.f.area, [api.f.companyA]);
  });
  afterEach(async () => {
    await api.close();
    events.close();
  });

  const search = (q: string, as = api.f.partnerA) =>
    api.call("GET", `/reports/employees?q=${encodeURIComponent(q)}`, { as });
  const ids = (body: { items: { employmentId: number }[] }) =>
    body.items.map((i) => i.employmentId);

  it("finds employees by name, employment number, card number or %, within one's own company", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const jansma = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansma"));
    const other = await employeeWithCard(api, f.partnerB, f.companyB, facts("Janssen"));
    expect(ids(expectStatus(await search("JANS"), 200))).toEqual([
      jan.employmentId,
      jansma.employmentId,
    ]);
    const number = jan.created.employment.employmentNumber as string;
    expect(expectStatus(await search(number), 200).items).toEqual([
      expect.objectContaining({ employmentId: jan.employmentId, cardNumber: jan.card.cardNumber }),
    ]);
    expect(ids(expectStatus(await search(jansma.card.cardNumber), 200))).toEqual([
      jansma.employmentId,
    ]);
    expect(ids(expectStatus(await search("%"), 200))).toEqual([
      jan.employmentId,
      jansma.employmentId,
    ]);
    expect(ids(expectStatus(await search("%", actors.manager), 200))).toContain(other.employmentId);
    expect(
      (await call("GET", `/reports/employees?q=%25&companyId=${f.companyB}`, { as: f.partnerA }))
        .status,
    ).toBe(404);
    expectProblem(await search(" "), 422);
  });

  it("lists pending approvals with their due date, overdue once the lead time passed", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const [item] = await submitRequest(api, f.partnerA, [jan.employmentId], entry);
    const list = () => call("GET", "/reports/pending-approvals", { as: f.partnerA });
    expect(expectStatus(await list(), 200).items).toEqual([
      expect.objectContaining({
        itemId: item?.id,
        entryCode: "AMS01-APPARATUURZAAL",
        personName: "K. Jansen",
        dueAt: "2026-03-09T08:00:00.000Z",
        overdue: false,
      }),
    ]);
    f.clock.set(at("2026-03-09T09:30:00+01:00"));
    expect(expectStatus(await list(), 200).items[0].overdue).toBe(true);
    expect(
      expectStatus(await call("GET", "/reports/pending-approvals", { as: f.partnerB }), 200).items,
    ).toEqual([]);
  });

  it("reports an engineer's visits per day and door from the doors' events", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    expectStatus(
      await call("PUT", "/sites/ams01/doors/d1", {
        as: actors.admin,
        body: { areaId: f.area, name: "Hoofdingang" },
      }),
      201,
    );
    const statePerson = (
      f.commands.store.db
        .prepare("SELECT state_person_id AS id FROM iam_person WHERE id = ?")
        .get(jan.personId) as { id: number }
    ).id;
    const visit = (iso: string, outcome: "grant" | "deny" = "grant") =>
      decision(f, {
        doorId: "d1",
        cardId: jan.stateCardId,
        personId: statePerson,
        outcome,
        at: at(iso),
      });
    events.store(
      "ams01",
      [
        visit("2026-03-03T08:00:00+01:00"),
        visit("2026-03-03T13:00:00+01:00"),
        visit("2026-03-03T14:00:00+01:00", "deny"),
        visit("2026-03-04T23:30:00+01:00"),
      ],
      f.clock.now(),
    );
    const query = `personId=${jan.personId}&siteId=ams01&from=2026-03-01&until=2026-03-08`;
    const visits = expectStatus(
      await call("GET", `/reports/visits?${query}`, { as: f.partnerA }),
      200,
    );
    expect(visits.items).toEqual([
      {
        date: "2026-03-03",
        doorId: "d1",
        doorName: "Hoofdingang",
        visits: 2,
        firstAt: "2026-03-03T07:00:00.000Z",
        lastAt: "2026-03-03T12:00:00.000Z",
      },
      {
        date: "2026-03-04",
        doorId: "d1",
        doorName: "Hoofdingang",
        visits: 1,
        firstAt: "2026-03-04T22:30:00.000Z",
        lastAt: "2026-03-04T22:30:00.000Z",
      },
    ]);
    expect((await call("GET", `/reports/visits?${query}`, { as: f.partnerB })).status).toBe(404);
  });

  it("ends an employment at once: no access from now on, at central and at the doors", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const [granted] = await grantThroughBasket(api, f.partnerA, [jan.employmentId], entry);
    const seq = lastSeq(f);
    const path = `/employments/${jan.employmentId}/end`;
    const ended = expectStatus(
      await call("POST", path, { as: f.partnerA, body: { reason: "uit dienst" } }),
      200,
    );
    expect(ended).toMatchObject({
      ended: true,
      employment: { status: "ended", endDate: "2026-03-02" },
      endedAuthorizationIds: [granted.authorizationId],
      cardsToReturn: [{ cardId: jan.cardId, cardNumber: jan.card.cardNumber }],
    });
    const authorization = authorizationState(f, granted.authorizationId);
    expect(authorization).toMatchObject({ status: "ended", revokedAt: f.clock.now() });
    expect(stateCardStatus(f, jan.stateCardId)).toBe("inactive");
    const deltas = deltasSince(f, seq);
    expect(deltas.flatMap((d) => d.delete.authorizations ?? [])).toContain(authorization.stateId);
    expect(notifications(f, "employment-ended").map((n) => n.recipient)).toEqual([
      "acc-partner-a@example.nl",
    ]);
    const returns = expectStatus(await call("GET", "/reports/returns", { as: f.partnerA }), 200);
    expect(returns.items).toEqual([
      expect.objectContaining({ kind: "card", id: jan.cardId, item: jan.card.cardNumber }),
    ]);
    expectProblem(await call("POST", path, { as: f.partnerA, body: {} }), 409, "ALREADY_ENDED");
  });

  it("ends an employment at a date: the doors know it now, the rest happens when it comes", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const [granted] = await grantThroughBasket(api, f.partnerA, [jan.employmentId], entry);
    let seq = lastSeq(f);
    const scheduled = expectStatus(
      await call("POST", `/employments/${jan.employmentId}/end`, {
        as: f.partnerA,
        body: { date: "2026-03-10" },
      }),
      200,
    );
    const endsAt = at("2026-03-10T00:00:00+01:00");
    expect(scheduled).toMatchObject({
      ended: false,
      endsAt: new Date(endsAt).toISOString(),
      endedAuthorizationIds: [],
    });
    expect(deltasSince(f, seq).flatMap((d) => d.upsert.employments ?? [])).toContainEqual(
      expect.objectContaining({ end: endsAt }),
    );
    f.clock.set(at("2026-03-09T23:59:00+01:00"));
    await api.server.workflow.timers.runDue();
    expect(authorizationState(f, granted.authorizationId).status).toBe("active");
    seq = lastSeq(f);
    f.clock.set(at("2026-03-10T00:01:00+01:00"));
    await api.server.workflow.timers.runDue();
    const employment = expectStatus(
      await call("GET", `/employments/${jan.employmentId}`, { as: f.partnerA }),
      200,
    );
    expect(employment).toMatchObject({ status: "ended", endDate: "2026-03-10" });
    const authorization = authorizationState(f, granted.authorizationId);
    expect(authorization).toMatchObject({ status: "ended", revokedAt: expect.any(Number) });
    expect(deltasSince(f, seq).flatMap((d) => d.delete.authorizations ?? [])).toContain(
      authorization.stateId,
    );
  });

  it("takes a dated end that fell due while central was stopped at start-up", async () => {
    const jan = await employeeWithCard(api, api.f.partnerA, api.f.companyA, facts("Jansen"));
    const [granted] = await grantThroughBasket(api, api.f.partnerA, [jan.employmentId], entry);
    const body = { date: "2026-03-12" };
    expectStatus(
      await api.call("POST", `/employments/${jan.employmentId}/end`, { as: api.f.partnerA, body }),
      200,
    );
    const seq = lastSeq(api.f);
    const clock = api.f.clock;
    api = await restartApi(api, () => clock.set(at("2026-03-13T08:00:00+01:00")));
    expect(await api.server.workflow.start()).toBeGreaterThan(0);
    const { f, call } = api;
    const employment = expectStatus(
      await call("GET", `/employments/${jan.employmentId}`, { as: f.partnerA }),
      200,
    );
    expect(employment).toMatchObject({ status: "ended", endDate: "2026-03-12" });
    const authorization = authorizationState(f, granted.authorizationId);
    expect(authorization.status).toBe("ended");
    expect(deltasSince(f, seq).flatMap((d) => d.delete.authorizations ?? [])).toContain(
      authorization.stateId,
    );
    expect(stateCardStatus(f, jan.stateCardId)).toBe("inactive");
  });
});
