import { describe, expect, it } from "vitest";
import { contact } from "../iam/support.js";
import { companyRoutesServer, type Json } from "./companies-support.js";

describe("company routes over a real port and a real SQLite file", () => {
  const { approve, etagOf, get, newKey, post, problem, register } = companyRoutesServer();

  it("isolates partner tenants: another company's ids answer 404 as missing ones, changing nothing", async () => {
    const a = await register("20000001");
    const b = await register("20000002");
    await approve(`/companies/${a.id}`);
    const bApproved = await approve(`/companies/${b.id}`);
    // A pending contact person of B, to try to decide.
    const added = await post(`/companies/${b.id}/contact-persons`, contact(), "admin-1", newKey());
    expect(added.status).toBe(201);
    const bPerson = (await added.json()) as Json & { id: number };
    expect(bApproved.status).toBe("approved");

    const partnerA = `partner-${a.id}`;
    const bTag = await etagOf(`/companies/${b.id}`);
    const bPersonTag = await etagOf(`/contact-persons/${bPerson.id}`);
    const MISSING = 999_999;

    const calls: [string, (id: number) => Promise<Response>][] = [
      ["GET company", (id) => get(`/companies/${id}`, partnerA)],
      [
        "approve company",
        (id) => post(`/companies/${id}/approval`, { decision: "approve" }, partnerA),
      ],
      [
        "approve company with If-Match",
        (id) =>
          post(`/companies/${id}/approval`, { decision: "reject", comment: "x" }, partnerA, {
            "if-match": bTag,
          }),
      ],
      [
        "add contact person",
        (id) => post(`/companies/${id}/contact-persons`, contact(), partnerA, newKey()),
      ],
      [
        "add invalid contact person",
        (id) =>
          post(`/companies/${id}/contact-persons`, contact({ email: "x" }), partnerA, newKey()),
      ],
    ];
    const personCalls: [string, (id: number) => Promise<Response>][] = [
      ["GET contact person", (id) => get(`/contact-persons/${id}`, partnerA)],
      [
        "approve contact person",
        (id) =>
          post(`/contact-persons/${id}/approval`, { decision: "approve" }, partnerA, {
            "if-match": bPersonTag,
          }),
      ],
      [
        "approve contact person without If-Match",
        (id) => post(`/contact-persons/${id}/approval`, { decision: "approve" }, partnerA),
      ],
    ];
    const strip = (p: Json, id: number) =>
      JSON.parse(JSON.stringify(p).replaceAll(String(id), "ID")) as Json;
    for (const [what, call] of [
      ...calls.map(([w, c]) => [w, c, b.id] as const),
      ...personCalls.map(([w, c]) => [w, c, bPerson.id] as const),
    ].map(([w, c, id]) => [w, { c, id }] as const)) {
      const foreign = await problem(await call.c(call.id), 404);
      const missing = await problem(await call.c(MISSING), 404);
      expect(strip(foreign, call.id), what).toEqual(strip(missing, MISSING));
      expect(foreign.type, what).toBe("urn:acs:problem:not-found");
    }

    // The list shows the partner's own company only, whatever the filter.
    for (const query of ["", "?status=approved", "?limit=1"]) {
      const list = (await (await get(`/companies${query}`, partnerA)).json()) as {
        items: Json[];
      };
      expect(list.items.map((c) => c.id)).toEqual([a.id]);
    }
    // Nothing changed at B.
    expect(await etagOf(`/companies/${b.id}`)).toBe(bTag);
    expect(await etagOf(`/contact-persons/${bPerson.id}`)).toBe(bPersonTag);
    // The partner does see its own company.
    expect((await get(`/companies/${a.id}`, partnerA)).status).toBe(200);
  });

  it("documents the routes and their problem responses in the OpenAPI document", async () => {
    const response = await get("/openapi.json");
    const doc = (await response.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(response.status, JSON.stringify(doc)).toBe(200);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        "POST /companies",
        "GET /companies",
        "GET /companies/{companyId}",
        "POST /companies/{companyId}/approval",
        "POST /companies/{companyId}/contact-persons",
        "GET /contact-persons/{contactPersonId}",
        "POST /contact-persons/{contactPersonId}/approval",
      ]),
    );
    expect(Object.keys(doc.paths["/companies"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "409", "422"]),
    );
    expect(
      Object.keys(doc.paths["/companies/{companyId}/approval"]?.post?.responses ?? {}),
    ).toEqual(expect.arrayContaining(["200", "403", "404", "409", "412", "428"]));
    expect(JSON.stringify(doc.paths["/companies"]?.post?.responses["409"])).toContain(
      "application/problem+json",
    );
  });
});
