import { generateSigningKeyPair, keyFingerprint } from "@acs/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actors } from "../iam/workflow-actors.js";
import { type Api, expectProblem, expectStatus, startApi } from "./chapters/api.js";

describe("the edges' keys over the API", () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it("an administrator registers an edge's key for its site and retires it; both are audited", async () => {
    const { call } = api;
    const pair = generateSigningKeyPair("edge");
    const key = expectStatus(
      await call("POST", "/edge-keys", {
        as: actors.admin,
        body: { site: "ams01", publicKeyPem: pair.publicKeyPem },
      }),
      201,
    );
    expect(key).toMatchObject({
      keyId: `ams01-${keyFingerprint(pair.publicKeyPem)}`,
      site: "ams01",
      state: "registered",
      retiredAt: null,
    });
    const listed = expectStatus(
      await call("GET", "/edge-keys?site=ams01", { as: actors.auditor }),
      200,
    );
    expect(listed.items.map((k: { keyId: string }) => k.keyId)).toEqual([key.keyId]);
    const retired = expectStatus(
      await call("POST", `/edge-keys/${key.keyId}/retire`, {
        as: actors.admin,
        body: { reason: "controller replaced" },
      }),
      200,
    );
    expect(retired).toMatchObject({ state: "retired", retiredReason: "controller replaced" });
    const audit = expectStatus(
      await call("GET", "/audit?entity=edge-key", { as: actors.auditor }),
      200,
    );
    expect(audit.items.map((r: { action: string }) => r.action)).toEqual(["register", "retire"]);
  });

  it("refuses others, a bad key, an unknown site and a key registered twice", async () => {
    const { call } = api;
    const pair = generateSigningKeyPair("edge");
    const body = { site: "ams01", publicKeyPem: pair.publicKeyPem };
    expectProblem(await call("POST", "/edge-keys", { as: actors.helpdesk, body }), 403);
    expectProblem(await call("GET", "/edge-keys", { as: actors.helpdesk }), 403);
    expectProblem(await call("POST", "/edge-keys", { body }), 401);
    expectProblem(
      await call("POST", "/edge-keys", { as: actors.admin, body: { ...body, publicKeyPem: "x" } }),
      400,
    );
    expectProblem(
      await call("POST", "/edge-keys", { as: actors.admin, body: { ...body, site: "nowhere" } }),
      404,
    );
    expectStatus(await call("POST", "/edge-keys", { as: actors.admin, body }), 201);
    expectProblem(
      await call("POST", "/edge-keys", { as: actors.admin, body: { ...body, site: "rtm01" } }),
      404,
    );
    expectProblem(
      await call("POST", "/edge-keys/nobody/retire", { as: actors.admin, body: { reason: "x" } }),
      404,
    );
  });
});
