import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerPersonRoutes } from "../../src/http/person-routes.js";
import type { ApiServer } from "../../src/http/server.js";
import { PersonService } from "../../src/iam/persons/service.js";
import {
  type ApiCaller,
  actors,
  type WorkflowFixture,
  workflowFixture,
  workflowServer,
} from "../iam/workflow-support.js";

function newEmployment(companyId: number, overrides: Record<string, unknown> = {}) {
  return {
    person: { initials: "JP", surnamePrefix: "van der", surname: "Berg", birthDate: "1980-05-17" },
    companyId,
    managerName: "P. de Boer",
    email: "jp.vanderberg@netbouw.nl",
    mobile: "+31612345678",
    address: {
      street: "Dorpsstraat",
      number: "12",
      postcode: "3511 AB",
      city: "Utrecht",
      country: "NL",
    },
    postalChoice: "business",
    idType: "id-card",
    idNumber: "IX1234567",
    startDate: "2026-03-02",
    ...overrides,
  };
}

const facts = {
  initials: "J.P.",
  surnamePrefix: "van der",
  surname: "Berg",
  birthDate: "1980-05-17",
};

describe("person and employment routes over a real port and a real SQLite file", () => {
  let f: WorkflowFixture;
  let app: ApiServer;
  let call: ApiCaller;
  let keys = 0;
  const key = () => ({ "idempotency-key": `persons-${++keys}` });

  beforeAll(async () => {
    f = await workflowFixture();
    const persons = new PersonService(f.ctx);
    ({ app, call } = await workflowServer(f, (server, context) =>
      registerPersonRoutes(server, { context, persons }),
    ));
  });
  afterAll(async () => {
    await app?.close();
    f?.close();
  });

  it("looks up, registers, reads, changes and ends an employment", async () => {
    const before = await call("POST", "/persons/look-up", { as: f.partnerA, body: facts });
    expect(before).toMatchObject({ status: 200, body: { items: [] } });

    const headers = key();
    const created = await call("POST", "/employments", {
      as: f.partnerA,
      body: newEmployment(f.companyA),
      headers,
    });
    expect(created.status).toBe(201);
    const employment = created.body.employment;
    expect(created.headers.get("location")).toBe(`/employments/${employment.id}`);
    expect(created.body).toMatchObject({ personCreated: true, activeCardId: null });
    expect(created.body.cardRequestId).toEqual(expect.any(Number));
    expect(employment).toMatchObject({
      employmentNumber: expect.stringMatching(/^E\d{7}$/),
      person: { name: "J.P. van der Berg" },
      createdAt: "2026-03-02T08:00:00.000Z",
      endedAt: null,
    });
    // A retry with the same key is answered once.
    const replay = await call("POST", "/employments", {
      as: f.partnerA,
      body: newEmployment(f.companyA),
      headers,
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.employment.id).toBe(employment.id);

    const found = await call("POST", "/persons/look-up", { as: f.partnerB, body: facts });
    expect(found.body.items).toEqual([
      expect.objectContaining({ id: employment.person.id, employments: [] }),
    ]);
    expect(found.body.items[0]).not.toHaveProperty("birthDate");

    const got = await call("GET", `/employments/${employment.id}`, { as: f.partnerA });
    expect(got.status).toBe(200);
    const tag = got.headers.get("etag") as string;
    expect(tag).toBe(created.headers.get("etag"));
    const cached = await call("GET", `/employments/${employment.id}`, {
      as: f.partnerA,
      headers: { "if-none-match": tag },
    });
    expect(cached.status).toBe(304);

    const changed = await call("PATCH", `/employments/${employment.id}`, {
      as: f.partnerA,
      body: { managerName: "A. Smit" },
      headers: { "if-match": tag },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.managerName).toBe("A. Smit");
    expect(changed.headers.get("etag")).not.toBe(tag);

    const list = await call("GET", `/companies/${f.companyA}/employments?limit=1`, {
      as: f.partnerA,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { id: number }) => e.id)).toEqual([employment.id]);
    const person = await call("GET", `/persons/${employment.person.id}`, { as: f.partnerA });
    expect(person.body).toMatchObject({
      birthDate: "1980-05-17",
      employments: [{ id: employment.id }],
    });

    const ended = await call("POST", `/employments/${employment.id}/end`, {
      as: f.partnerA,
      body: { reason: "left the company" },
    });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({
      ended: true,
      endsAt: "2026-03-02T08:00:00.000Z",
      employment: { status: "ended", endReason: "left the company" },
    });
    const twice = await call("POST", `/employments/${employment.id}/end`, {
      as: f.partnerA,
      body: {},
    });
    expect(twice.status).toBe(409);
    expect(twice.body.rule).toBe("ALREADY_ENDED");
  });

  it("answers 422 with every invalid field as a JSON pointer", async () => {
    const response = await call("POST", "/employments", {
      as: f.partnerA,
      body: newEmployment(f.companyA, {
        person: { initials: "J.P.", surname: "van Dijk", birthDate: "1980-13-01" },
        email: "nope",
        mobile: "0612345678",
        address: { street: "", number: "1", postcode: "1234", city: "U", country: "NL" },
        idType: "badge",
      }),
      headers: key(),
    });
    expect(response.status).toBe(422);
    const paths = response.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(
      [
        "/address/street",
        "/email",
        "/idType",
        "/mobile",
        "/person/birthDate",
        "/person/surname",
      ].sort(),
    );
    const noKey = await call("POST", "/employments", {
      as: f.partnerA,
      body: newEmployment(f.companyA),
    });
    expect(noKey.status).toBe(400);
    const unknownField = await call("POST", "/employments", {
      as: f.partnerA,
      body: { ...newEmployment(f.companyA), badge: 1 },
      headers: key(),
    });
    expect(unknownField.status).toBe(400);
  });

  it("answers 409 to a duplicate employment and to a person that exists", async () => {
    const body = newEmployment(f.companyB, {
      person: { initials: "K.", surname: "Mulder", birthDate: "1970-07-07" },
    });
    const first = await call("POST", "/employments", { as: actors.manager, body, headers: key() });
    expect(first.status).toBe(201);
    const exists = await call("POST", "/employments", { as: actors.manager, body, headers: key() });
    expect(exists.status).toBe(409);
    expect(exists.body.rule).toBe("PERSON_EXISTS");
    const duplicate = await call("POST", "/employments", {
      as: actors.manager,
      body: { ...body, person: undefined, personId: first.body.employment.person.id },
      headers: key(),
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.rule).toBe("DUPLICATE_EMPLOYMENT");
    expect(duplicate.body.detail).toContain(first.body.employment.employmentNumber);
  });

  it("answers 404 to another company's employment, exactly as to a missing one", async () => {
    const created = await call("POST", "/employments", {
      as: f.partnerB,
      body: newEmployment(f.companyB, {
        person: { initials: "T.", surname: "Bakker", birthDate: "1988-08-08" },
      }),
      headers: key(),
    });
    expect(created.status).toBe(201);
    const { id, person } = created.body.employment;
    const foreign = [
      await call("GET", `/employments/${id}`, { as: f.partnerA }),
      await call("PATCH", `/employments/${id}`, {
        as: f.partnerA,
        body: { managerName: "X" },
        headers: { "if-match": '"x"' },
      }),
      await call("POST", `/employments/${id}/end`, { as: f.partnerA, body: {} }),
      await call("GET", `/persons/${person.id}`, { as: f.partnerA }),
      await call("GET", `/companies/${f.companyB}/employments`, { as: f.partnerA }),
      await call("POST", "/employments", {
        as: f.partnerA,
        body: newEmployment(f.companyB, { person: undefined, personId: person.id }),
        headers: key(),
      }),
    ];
    expect(foreign.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
    const missing = await call("GET", "/employments/999999", { as: f.partnerA });
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe(foreign[0]?.body.type);
  });

  it("answers 412 to a stale If-Match and 428 without one", async () => {
    const created = await call("POST", "/employments", {
      as: f.partnerA,
      body: newEmployment(f.companyA, {
        person: { initials: "W.", surname: "Wit", birthDate: "1992-02-02" },
      }),
      headers: key(),
    });
    const path = `/employments/${created.body.employment.id}`;
    const tag = (await call("GET", path, { as: f.partnerA })).headers.get("etag") as string;
    const first = await call("PATCH", path, {
      as: f.partnerA,
      body: { phone: "+31301234567" },
      headers: { "if-match": tag },
    });
    expect(first.status).toBe(200);
    const stale = await call("PATCH", path, {
      as: f.partnerA,
      body: { phone: "+31301234568" },
      headers: { "if-match": tag },
    });
    expect(stale.status).toBe(412);
    const without = await call("PATCH", path, { as: f.partnerA, body: { phone: "+31301234568" } });
    expect(without.status).toBe(428);
    const scheduled = await call("POST", `${path}/end`, {
      as: f.partnerA,
      body: { date: "2026-04-01" },
      headers: key(),
    });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({
      ended: false,
      employment: { status: "active", endDate: "2026-04-01" },
    });
  });

  it("documents every route in the OpenAPI document", async () => {
    const doc = await call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const operations = Object.values(doc.body.paths as Record<string, Record<string, unknown>>)
      .flatMap((methods) => Object.values(methods))
      .map((op) => (op as { operationId?: string }).operationId);
    for (const id of [
      "lookUpPersons",
      "createEmployment",
      "getEmployment",
      "updateEmployment",
      "listCompanyEmployments",
      "getPerson",
      "endEmployment",
    ]) {
      expect(operations).toContain(id);
    }
    expect(Object.keys(doc.body.components.schemas)).toEqual(
      expect.arrayContaining(["Employment", "EmploymentCreated", "EmploymentEnd"]),
    );
  });
});
