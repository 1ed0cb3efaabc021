import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Api,
  activationCode,
  catalogueEntry,
  deltasSince,
  employeeWithCard,
  expectProblem,
  expectStatus,
  facts,
  grantThroughBasket,
  idem,
  lastSeq,
  newEmployee,
  physicalEntry,
  shipCard,
  startApi,
  stateCardStatus,
} from "./support.js";

/**
 * Chapter 12: PoP access needs the company card, a separate PoP card (another access
 * system: it never becomes a card at the doors), the Toegangsapp with PoP rights, access
 * to the exchange and the keys HS1 and Z.
 */
describe("chapter 12: the PoP card and PoP access", () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  const stateCards = () =>
    (api.f.commands.store.db.prepare("SELECT count(*) AS n FROM card").get() as { n: number }).n;

  it("is a second card of its own, never a card at the doors", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const preview = expectStatus(
      await call("GET", `/employments/${jan.employmentId}/card-request-preview`, {
        as: f.partnerA,
      }),
      200,
    );
    const requestPop = () =>
      call("POST", `/employments/${jan.employmentId}/card-requests`, {
        as: f.partnerA,
        body: { kind: "pop", confirmedAddressVersion: preview.addressVersion },
        headers: idem(),
      });
    const pop = expectStatus(await requestPop(), 201);
    expect(pop).toMatchObject({ kind: "pop", status: "requested", stateCardId: null });
    const cardsBefore = stateCards();
    const seq = lastSeq(f);
    const shipped = await shipCard(api, pop.id);
    expect(shipped).toMatchObject({
      kind: "pop",
      cardNumber: expect.any(String),
      stateCardId: null,
    });
    const active = expectStatus(
      await call("POST", `/cards/${pop.id}/activation`, {
        as: f.partnerA,
        body: { code: activationCode(f, pop.id) },
      }),
      200,
    );
    expect(active).toMatchObject({ kind: "pop", status: "active", stateCardId: null });
    expect(stateCards()).toBe(cardsBefore);
    expect(deltasSince(f, seq)).toEqual([]);
    // The company card stays as it was.
    expect(stateCardStatus(f, jan.stateCardId)).toBe("active");
    const cards = expectStatus(
      await call("GET", `/persons/${jan.personId}/cards`, { as: f.partnerA }),
      200,
    );
    expect(cards.items.map((c: { kind: string; status: string }) => [c.kind, c.status])).toEqual([
      ["pop", "active"],
      ["access", "active"],
    ]);
    expectProblem(await requestPop(), 409, "ACTIVE_CARD_EXISTS");
  });

  it("grants the PoP app rights, the exchange and the HS1 and Z keys through the basket", async () => {
    const { f, call } = api;
    const popApp = await catalogueEntry(
      api,
      {
        code: "POP-TOEGANGSAPP",
        service: "pop",
        name: "PoP toegang - Toegang tot PoP locaties icm toegangsapp (TA)",
      },
      [f.companyA],
    );
    const hs1 = await catalogueEntry(
      api,
      { code: "KEY-HS1", service: "key", name: "HS1", keyType: "HS1" },
      [f.companyA],
    );
    const z = await catalogueEntry(
      api,
      { code: "KEY-Z", service: "key", name: "Z", keyType: "Z" },
      [f.companyA],
    );
    const exchange = await physicalEntry(api, "AMS01-APPARATUURZAAL", f.area, [f.companyA]);

    // PoP rights need the company card, unlike the plain apps.
    const waiting = await newEmployee(api, f.partnerA, f.companyA, facts("Nieuw"));
    const refused = await call("POST", "/basket/items", {
      as: f.partnerA,
      body: { employmentIds: [waiting.employmentId], entryId: popApp, action: "grant" },
      headers: idem(),
    });
    expect(expectProblem(refused, 422).errors[0].message).toMatch(/^NO_ACTIVE_CARD/);

    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const granted = [];
    for (const entry of [popApp, exchange, hs1, z]) {
      granted.push(...(await grantThroughBasket(api, f.partnerA, [jan.employmentId], entry)));
    }
    expect(granted.map((i) => i.status)).toEqual(["approved", "approved", "approved", "approved"]);
    const keys = f.commands.store.db
      .prepare(
        "SELECT k.key_type AS type, k.status FROM iam_key_issue k JOIN iam_authorization a ON a.id = k.authorization_id WHERE a.employment_id = ? ORDER BY k.id",
      )
      .all(jan.employmentId);
    expect(keys).toEqual([
      { type: "HS1", status: "approved" },
      { type: "Z", status: "approved" },
    ]);
  });
});
