import { describe, expect, it } from "vitest";
import { registerCertificateRoutes } from "../../src/http/certificate-routes.js";
import { CertificateService } from "../../src/iam/certificates/service.js";
import {
  type ApiCaller,
  actors,
  seedEmployment,
  type WorkflowFixture,
} from "../iam/workflow-support.js";
import { serverPerTest } from "./route-server.js";

describe("certificate routes", () => {
  let f: WorkflowFixture;
  let call: ApiCaller;
  let keys = 0;
  const startServer = serverPerTest();

  async function start() {
    ({ f, call } = await startServer((fixture) => {
      const certificates = new CertificateService(fixture.ctx);
      return (a, context) => registerCertificateRoutes(a, { context, certificates });
    }));
  }

  const key = () => ({ "idempotency-key": `cert-${++keys}` });
  const body = (personId: number, over: Record<string, unknown> = {}) => ({
    personId,
    type: "VCA",
    validFrom: "2026-01-01",
    validUntil: "2026-06-01",
    ...over,
  });

  it("registers a certificate once per Idempotency-Key, by the training institute only", async () => {
    await start();
    const { personId } = await seedEmployment(f, f.companyA);
    const headers = key();
    const created = await call("POST", "/certificates", {
      as: actors.institute,
      body: body(personId),
      headers,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      personId,
      type: "VCA",
      state: "valid",
      validUntil: new Date(f.ctx.workingDays.startOfDay("2026-06-01")).toISOString(),
    });
    expect(created.headers.get("location")).toBe(`/certificates/${created.body.id}`);
    const replay = await call("POST", "/certificates", {
      as: actors.institute,
      body: body(personId),
      headers,
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.id).toBe(created.body.id);
    const count = await f.ctx.db.selectFrom("iam_certificate").select("id").execute();
    expect(count).toHaveLength(1);

    const forbidden = await call("POST", "/certificates", {
      as: actors.admin,
      body: body(personId),
      headers: key(),
    });
    expect(forbidden.status).toBe(403);
    const noKey = await call("POST", "/certificates", {
      as: actors.institute,
      body: body(personId),
    });
    expect(noKey.status).toBe(400);
    const anonymous = await call("POST", "/certificates", { body: body(personId), headers: key() });
    expect(anonymous.status).toBe(401);
  });

  it("reports every invalid field at once (422) and a malformed body as 400", async () => {
    await start();
    const { personId } = await seedEmployment(f, f.companyA);
    const invalid = await call("POST", "/certificates", {
      as: actors.institute,
      body: body(personId, { type: "XYZ", validFrom: "2026-13-01", validUntil: "soon" }),
      headers: key(),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "/type",
      "/validFrom",
      "/validUntil",
    ]);
    const malformed = await call("POST", "/certificates", {
      as: actors.institute,
      body: { ...body(personId), extra: true },
      headers: key(),
    });
    expect(malformed.status).toBe(400);
  });

  it("shows a person's certificates to its own partner, 404 to another", async () => {
    await start();
    const { personId } = await seedEmployment(f, f.companyA);
    const created = await call("POST", "/certificates", {
      as: actors.institute,
      body: body(personId),
      headers: key(),
    });
    const id = created.body.id as number;
    const list = await call("GET", `/persons/${personId}/certificates`, { as: f.partnerA });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [created.body], nextCursor: null });
    expect((await call("GET", `/certificates/${id}`, { as: actors.auditor })).body).toEqual(
      created.body,
    );
    expect((await call("GET", `/certificates/${id}`, { as: f.partnerB })).status).toBe(404);
    expect(
      (await call("GET", `/persons/${personId}/certificates`, { as: f.partnerB })).status,
    ).toBe(404);
    expect((await call("GET", "/certificates/999", { as: actors.admin })).status).toBe(404);
  });

  it("documents its operations in the OpenAPI document", async () => {
    await start();
    const doc = await call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const text = JSON.stringify(doc.body);
    for (const op of ["registerCertificate", "getCertificate", "listPersonCertificates"]) {
      expect(text).toContain(`"operationId":"${op}"`);
    }
  });
});
