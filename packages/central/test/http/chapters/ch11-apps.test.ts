import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Api,
  authorizationState,
  catalogueEntry,
  decide,
  deltasSince,
  employeeWithCard,
  expectProblem,
  expectStatus,
  facts,
  grantThroughBasket,
  idem,
  lastSeq,
  newEmployee,
  notifications,
  physicalEntry,
  startApi,
  submitRequest,
} from "./support.js";

/**
 * Chapter 11: the Toegangsapp and the Infra-App are application authorizations, requested
 * like the physical ones (chapter 6): basket, motivation, submission, a manager's decision.
 * They open no door, so nothing goes to the sites.
 */
describe("chapter 11: app authorizations", () => {
  let api: Api;
  let toegangsapp: number;
  let infraApp: number;
  beforeEach(async () => {
    api = await startApi();
    const app = (code: string, name: string) => ({ code, service: "application", name });
    toegangsapp = await catalogueEntry(
      api,
      app("APP-TOEGANGSAPP-KVD", "Toegangsapp - Street cabinets en kabelverdelers (KVD)"),
      [api.f.companyA],
    );
    infraApp = await catalogueEntry(api, app("APP-INFRA-APP", "Infra-App"), [api.f.companyA]);
  });
  afterEach(() => api.close());

  it("grants both apps to several engineers through the basket, at central only", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const piet = await employeeWithCard(api, f.partnerA, f.companyA, facts("Pietersen"));
    const seq = lastSeq(f);
    const ids = [jan.employmentId, piet.employmentId];
    const granted = [
      ...(await grantThroughBasket(api, f.partnerA, ids, toegangsapp)),
      ...(await grantThroughBasket(api, f.partnerA, ids, infraApp)),
    ];
    expect(granted.map((i) => [i.employmentId, i.entryId, i.status])).toEqual([
      [jan.employmentId, toegangsapp, "approved"],
      [piet.employmentId, toegangsapp, "approved"],
      [jan.employmentId, infraApp, "approved"],
      [piet.employmentId, infraApp, "approved"],
    ]);
    for (const item of granted) {
      expect(authorizationState(f, item.authorizationId)).toMatchObject({
        status: "active",
        stateId: null,
      });
    }
    expect(deltasSince(f, seq)).toEqual([]);
    expect(notifications(f, "request-decided")).toHaveLength(4);
    const held = await call("POST", "/basket/items", {
      as: f.partnerA,
      body: { employmentIds: [piet.employmentId], entryId: infraApp, action: "grant" },
      headers: idem(),
    });
    expect(expectProblem(held, 422).errors[0].message).toMatch(/^ALREADY_HELD/);

    // Withdrawn the same way: a revocation through the basket.
    const [revoke] = await submitRequest(api, f.partnerA, [piet.employmentId], infraApp, "revoke");
    expectStatus(await decide(api, revoke?.id ?? 0), 200);
    const pietInfra = granted[3]?.authorizationId ?? 0;
    expect(authorizationState(f, pietInfra).status).toBe("revoked");
  });

  it("needs an active card for an app as for a door (only then can the rest be requested)", async () => {
    const { f, call } = api;
    const waiting = await newEmployee(api, f.partnerA, f.companyA, facts("Nieuw"));
    const door = await physicalEntry(api, "AMS01-APPARATUURZAAL", f.area, [f.companyA]);
    for (const entryId of [door, infraApp]) {
      const refused = await call("POST", "/basket/items", {
        as: f.partnerA,
        body: { employmentIds: [waiting.employmentId], entryId, action: "grant" },
        headers: idem(),
      });
      expect(expectProblem(refused, 422).errors[0].message).toMatch(/^NO_ACTIVE_CARD/);
    }
  });
});
