import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actors } from "../../iam/workflow-support.js";
import {
  type Api,
  catalogueEntry,
  employeeWithCard,
  employmentInput,
  expectProblem,
  expectStatus,
  facts,
  grantThroughBasket,
  idem,
  keyIssueOf,
  startApi,
  stateCardStatus,
} from "./support.js";

/**
 * Chapter 14: once the employment is ended in IAM, the card and the keys are to be handed
 * back; Wholesale registers their return.
 */
describe("chapter 14: returning the card and the keys", () => {
  let api: Api;
  let zKey: number;
  beforeEach(async () => {
    api = await startApi();
    zKey = await catalogueEntry(api, { code: "KEY-Z", service: "key", name: "Z", keyType: "Z" }, [
      api.f.companyA,
    ]);
  });
  afterEach(() => api.close());

  /** An engineer with an active card and an issued Z key. */
  async function engineerWithKey() {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const [granted] = await grantThroughBasket(api, f.partnerA, [jan.employmentId], zKey);
    const keyId = await keyIssueOf(api, granted.authorizationId);
    const body = { addressConfirmed: true };
    expectStatus(await call("POST", `/keys/${keyId}/shipment`, { as: actors.admin, body }), 200);
    expectStatus(await call("POST", `/keys/${keyId}/issue`, { as: actors.admin }), 200);
    return { ...jan, keyId };
  }

  it("lists the card and the key to return after the end, and registers their return", async () => {
    const { f, call } = api;
    const jan = await engineerWithKey();
    const end = expectStatus(
      await call("POST", `/employments/${jan.employmentId}/end`, { as: f.partnerA, body: {} }),
      200,
    );
    expect(end).toMatchObject({
      cardsToReturn: [{ cardId: jan.cardId, cardNumber: jan.card.cardNumber }],
      keysToReturn: [expect.objectContaining({ keyIssueId: jan.keyId, keyType: "Z" })],
    });
    const returns = () => call("GET", "/reports/returns", { as: f.partnerA });
    expect(expectStatus(await returns(), 200).items).toEqual([
      expect.objectContaining({
        kind: "card",
        id: jan.cardId,
        item: jan.card.cardNumber,
        personName: "K. Jansen",
      }),
      expect.objectContaining({ kind: "key", id: jan.keyId, item: "Z", personName: "K. Jansen" }),
    ]);
    expect(
      expectStatus(await call("GET", "/reports/returns", { as: f.partnerB }), 200).items,
    ).toEqual([]);
    const keys = expectStatus(await call("GET", "/keys/to-return", { as: f.partnerA }), 200);
    expect(keys.items.map((k: { id: number }) => k.id)).toEqual([jan.keyId]);

    // Wholesale registers what came back; the contact person cannot.
    expectProblem(await call("POST", `/cards/${jan.cardId}/return`, { as: f.partnerA }), 403);
    expectProblem(await call("POST", `/keys/${jan.keyId}/return`, { as: f.partnerA }), 403);
    const card = expectStatus(
      await call("POST", `/cards/${jan.cardId}/return`, { as: actors.admin }),
      200,
    );
    expect(card).toMatchObject({
      status: "returned",
      toReturn: false,
      returnedAt: expect.any(String),
    });
    expect(stateCardStatus(f, jan.stateCardId)).toBe("inactive");
    const key = expectStatus(
      await call("POST", `/keys/${jan.keyId}/return`, { as: actors.admin }),
      200,
    );
    expect(key).toMatchObject({ status: "returned", returnedAt: expect.any(String) });
    expect(expectStatus(await returns(), 200).items).toEqual([]);
    expectProblem(
      await call("POST", `/cards/${jan.cardId}/return`, { as: actors.admin }),
      409,
      "NOT_RETURNABLE",
    );
    expectProblem(
      await call("POST", `/keys/${jan.keyId}/return`, { as: actors.admin }),
      409,
      "KEY_STATUS",
    );
  });

  it("keeps the card another employment still needs; only that company's key comes back", async () => {
    const { f, call } = api;
    const jan = await engineerWithKey();
    // Company B employs the same engineer (chapter 5, scenario 2).
    expectStatus(
      await call("POST", "/employments", {
        as: f.partnerB,
        body: { ...employmentInput(f.companyB, facts("Jansen")), personId: jan.personId },
        headers: idem(),
      }),
      201,
    );
    const end = expectStatus(
      await call("POST", `/employments/${jan.employmentId}/end`, { as: f.partnerA, body: {} }),
      200,
    );
    expect(end).toMatchObject({ cardsToReturn: [], keptCardId: jan.cardId });
    expect(stateCardStatus(f, jan.stateCardId)).toBe("active");
    const items = expectStatus(
      await call("GET", "/reports/returns", { as: actors.admin }),
      200,
    ).items;
    expect(items.map((i: { kind: string; id: number }) => [i.kind, i.id])).toEqual([
      ["key", jan.keyId],
    ]);
  });
});
