import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { checkIfMatch, etag } from "../../src/http/conditional.js";
import { problemResponses } from "../../src/http/problem.js";
import { type ApiServer, buildServer } from "../../src/http/server.js";
import { CentralCommands, type CentralStore, openCentralStore } from "../../src/index.js";

const NOW = Date.parse("2026-03-02T09:00:00Z");
const SITES = ["ams-bsl", "ams-zuid", "dh-cen", "ehv-str", "gn-hfd", "rtd-whv", "utr-ccs"];

/** A test-only creating route: exercises validation, idempotency and If-Match. */
function testRoutes(
  app: ApiServer,
  idempotency: Awaited<ReturnType<typeof buildServer>>["context"]["idempotency"],
) {
  let created = 0;
  app.post(
    "/test/things",
    {
      schema: {
        operationId: "createThing",
        body: z.strictObject({
          name: z.string().min(1),
          count: z.number().int(),
          address: z.strictObject({
            street: z.string(),
            postcode: z.string().regex(/^\d{4}[A-Z]{2}$/),
          }),
        }),
        response: {
          201: z.object({ id: z.number(), name: z.string() }),
          ...problemResponses(400, 422),
        },
      },
    },
    (request, reply) =>
      idempotency.run(request, reply, () => ({
        status: 201,
        body: { id: ++created, name: request.body.name },
      })),
  );
  app.put(
    "/test/things/:id",
    { schema: { params: z.strictObject({ id: z.string() }) } },
    (request, reply) => {
      checkIfMatch(request, 3);
      void reply.header("etag", etag(4)).code(204).send();
    },
  );
}

describe("the HTTP API foundation, listening on a real port over a real SQLite file", () => {
  let dir: string;
  let store: CentralStore;
  let app: ApiServer;
  let base: string;
  const logged: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-http-"));
    store = openCentralStore(join(dir, "central.db"), { clock: { now: () => NOW } });
    const commands = new CentralCommands(store);
    for (const id of SITES) commands.createSite({ id, name: `Exchange ${id}` });
    commands.setSitePolicy({ siteId: "ams-bsl", fingerprintRequired: true });
    const log = pino({ level: "info" }, { write: (line: string) => void logged.push(line) });
    const built = await buildServer({ store, log, now: () => NOW });
    app = built.app;
    testRoutes(app, built.context.idempotency);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  async function problem(response: Response, status: number) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/ at .*\.(ts|js):\d+/);
    return body;
  }

  it("serves a valid OpenAPI 3.1 document listing every route with its schemas", async () => {
    const response = await get("/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>
      >;
      components?: { schemas?: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        "GET /health",
        "GET /openapi.json",
        "GET /sites",
        "GET /sites/{siteId}",
        "POST /test/things",
        "PUT /test/things/{id}",
      ].sort(),
    );
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops))
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    }
    const site = doc.paths["/sites/{siteId}"]?.get;
    expect(site?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "siteId", in: "path", required: true }),
      ]),
    );
    expect(site?.responses["404"]).toMatchObject({
      content: { "application/problem+json": { schema: expect.any(Object) } },
    });
    const list = doc.paths["/sites"]?.get;
    expect(list?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "limit", in: "query" }),
        expect.objectContaining({ name: "cursor", in: "query" }),
      ]),
    );
    // Every $ref resolves within the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.slice(8, -1).replace("#/components/schemas/", "");
      expect(doc.components?.schemas?.[name], ref).toBeDefined();
    }
  });

  it("answers /health", async () => {
    const response = await get("/health");
    expect(await response.json()).toEqual({
      status: "ok",
      time: new Date(NOW).toISOString(),
      sites: SITES.length,
    });
  });

  it("gives a site with its version as ETag, and 304 for a current copy", async () => {
    const response = await get("/sites/ams-bsl");
    expect(response.status).toBe(200);
    const site = (await response.json()) as {
      version: number;
      policy: { fingerprintRequired: boolean };
    };
    expect(site).toMatchObject({ id: "ams-bsl", name: "Exchange ams-bsl", version: 2 });
    expect(site.policy.fingerprintRequired).toBe(true);
    expect(response.headers.get("etag")).toBe('"2"');
    const again = await get("/sites/ams-bsl", { "if-none-match": '"2"' });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect((await get("/sites/ams-bsl", { "if-none-match": 'W/"1", "7"' })).status).toBe(200);
    const missing = await problem(await get("/sites/nope"), 404);
    expect(missing).toMatchObject({ instance: "/sites/nope", detail: 'no site with id "nope"' });
    const bad = await problem(await get("/sites/NOT%20A%20SITE"), 400);
    expect(bad.errors).toEqual([expect.objectContaining({ path: "/siteId", in: "params" })]);
  });

  it("walks all sites exactly once, page by page", async () => {
    for (const limit of [1, 2, 3, 7, 50]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
        const response = await get(`/sites${query}`);
        expect(response.status).toBe(200);
        const page = (await response.json()) as {
          items: { id: string }[];
          nextCursor: string | null;
        };
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 20);
      expect(seen).toEqual(SITES);
      expect(pages).toBe(Math.max(1, Math.ceil(SITES.length / limit)));
    }
    const invalid = await problem(await get("/sites?cursor=bm90LWEtY3Vyc29y"), 400);
    expect(invalid.errors).toEqual([expect.objectContaining({ path: "/cursor" })]);
  });

  it("names every invalid query parameter at once, unknown ones included", async () => {
    const body = await problem(await get("/sites?limit=0&cursor=%2B%2B&colour=red"), 400);
    expect(body).toMatchObject({ type: "urn:acs:problem:validation", instance: "/sites" });
    const paths = (body.errors as { path: string; in: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(["/colour", "/cursor", "/limit"]);
    expect((await problem(await get("/sites?limit=abc"), 400)).errors).toEqual([
      expect.objectContaining({ path: "/limit", in: "querystring" }),
    ]);
  });

  it("names every invalid body field at once: wrong types, missing and unknown fields", async () => {
    const body = await problem(
      await post("/test/things", {
        name: 42,
        count: "three",
        address: { street: "Kerkstraat 1", postcode: "12", city: "Amsterdam" },
        extra: true,
      }),
      400,
    );
    const errors = body.errors as { path: string; in: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(
      ["/address/city", "/address/postcode", "/count", "/extra", "/name"].sort(),
    );
    for (const e of errors) expect(e).toMatchObject({ in: "body", message: expect.any(String) });
    const missing = await problem(await post("/test/things", { name: "x" }), 400);
    expect((missing.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      "/address",
      "/count",
    ]);
    await problem(await post("/test/things", "{not json"), 400);
  });

  it("refuses an oversized body with 413", async () => {
    const big = {
      name: "x".repeat(70 * 1024),
      count: 1,
      address: { street: "s", postcode: "1234AB" },
    };
    const body = await problem(await post("/test/things", big), 413);
    expect(body.type).toBe("urn:acs:problem:body-too-large");
  });

  it("answers unknown routes with a 404 problem", async () => {
    const body = await problem(await get("/nowhere?secret=1"), 404);
    expect(body.instance).toBe("/nowhere");
  });

  it("replays the first response of an idempotency key, and refuses it for another body", async () => {
    const thing = {
      name: "door",
      count: 1,
      address: { street: "Kerkstraat 1", postcode: "1017GC" },
    };
    const first = await post("/test/things", thing, { "idempotency-key": "k-1" });
    expect(first.status).toBe(201);
    const created = await first.json();
    // The same body with its keys in another order is the same request.
    const reordered = {
      address: { postcode: "1017GC", street: "Kerkstraat 1" },
      count: 1,
      name: "door",
    };
    const replay = await post("/test/things", reordered, { "idempotency-key": "k-1" });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(created);
    const other = await post("/test/things", { ...thing, count: 2 }, { "idempotency-key": "k-1" });
    expect((await problem(other, 422)).type).toBe("urn:acs:problem:idempotency-key-reused");
    const fresh = await post("/test/things", thing, { "idempotency-key": "k-2" });
    expect(await fresh.json()).toEqual({ id: (created as { id: number }).id + 1, name: "door" });
    const rows = store.db
      .prepare("SELECT key, route, status FROM http_idempotency ORDER BY key")
      .all();
    expect(rows).toEqual([
      { key: "k-1", route: "POST /test/things anonymous", status: 201 },
      { key: "k-2", route: "POST /test/things anonymous", status: 201 },
    ]);
  });

  it("checks If-Match: 428 when missing, 412 when stale, through when current", async () => {
    const put = (headers: Record<string, string>) =>
      fetch(`${base}/test/things/1`, { method: "PUT", headers });
    expect((await problem(await put({}), 428)).type).toBe("urn:acs:problem:precondition-required");
    expect((await problem(await put({ "if-match": '"2"' }), 412)).type).toBe(
      "urn:acs:problem:precondition-failed",
    );
    const ok = await put({ "if-match": '"3"' });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("etag")).toBe('"4"');
  });

  it("logs requests without bodies, headers or stacks", () => {
    const lines = logged.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThan(10);
    expect(requests[0]).toMatchObject({ method: expect.any(String), status: expect.any(Number) });
    const all = logged.join("\n");
    expect(all).not.toContain("Kerkstraat");
    expect(all).not.toContain("idempotency-key");
    expect(all).not.toContain("secret");
    expect(all).not.toMatch(/"stack"/);
  });
});
