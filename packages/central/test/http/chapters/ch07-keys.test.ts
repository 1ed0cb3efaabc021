import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actors } from "../../iam/workflow-support.js";
import {
  type Api,
  approvedCompany,
  catalogueEntry,
  contactPerson,
  decide,
  employeeWithCard,
  expectProblem,
  expectStatus,
  facts,
  grantThroughBasket,
  idem,
  keyIssueOf,
  newEmployee,
  notifications,
  startApi,
  submitRequest,
} from "./support.js";

/**
 * Chapter 7: system keys ("Sleutels Wholesale") go through the basket like authorizations;
 * KVD and street-cabinet keys need the certificates KVD and TTG and are not for colocation
 * customers; the key goes to the address in IAM (checked first), and comes back when the
 * access ends.
 */
describe("chapter 7: requesting keys", () => {
  let api: Api;
  let zKey: number;
  let kvdKey: number;
  beforeEach(async () => {
    api = await startApi();
    const { f } = api;
    const key = (code: string, keyType: string, cabinet: boolean) => ({
      code,
      service: "key",
      name: `Sleutels Wholesale - ${keyType}`,
      keyType,
      requiredCertificates: cabinet ? ["KVD", "TTG"] : [],
      excludesColocation: cabinet,
    });
    zKey = await catalogueEntry(api, key("KEY-Z", "Z", false), [f.companyA]);
    kvdKey = await catalogueEntry(api, key("KEY-KVD-ALL", "KVD-ALL", true), [f.companyA]);
  });
  afterEach(() => api.close());

  const certificate = (personId: number, type: string) =>
    api.call("POST", "/certificates", {
      as: actors.institute,
      body: { personId, type, validFrom: "2026-03-01", validUntil: "2027-03-01" },
      headers: idem(),
    });

  it("needs the certificates KVD and TTG for KVD keys", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const ask = () =>
      call("POST", "/basket/items", {
        as: f.partnerA,
        body: { employmentIds: [jan.employmentId], entryId: kvdKey, action: "grant" },
        headers: idem(),
      });
    const none = expectProblem(await ask(), 422);
    expect(none.errors[0].message).toMatch(/^CERTIFICATE_MISSING: .*KVD, TTG$/);
    expectStatus(await certificate(jan.personId, "KVD"), 201);
    expect(expectProblem(await ask(), 422).errors[0].message).toMatch(
      /needs a valid certificate TTG$/,
    );
    expectStatus(await certificate(jan.personId, "TTG"), 201);
    expect(expectStatus(await ask(), 201).items).toHaveLength(1);
  });

  it("offers no KVD keys to a colocation customer", async () => {
    const { call } = api;
    const colo = await approvedCompany(api, {
      colocation: true,
      contactPersons: [contactPerson({ email: "m.smit@colo.nl" })],
    });
    expectStatus(
      await call("PUT", `/companies/${colo.id}/profile/${kvdKey}`, { as: actors.admin }),
      200,
    );
    const e = await newEmployee(api, actors.admin, colo.id, facts("Colo"));
    const refused = await call("POST", "/basket/items", {
      as: actors.admin,
      body: { employmentIds: [e.employmentId], entryId: kvdKey, action: "grant" },
      headers: idem(),
    });
    expectProblem(refused, 409, "EXCLUDED_FOR_COLOCATION");
  });

  it("ships a key to the address shown first, issues it, and takes it back when the access ends", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    // "Controleer goed of het adres in IAM hoort bij de desbetreffende persoon."
    const preview = expectStatus(
      await call("GET", `/employments/${jan.employmentId}/card-request-preview`, {
        as: f.partnerA,
      }),
      200,
    );
    const [approved] = await grantThroughBasket(api, f.partnerA, [jan.employmentId], zKey);
    const keyId = await keyIssueOf(api, approved.authorizationId);
    const path = `/keys/${keyId}`;
    const key = expectStatus(await call("GET", path, { as: f.partnerA }), 200);
    expect(key).toMatchObject({
      status: "approved",
      keyType: "Z",
      employmentId: jan.employmentId,
      shippingAddress: {
        name: preview.address.name,
        street: "Kerkstraat",
        number: "1",
        postcode: "1017 GC",
      },
    });
    expect((await call("GET", path, { as: f.partnerB })).status).toBe(404);

    // Wholesale records each step, each only from the step before.
    expectProblem(
      await call("POST", `${path}/shipment`, { as: f.partnerA, body: { addressConfirmed: true } }),
      403,
    );
    expect(
      (
        await call("POST", `${path}/shipment`, {
          as: actors.admin,
          body: { addressConfirmed: false },
        })
      ).status,
    ).toBe(400);
    expectProblem(await call("POST", `${path}/issue`, { as: actors.admin }), 409, "KEY_STATUS");
    const shipped = expectStatus(
      await call("POST", `${path}/shipment`, {
        as: actors.admin,
        body: { addressConfirmed: true },
      }),
      200,
    );
    expect(shipped).toMatchObject({ status: "shipped", shippedAt: expect.any(String) });
    expect(notifications(f, "key-shipped")).toEqual([
      expect.objectContaining({
        recipient: "jansen@netbouw.nl",
        parameters: { keyId: String(keyId), keyType: "Z" },
      }),
    ]);
    expect(
      expectStatus(await call("POST", `${path}/issue`, { as: actors.admin }), 200).status,
    ).toBe("issued");
    expectProblem(await call("POST", `${path}/return`, { as: actors.admin }), 409, "KEY_STATUS");

    // The key authorization is revoked through the basket: the key is expected back.
    const [revoke] = await submitRequest(api, f.partnerA, [jan.employmentId], zKey, "revoke");
    expectStatus(await decide(api, revoke?.id ?? 0), 200);
    expect(expectStatus(await call("GET", path, { as: f.partnerA }), 200)).toMatchObject({
      status: "to-return",
      returnRequestedAt: expect.any(String),
    });
    const toReturn = expectStatus(await call("GET", "/keys/to-return", { as: f.partnerA }), 200);
    expect(toReturn.items.map((k: { id: number }) => k.id)).toEqual([keyId]);
    expect(
      expectStatus(await call("GET", "/keys/to-return", { as: f.partnerB }), 200).items,
    ).toEqual([]);
    expect(
      expectStatus(await call("POST", `${path}/return`, { as: actors.admin }), 200).status,
    ).toBe("returned");
    expect(
      expectStatus(await call("GET", "/keys/to-return", { as: actors.admin }), 200).items,
    ).toEqual([]);
  });
});
