import { afterEach, describe, expect, it } from "vitest";
import { registerCatalogueRoutes } from "../../src/http/catalogue-routes.js";
import type { ApiServer } from "../../src/http/server.js";
import { CatalogueService } from "../../src/iam/catalogue/service.js";
import {
  actors,
  type WorkflowFixture,
  workflowFixture,
  workflowServer,
} from "../iam/workflow-support.js";

let f: WorkflowFixture;
let app: ApiServer | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  f?.close();
});

describe("catalogue routes", () => {
  it("creates entries once per key, keeps profiles per company, hides company A from partner B", async () => {
    f = await workflowFixture();
    const server = await workflowServer(f, (a, context) =>
      registerCatalogueRoutes(a, { context, catalogue: new CatalogueService(f.ctx) }),
    );
    app = server.app;
    const { call } = server;
    const body = {
      code: "AMS01-APP",
      service: "physical",
      name: "TVA Wholesale - Doors: Amsterdam Centrale, Apparatuurzaal",
      siteId: "ams01",
      areaId: f.area,
    };
    expect((await call("POST", "/catalogue", { as: actors.admin, body })).status).toBe(400);
    expect(
      (
        await call("POST", "/catalogue", {
          as: f.partnerA,
          headers: { "idempotency-key": "c-0" },
          body,
        })
      ).status,
    ).toBe(403);
    const created = await call("POST", "/catalogue", {
      as: actors.admin,
      headers: { "idempotency-key": "c-1" },
      body,
    });
    expect(created.status).toBe(201);
    const replay = await call("POST", "/catalogue", {
      as: actors.admin,
      headers: { "idempotency-key": "c-1" },
      body,
    });
    expect(replay.body).toEqual(created.body);
    const duplicate = await call("POST", "/catalogue", {
      as: actors.admin,
      headers: { "idempotency-key": "c-2" },
      body,
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.rule).toBe("DUPLICATE_CODE");
    const id = created.body.id as number;
    const put = await call("PUT", `/companies/${f.companyA}/profile/${id}`, { as: actors.admin });
    expect(put.status).toBe(200);
    expect(
      (await call("GET", `/companies/${f.companyA}/profile`, { as: f.partnerA })).body.items,
    ).toMatchObject([{ id, code: "AMS01-APP" }]);
    expect((await call("GET", `/companies/${f.companyA}/profile`, { as: f.partnerB })).status).toBe(
      404,
    );
    expect((await call("GET", "/catalogue", { as: f.partnerB })).body.items).toEqual([]);
    expect(
      (await call("DELETE", `/companies/${f.companyA}/profile/${id}`, { as: f.partnerA })).status,
    ).toBe(403);
    expect(
      (await call("DELETE", `/companies/${f.companyA}/profile/${id}`, { as: actors.admin })).status,
    ).toBe(204);
    expect(
      (await call("GET", `/companies/${f.companyA}/profile`, { as: actors.manager })).body.items,
    ).toEqual([]);
  });
});
