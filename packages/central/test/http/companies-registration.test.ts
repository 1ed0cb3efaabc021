import { describe, expect, it } from "vitest";
import { contact, registration } from "../iam/support.js";
import { companyRoutesServer, type Json, NOW } from "./companies-support.js";

describe("company routes over a real port and a real SQLite file", () => {
  const { approve, etagOf, get, newKey, post, problem, register } = companyRoutesServer();

  it("answers 401 to every company route without a token", async () => {
    const calls = [
      post("/companies", registration(), undefined, newKey()),
      get("/companies"),
      get("/companies/1"),
      post("/companies/1/approval", { decision: "approve" }, undefined, { "if-match": '"x"' }),
      post("/companies/1/contact-persons", contact(), undefined, newKey()),
      get("/contact-persons/1"),
      post("/contact-persons/1/approval", { decision: "approve" }, undefined, {
        "if-match": '"x"',
      }),
    ];
    for (const response of await Promise.all(calls)) {
      const body = await problem(response, 401);
      expect(body.type).toBe("urn:acs:problem:unauthorized");
    }
  });

  it("reports every invalid field of a registration at once, as JSON pointers (422)", async () => {
    const body = registration({
      customerName: " ",
      kvkNumber: "1234",
      address: {
        street: "Industrieweg",
        number: "0",
        postcode: "12345",
        city: "Amersfoort",
        country: "NL",
      },
      contactPersons: [contact({ email: "info@gmail.com", mobile: "0612", idType: "visa" })],
    });
    const response = await post("/companies", body, "manager-1", newKey());
    const p = await problem(response, 422);
    expect(p.type).toBe("urn:acs:problem:validation");
    const paths = [...new Set((p.errors as { path: string }[]).map((e) => e.path))].sort();
    expect(paths).toEqual(
      [
        "/customerName",
        "/kvkNumber",
        "/address/number",
        "/contactPersons/0/email",
        "/contactPersons/0/mobile",
        "/contactPersons/0/idType",
      ].sort(),
    );
    // A malformed body (unknown field, wrong type) is the route schema's 400.
    const malformed = await post(
      "/companies",
      { ...registration(), extra: 1, kvkNumber: 12345678 },
      "manager-1",
      newKey(),
    );
    const q = await problem(malformed, 400);
    expect((q.errors as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(["/extra", "/kvkNumber"]),
    );
    // Nothing was registered.
    const list = (await (await get("/companies", "manager-1")).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it("registers once per Idempotency-Key (201, Location, replay) and requires the key", async () => {
    const key = newKey();
    const first = await post(
      "/companies",
      registration({ kvkNumber: "10000001" }),
      "manager-1",
      key,
    );
    expect(first.status).toBe(201);
    const created = (await first.json()) as Json & { id: number; contactPersons: Json[] };
    expect(first.headers.get("location")).toBe(`/companies/${created.id}`);
    expect(first.headers.get("etag")).toMatch(/^"[^"]+"$/);
    expect(created).toMatchObject({
      status: "pending",
      kvkNumber: "10000001",
      requestedBy: "manager-1",
      requestedAt: new Date(NOW).toISOString(),
    });
    expect(created.contactPersons).toHaveLength(1);

    const again = await post(
      "/companies",
      registration({ kvkNumber: "10000001" }),
      "manager-1",
      key,
    );
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/companies/${created.id}`);
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(await again.json()).toEqual(created);

    const list = (await (await get("/companies", "manager-1")).json()) as { items: Json[] };
    expect(list.items.filter((c) => c.kvkNumber === "10000001")).toHaveLength(1);

    const noKey = await post("/companies", registration({ kvkNumber: "10000009" }), "manager-1");
    const p = await problem(noKey, 400);
    expect(p.errors).toEqual([expect.objectContaining({ path: "/idempotency-key" })]);
  });

  it("refuses a duplicate KvK number with 409 naming the existing company", async () => {
    const existing = await register("10000002");
    const response = await post(
      "/companies",
      registration({ kvkNumber: "10000002", customerName: "Other" }),
      "admin-1",
      newKey(),
    );
    const p = await problem(response, 409);
    expect(p).toMatchObject({
      type: "urn:acs:problem:conflict",
      rule: "DUPLICATE_KVK",
      existing: { id: existing.id, kvkName: "Netbouw Infra B.V.", status: "pending" },
    });
    expect(p.detail).toContain(String(existing.id));
  });

  it("approves with If-Match only (428 without, 412 stale), never by the submitter", async () => {
    const company = await register("10000003");
    const path = `/companies/${company.id}`;
    const tag = await etagOf(path);

    // GET with the current tag: 304; the submitter is refused by the four-eyes rule.
    expect((await get(path, "manager-2", { "if-none-match": tag })).status).toBe(304);
    const own = await post(`${path}/approval`, { decision: "approve" }, "manager-1", {
      "if-match": tag,
    });
    expect(await problem(own, 403)).toMatchObject({
      type: "urn:acs:problem:forbidden",
      rule: "OWN_REQUEST",
    });

    const without = await post(`${path}/approval`, { decision: "approve" }, "manager-2");
    expect((await problem(without, 428)).type).toBe("urn:acs:problem:precondition-required");
    const stale = await post(`${path}/approval`, { decision: "approve" }, "manager-2", {
      "if-match": '"stale"',
    });
    expect((await problem(stale, 412)).type).toBe("urn:acs:problem:precondition-failed");
    const noComment = await post(`${path}/approval`, { decision: "reject" }, "manager-2", {
      "if-match": tag,
    });
    expect((await problem(noComment, 422)).errors).toEqual([
      expect.objectContaining({ path: "/comment" }),
    ]);
    // Still pending after all the refusals.
    expect(await etagOf(path)).toBe(tag);

    const ok = await post(`${path}/approval`, { decision: "approve", comment: "ok" }, "manager-2", {
      "if-match": tag,
    });
    expect(ok.status).toBe(200);
    const decided = (await ok.json()) as Json & { contactPersons: Json[] };
    expect(decided).toMatchObject({
      status: "approved",
      decidedBy: "manager-2",
      decisionComment: "ok",
    });
    expect(decided.contactPersons.every((p) => p.status === "approved")).toBe(true);
    const newTag = ok.headers.get("etag");
    expect(newTag).not.toBe(tag);
    expect(await etagOf(path)).toBe(newTag);
    expect((await get(path, "manager-2", { "if-none-match": tag })).status).toBe(200);

    // Deciding again (current tag): the rule answers 409.
    const twice = await post(
      `${path}/approval`,
      { decision: "reject", comment: "no" },
      "manager-2",
      {
        "if-match": newTag as string,
      },
    );
    expect(await problem(twice, 409)).toMatchObject({
      type: "urn:acs:problem:rule",
      rule: "NOT_PENDING",
    });
  });

  it("adds and approves a contact person of an approved company", async () => {
    const pending = await register("10000004");
    const early = await post(
      `/companies/${pending.id}/contact-persons`,
      contact(),
      "manager-1",
      newKey(),
    );
    expect(await problem(early, 409)).toMatchObject({ rule: "COMPANY_NOT_APPROVED" });

    await approve(`/companies/${pending.id}`);
    const key = newKey();
    const partner = `partner-${pending.id}`;
    const added = await post(
      `/companies/${pending.id}/contact-persons`,
      contact({ surname: "Jansen" }),
      partner,
      key,
    );
    expect(added.status).toBe(201);
    const person = (await added.json()) as Json & { id: number };
    expect(added.headers.get("location")).toBe(`/contact-persons/${person.id}`);
    expect(person).toMatchObject({
      status: "pending",
      companyId: pending.id,
      requestedBy: partner,
    });
    const replay = await post(
      `/companies/${pending.id}/contact-persons`,
      contact({ surname: "Jansen" }),
      partner,
      key,
    );
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(person);

    // A partner contact may not decide; a manager needs If-Match.
    const path = `/contact-persons/${person.id}`;
    const byPartner = await post(`${path}/approval`, { decision: "approve" }, partner, {
      "if-match": await etagOf(path, partner),
    });
    expect(await problem(byPartner, 403)).toMatchObject({ rule: "ROLE" });
    await problem(await post(`${path}/approval`, { decision: "approve" }, "manager-2"), 428);
    const decided = await approve(path);
    expect(decided).toMatchObject({ status: "approved", decidedBy: "manager-2" });
  });

  it("pages the list by id with a cursor", async () => {
    const first = (await (await get("/companies?limit=2", "manager-1")).json()) as {
      items: Json[];
      nextCursor: string | null;
    };
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (
      await get(`/companies?limit=2&cursor=${first.nextCursor}`, "manager-1")
    ).json()) as { items: { id: number }[] };
    expect(second.items[0]?.id).toBeGreaterThan(first.items[1]?.id as number);
    const pending = (await (await get("/companies?status=pending", "manager-1")).json()) as {
      items: Json[];
    };
    expect(pending.items.every((c) => c.status === "pending")).toBe(true);
    await problem(await get("/companies?status=open", "manager-1"), 400);
    await problem(await get("/companies?other=1", "manager-1"), 400);
  });
});
