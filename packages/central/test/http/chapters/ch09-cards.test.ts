import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actors } from "../../iam/workflow-support.js";
import {
  type Api,
  activationCode,
  deliverCard,
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
  postIfMatch,
  shipCard,
  startApi,
  stateCardStatus,
} from "./support.js";

/**
 * Chapter 9 (and FAQ 6, 8, 11): a card is requested, approved, produced (its number),
 * shipped (the activation code apart, by SMS) and works only once activated with the right
 * code. The address is shown before any request. A replacement for a lost, stolen or
 * defective card blocks the old one at once; for any other reason the old one stays valid
 * until the new one is activated.
 */
describe("chapter 9: the company card", () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  const activate = (cardId: number, code: string) =>
    api.call("POST", `/cards/${cardId}/activation`, { as: api.f.partnerA, body: { code } });

  it("goes requested → approved → in production → shipped → active, only with the right code", async () => {
    const { f, call } = api;
    const e = await newEmployee(api, f.partnerA, f.companyA, facts("Jansen"));
    const cardId = e.cardRequestId ?? 0;
    const path = `/cards/${cardId}`;
    expectProblem(
      await call("POST", `${path}/production`, { as: actors.admin, body: {} }),
      409,
      "NOT_APPROVED",
    );
    expectStatus(
      await postIfMatch(api, path, "approval", { decision: "approve" }, actors.manager),
      200,
    );
    expectProblem(await call("POST", `${path}/production`, { as: f.partnerA, body: {} }), 403);
    const produced = expectStatus(
      await call("POST", `${path}/production`, { as: actors.admin, body: {} }),
      200,
    );
    expect(produced).toMatchObject({
      status: "in-production",
      cardNumber: expect.stringMatching(/^\d+$/),
    });
    // The doors know the card from production on, but refuse it until it is activated.
    expect(stateCardStatus(f, produced.stateCardId)).toBe("not-activated");

    const shipped = expectStatus(await call("POST", `${path}/shipment`, { as: actors.admin }), 200);
    expect(shipped).toMatchObject({ status: "shipped", activationAttemptsLeft: 3 });
    // The card by post (e-mail notice), its code apart by SMS to the engineer's mobile.
    expect(notifications(f, "card-shipped")).toEqual([
      expect.objectContaining({ channel: "email", recipient: "jansen@netbouw.nl" }),
    ]);
    const [sms] = notifications(f, "card-activation-code");
    expect(sms).toMatchObject({ channel: "sms", recipient: "+31687654321" });
    const code = activationCode(f, cardId);
    expect(code).toMatch(/^\d{8}$/);
    expect(JSON.stringify(shipped)).not.toContain(code);
    expect(JSON.stringify(notifications(f, "card-shipped"))).not.toContain(code);

    const wrong = code === "00000000" ? "11111111" : "00000000";
    const refused = expectProblem(await activate(cardId, wrong), 409, "WRONG_ACTIVATION_CODE");
    expect(refused.detail).toMatch(/2 attempt\(s\) left/);
    expect(stateCardStatus(f, produced.stateCardId)).toBe("not-activated");
    const active = expectStatus(await activate(cardId, code), 200);
    expect(active).toMatchObject({ status: "active", activatedAt: expect.any(String) });
    expect(stateCardStatus(f, produced.stateCardId)).toBe("active");
    expectProblem(await activate(cardId, code), 409, "NOT_SHIPPED");
  });

  it("locks the code after three wrong attempts; a new code works, the old one not", async () => {
    const { f, call } = api;
    const e = await newEmployee(api, f.partnerA, f.companyA, facts("Jansen"));
    const cardId = e.cardRequestId ?? 0;
    await shipCard(api, cardId);
    const first = activationCode(f, cardId);
    const wrong = first === "00000000" ? "11111111" : "00000000";
    for (const left of [2, 1, 0]) {
      const body = expectProblem(await activate(cardId, wrong), 409, "WRONG_ACTIVATION_CODE");
      expect(body.detail).toContain(left === 0 ? "no attempts left" : `${left} attempt(s) left`);
    }
    expectProblem(await activate(cardId, first), 409, "ACTIVATION_LOCKED");
    expectProblem(await call("POST", `/cards/${cardId}/activation-code`, { as: f.partnerA }), 403);
    expectStatus(await call("POST", `/cards/${cardId}/activation-code`, { as: actors.admin }), 200);
    const second = activationCode(f, cardId);
    if (second !== first)
      expectProblem(await activate(cardId, first), 409, "WRONG_ACTIVATION_CODE");
    expect(expectStatus(await activate(cardId, second), 200).status).toBe("active");
  });

  it("shows the address before a request and refuses a request on an address changed since", async () => {
    const { f, call } = api;
    const e = await newEmployee(api, f.partnerA, f.companyA, facts("Jansen"), {
      requestCard: false,
    });
    expect(e.cardRequestId).toBeNull();
    const previewPath = `/employments/${e.employmentId}/card-request-preview`;
    const preview = expectStatus(await call("GET", previewPath, { as: f.partnerA }), 200);
    expect(preview).toMatchObject({
      activeAccessCardId: null,
      address: {
        name: "K. Jansen",
        street: "Kerkstraat",
        number: "1",
        postcode: "1017 GC",
        city: "Amsterdam",
      },
    });
    // The engineer moved ("pas dit eerst aan in IAM"): the preview seen before is stale.
    const moved = await postIfMatchPatch(api, e.employmentId, {
      address: { street: "Laan", number: "5", postcode: "3511 AB", city: "Utrecht", country: "NL" },
    });
    expect(moved.status).toBe(200);
    const request = (version: string) =>
      call("POST", `/employments/${e.employmentId}/card-requests`, {
        as: f.partnerA,
        body: { confirmedAddressVersion: version },
        headers: idem(),
      });
    expectProblem(await request(preview.addressVersion), 409, "ADDRESS_NOT_CONFIRMED");
    const fresh = expectStatus(await call("GET", previewPath, { as: f.partnerA }), 200);
    const card = expectStatus(await request(fresh.addressVersion), 201);
    expect(card.shippingAddress).toMatchObject({ street: "Laan", city: "Utrecht" });
    expect(
      expectProblem(await request(fresh.addressVersion), 409, "CARD_REQUEST_PENDING").existing,
    ).toEqual({
      cardId: card.id,
      status: "requested",
    });
    await deliverCard(api, card.id);
    expectProblem(await request(fresh.addressVersion), 409, "ACTIVE_CARD_EXISTS");
  });

  it("blocks a lost card at once, at central and at the doors", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const entry = await physicalEntry(api, "AMS01-APPARATUURZAAL", f.area, [f.companyA]);
    await grantThroughBasket(api, f.partnerA, [jan.employmentId], entry);
    const preview = expectStatus(
      await call("GET", `/employments/${jan.employmentId}/card-request-preview`, {
        as: f.partnerA,
      }),
      200,
    );
    const seq = lastSeq(f);
    const replacement = expectStatus(
      await call("POST", `/cards/${jan.cardId}/replacement`, {
        as: f.partnerA,
        body: {
          reason: "lost",
          note: "verloren in de bus",
          confirmedAddressVersion: preview.addressVersion,
        },
        headers: idem(),
      }),
      201,
    );
    expect(replacement).toMatchObject({
      status: "requested",
      replacesCardId: jan.cardId,
      replacementReason: "lost",
    });
    expect(
      expectStatus(await call("GET", `/cards/${jan.cardId}`, { as: f.partnerA }), 200).status,
    ).toBe("inactive");
    expect(stateCardStatus(f, jan.stateCardId)).toBe("lost");
    expect(deltasSince(f, seq).flatMap((d) => d.upsert.cards ?? [])).toContainEqual(
      expect.objectContaining({ id: jan.stateCardId, status: "lost" }),
    );
    const again = await call("POST", `/cards/${jan.cardId}/replacement`, {
      as: f.partnerA,
      body: { reason: "lost", confirmedAddressVersion: preview.addressVersion },
      headers: idem(),
    });
    expect(expectProblem(again, 409, "REPLACEMENT_PENDING").existing).toMatchObject({
      cardId: replacement.id,
    });
    const fresh = await deliverCard(api, replacement.id);
    expect(stateCardStatus(f, fresh.stateCardId)).toBe("active");
    expect(stateCardStatus(f, jan.stateCardId)).toBe("lost");
  });

  it("keeps the old card valid for another reason until the new one is activated", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const preview = expectStatus(
      await call("GET", `/employments/${jan.employmentId}/card-request-preview`, {
        as: f.partnerA,
      }),
      200,
    );
    expect(preview.activeAccessCardId).toBe(jan.cardId);
    const replacement = expectStatus(
      await call("POST", `/cards/${jan.cardId}/replacement`, {
        as: f.partnerA,
        body: { reason: "expiring", confirmedAddressVersion: preview.addressVersion },
        headers: idem(),
      }),
      201,
    );
    const shipped = await shipCard(api, replacement.id);
    expect(
      expectStatus(await call("GET", `/cards/${jan.cardId}`, { as: f.partnerA }), 200).status,
    ).toBe("active");
    expect(stateCardStatus(f, jan.stateCardId)).toBe("active");
    expect(stateCardStatus(f, shipped.stateCardId)).toBe("not-activated");
    expectStatus(await activate(replacement.id, activationCode(f, replacement.id)), 200);
    const old = expectStatus(await call("GET", `/cards/${jan.cardId}`, { as: f.partnerA }), 200);
    expect(old).toMatchObject({
      status: "inactive",
      deactivationReason: `replaced by card ${replacement.id}`,
    });
    expect(stateCardStatus(f, jan.stateCardId)).toBe("replaced");
    expect(stateCardStatus(f, shipped.stateCardId)).toBe("active");
  });
});

/** PATCH an employment with its ETag (chapter 13: "na een verhuizing"). */
async function postIfMatchPatch(api: Api, employmentId: number, body: unknown) {
  const path = `/employments/${employmentId}`;
  const current = await api.call("GET", path, { as: api.f.partnerA });
  return api.call("PATCH", path, {
    as: api.f.partnerA,
    body,
    headers: { "if-match": current.headers.get("etag") ?? "" },
  });
}
