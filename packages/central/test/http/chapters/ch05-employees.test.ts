import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actors } from "../../iam/workflow-support.js";
import {
  type Api,
  deliverCard,
  employmentInput,
  expectProblem,
  expectStatus,
  facts,
  idem,
  newEmployee,
  postIfMatch,
  startApi,
} from "./support.js";

/**
 * Chapter 5: the contact person looks the person up first (name, initials, birth date);
 * then either the person is new (added, with an employment and a card request) or known
 * (only an employment: no second person, no second card). The same person-company pair
 * never gets a second employment. A KPN manager decides the card request.
 */
describe("chapter 5: an employment, with or without a card request", () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  const visser = facts("Visser", { initials: "J.P.", surnamePrefix: "de" });

  it("scenario 1: a person not found is created with the employment and a card request", async () => {
    const { f, call } = api;
    const e = await newEmployee(api, f.partnerA, f.companyA, visser);
    expect(e.created).toMatchObject({
      personCreated: true,
      cardRequestId: expect.any(Number),
      activeCardId: null,
      pendingCardId: null,
      employment: {
        companyId: f.companyA,
        status: "active",
        employmentNumber: expect.any(String),
        person: {
          initials: "J.P.",
          surnamePrefix: "de",
          surname: "Visser",
          name: "J.P. de Visser",
        },
        postalChoice: "private",
      },
    });
    const card = expectStatus(
      await call("GET", `/cards/${e.cardRequestId}`, { as: f.partnerA }),
      200,
    );
    expect(card).toMatchObject({
      status: "requested",
      kind: "access",
      employmentId: e.employmentId,
    });
    expect(card.shippingAddress).toMatchObject({ street: "Kerkstraat", city: "Amsterdam" });

    // The look-up finds the person now, however the initials are typed.
    const found = expectStatus(
      await call("POST", "/persons/look-up", {
        as: f.partnerA,
        body: { ...visser, initials: "jp" },
      }),
      200,
    );
    expect(found.items).toEqual([
      expect.objectContaining({
        id: e.personId,
        employments: [expect.objectContaining({ id: e.employmentId, companyId: f.companyA })],
      }),
    ]);
    // The doors know the person and the employment (state rows).
    const state = f.commands.store.db
      .prepare(
        "SELECT p.display_name AS name, e.company_id AS company FROM iam_employment i JOIN employment e ON e.id = i.state_employment_id JOIN person p ON p.id = e.person_id WHERE i.id = ?",
      )
      .get(e.employmentId) as { name: string };
    expect(state.name).toBe("J.P. de Visser");

    // "De KPN manager beoordeelt de aanvraag": not the contact person, and not its requester.
    const path = `/cards/${e.cardRequestId}`;
    expectProblem(
      await postIfMatch(api, path, "approval", { decision: "approve" }, f.partnerA),
      403,
    );
    const approved = expectStatus(
      await postIfMatch(api, path, "approval", { decision: "approve" }, actors.manager),
      200,
    );
    expect(approved).toMatchObject({ status: "approved", decidedBy: actors.manager.accountId });
  });

  it("scenario 2: a person known at another company gets only an employment, no second card", async () => {
    const { f, call } = api;
    const a = await newEmployee(api, f.partnerA, f.companyA, visser);
    await deliverCard(api, a.cardRequestId ?? 0);

    // Company B's contact finds the person, but not company A's employment nor the birth date.
    const found = expectStatus(
      await call("POST", "/persons/look-up", { as: f.partnerB, body: visser }),
      200,
    );
    expect(found.items).toEqual([
      {
        id: a.personId,
        initials: "J.P.",
        surnamePrefix: "de",
        surname: "Visser",
        name: "J.P. de Visser",
        employments: [],
      },
    ]);
    // Creating the known person anew is refused, naming the person to use.
    const again = await call("POST", "/employments", {
      as: f.partnerB,
      body: employmentInput(f.companyB, visser),
      headers: idem(),
    });
    expect(expectProblem(again, 409, "PERSON_EXISTS").existing).toMatchObject({
      personId: a.personId,
    });

    const b = expectStatus(
      await call("POST", "/employments", {
        as: f.partnerB,
        body: { ...employmentInput(f.companyB, visser), personId: a.personId },
        headers: idem(),
      }),
      201,
    );
    expect(b).toMatchObject({
      personCreated: false,
      cardRequestId: null,
      activeCardId: a.cardRequestId,
      employment: { companyId: f.companyB, person: { id: a.personId } },
    });
    const cards = expectStatus(
      await call("GET", `/persons/${a.personId}/cards`, { as: actors.admin }),
      200,
    );
    expect(cards.items).toHaveLength(1);
    // Company B sees its own employment of the person only.
    const person = expectStatus(
      await call("GET", `/persons/${a.personId}`, { as: f.partnerB }),
      200,
    );
    expect(person.employments.map((e: { companyId: number }) => e.companyId)).toEqual([f.companyB]);
  });

  it("starts no second card request while the first card is on its way", async () => {
    const { f, call } = api;
    const a = await newEmployee(api, f.partnerA, f.companyA, visser);
    const b = expectStatus(
      await call("POST", "/employments", {
        as: f.partnerB,
        body: { ...employmentInput(f.companyB, visser), personId: a.personId },
        headers: idem(),
      }),
      201,
    );
    expect(b).toMatchObject({
      cardRequestId: null,
      activeCardId: null,
      pendingCardId: a.cardRequestId,
    });
  });

  it("refuses a second employment of the same person at the same company, naming the first", async () => {
    const { f, call } = api;
    const a = await newEmployee(api, f.partnerA, f.companyA, visser);
    const duplicate = await call("POST", "/employments", {
      as: f.partnerA,
      body: { ...employmentInput(f.companyA, visser), personId: a.personId },
      headers: idem(),
    });
    const problem = expectProblem(duplicate, 409, "DUPLICATE_EMPLOYMENT");
    expect(problem.existing).toEqual({
      employmentId: a.employmentId,
      employmentNumber: a.created.employment.employmentNumber,
    });
  });

  it("reports every invalid field at once and refuses another company's employments", async () => {
    const { f, call } = api;
    const invalid = await call("POST", "/employments", {
      as: f.partnerA,
      body: employmentInput(f.companyA, facts("van Dijk"), {
        mobile: "0612345678",
        email: "k.dijk@netbouw.nl",
        address: {
          street: "Kerkstraat",
          number: "1",
          postcode: "10170",
          city: "Amsterdam",
          country: "NL",
        },
        idType: "visa",
      }),
      headers: idem(),
    });
    const paths = expectProblem(invalid, 422)
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(["/address/postcode", "/idType", "/mobile", "/person/surname"]);
    const foreign = await call("POST", "/employments", {
      as: f.partnerB,
      body: employmentInput(f.companyA, facts("Bakker")),
      headers: idem(),
    });
    expect(foreign.status).toBe(404);
  });
});
