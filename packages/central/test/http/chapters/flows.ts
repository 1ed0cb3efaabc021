import { expect } from "vitest";
import type { Actor } from "../../../src/iam/actor.js";
import { actors, type WorkflowFixture } from "../../iam/workflow-support.js";

import { type Api, expectStatus, idem, postIfMatch } from "./api.js";
import { notifications } from "./state.js";

// --- chapter 3: companies ---

export function contactPerson(overrides: Record<string, unknown> = {}) {
  return {
    initials: "M.",
    surname: "Smit",
    mobile: "+31612345678",
    email: "m.smit@vezelnet.nl",
    address: {
      street: "Havenweg",
      number: "8",
      postcode: "3011 AA",
      city: "Rotterdam",
      country: "NL",
    },
    birthDate: "1979-02-03",
    idType: "id-card",
    idNumber: "IX1234567",
    ...overrides,
  };
}

export function companyInput(overrides: Record<string, unknown> = {}) {
  return {
    customerName: "Vezelnet",
    kvkName: "Vezelnet B.V.",
    kvkNumber: "11223344",
    address: {
      street: "Havenweg",
      number: "8",
      postcode: "3011 AA",
      city: "Rotterdam",
      country: "NL",
    },
    contactPersons: [contactPerson()],
    ...overrides,
  };
}

/** Registered by the wholesale admin, approved by a manager; returns the company. */
export async function approvedCompany(api: Api, overrides: Record<string, unknown> = {}) {
  const created = expectStatus(
    await api.call("POST", "/companies", {
      as: actors.admin,
      body: companyInput(overrides),
      headers: idem(),
    }),
    201,
  );
  const path = `/companies/${created.id}`;
  return expectStatus(
    await postIfMatch(api, path, "approval", { decision: "approve" }, actors.manager),
    200,
  );
}

// --- chapter 5: employments ---

export interface Facts {
  readonly initials: string;
  readonly surnamePrefix?: string | null;
  readonly surname: string;
  readonly birthDate: string;
}

export const facts = (surname: string, more: Partial<Facts> = {}): Facts => ({
  initials: "K.",
  surname,
  birthDate: "1985-04-12",
  ...more,
});

export function employmentInput(
  companyId: number,
  person: Facts,
  overrides: Record<string, unknown> = {},
) {
  return {
    person,
    companyId,
    managerName: "P. de Boer",
    email: `${person.surname.toLowerCase()}@netbouw.nl`,
    mobile: "+31687654321",
    address: {
      street: "Kerkstraat",
      number: "1",
      postcode: "1017 GC",
      city: "Amsterdam",
      country: "NL",
    },
    postalChoice: "private",
    idType: "passport",
    idNumber: "NX9876543",
    startDate: "2026-03-02",
    ...overrides,
  };
}

/** Chapter 5: the look-up first (nobody found), then a new employee with a card request. */
export async function newEmployee(
  api: Api,
  as: Actor,
  companyId: number,
  person: Facts,
  overrides: Record<string, unknown> = {},
) {
  const found = expectStatus(await api.call("POST", "/persons/look-up", { as, body: person }), 200);
  expect(found.items).toEqual([]);
  const created = expectStatus(
    await api.call("POST", "/employments", {
      as,
      body: employmentInput(companyId, person, overrides),
      headers: idem(),
    }),
    201,
  );
  return {
    employmentId: created.employment.id as number,
    personId: created.employment.person.id as number,
    cardRequestId: created.cardRequestId as number | null,
    created,
  };
}

// --- chapter 9: a card from request to active ---

/** The newest activation code sent by SMS for the card (the outbox keeps it until sent). */
export function activationCode(f: WorkflowFixture, cardId: number): string {
  const rows = notifications(f, "card-activation-code");
  const last = rows.filter((n) => n.parameters.cardId === String(cardId)).at(-1);
  if (last === undefined) throw new Error(`no activation code sent for card ${cardId}`);
  return last.parameters.code ?? "";
}

/** Approved (manager), produced and shipped (admin): the card waits for its code. */
export async function shipCard(api: Api, cardId: number) {
  const path = `/cards/${cardId}`;
  expectStatus(
    await postIfMatch(api, path, "approval", { decision: "approve" }, actors.manager),
    200,
  );
  expectStatus(await api.call("POST", `${path}/production`, { as: actors.admin, body: {} }), 200);
  return expectStatus(await api.call("POST", `${path}/shipment`, { as: actors.admin }), 200);
}

/** Approved, produced, shipped and activated with the code from the SMS; returns the card. */
export async function deliverCard(api: Api, cardId: number, as: Actor = api.f.partnerA) {
  await shipCard(api, cardId);
  const code = activationCode(api.f, cardId);
  return expectStatus(
    await api.call("POST", `/cards/${cardId}/activation`, { as, body: { code } }),
    200,
  );
}

/** A new employee of `companyId` whose card is active. */
export async function employeeWithCard(api: Api, as: Actor, companyId: number, person: Facts) {
  const e = await newEmployee(api, as, companyId, person);
  if (e.cardRequestId === null) throw new Error("no card request");
  const card = await deliverCard(api, e.cardRequestId, as);
  return { ...e, cardId: card.id as number, stateCardId: card.stateCardId as number, card };
}

// --- chapters 6, 7, 11, 12: the catalogue, the basket, the decision ---

/** A catalogue entry (wholesale admin) put in the profiles of `companies`. */
export async function catalogueEntry(
  api: Api,
  body: Record<string, unknown>,
  companies: readonly number[],
): Promise<number> {
  const entry = expectStatus(
    await api.call("POST", "/catalogue", { as: actors.admin, body, headers: idem() }),
    201,
  );
  for (const companyId of companies) {
    expectStatus(
      await api.call("PUT", `/companies/${companyId}/profile/${entry.id}`, { as: actors.admin }),
      200,
    );
  }
  return entry.id;
}

/** A physical entry (fysieke toegang) for an area of ams01. */
export const physicalEntry = (api: Api, code: string, areaId: number, companies: number[]) =>
  catalogueEntry(
    api,
    { code, service: "physical", name: code, siteId: "ams01", areaId },
    companies,
  );

/** Basket: the entry for every employment, each motivated, then submitted; the pending items. */
export async function submitRequest(
  api: Api,
  as: Actor,
  employmentIds: number[],
  entryId: number,
  action: "grant" | "revoke" = "grant",
) {
  const added = expectStatus(
    await api.call("POST", "/basket/items", {
      as,
      body: { employmentIds, entryId, action },
      headers: idem(),
    }),
    201,
  );
  for (const item of added.items) {
    const body = { motivation: "Storingswerk in de centrale" };
    expectStatus(await api.call("PUT", `/request-items/${item.id}/motivation`, { as, body }), 200);
  }
  const sent = expectStatus(
    await api.call("POST", "/basket/submission", { as, headers: idem() }),
    200,
  );
  return sent.items as { id: number; employmentId: number; status: string }[];
}

/** A decision on an item with its ETag. */
export const decide = (
  api: Api,
  itemId: number,
  as: Actor = actors.manager,
  body: Record<string, unknown> = { decision: "approve" },
) => postIfMatch(api, `/request-items/${itemId}`, "decision", body, as);

/** Requested, submitted and approved by the manager: the approved items. */
export async function grantThroughBasket(
  api: Api,
  as: Actor,
  employmentIds: number[],
  entryId: number,
) {
  const approved = [];
  for (const item of await submitRequest(api, as, employmentIds, entryId)) {
    approved.push(expectStatus(await decide(api, item.id), 200));
  }
  return approved;
}
