import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../../src/iam/actor.js";
import { actors } from "../../iam/workflow-support.js";
import {
  type Api,
  at,
  authorizationState,
  decide,
  deltasSince,
  employeeWithCard,
  expectProblem,
  expectStatus,
  facts,
  grantThroughBasket,
  idem,
  lastSeq,
  notifications,
  physicalEntry,
  startApi,
  submitRequest,
} from "./support.js";

/**
 * Chapter 8: without the right certificates some authorizations and keys cannot be
 * requested; Dirksen (the training institute) registers the certificates in IAM. The
 * certificate is checked when requesting and again at approval; when it lapses the access
 * that needs it ends, at central and at the doors, after a warning ahead of time.
 */
describe("chapter 8: certificates", () => {
  let api: Api;
  let meetkamer: number;
  let zaal: number;
  beforeEach(async () => {
    api = await startApi();
    const { f } = api;
    meetkamer = await physicalEntry(api, "AMS01-MEETKAMER", f.certArea, [f.companyA]);
    zaal = await physicalEntry(api, "AMS01-APPARATUURZAAL", f.area, [f.companyA]);
  });
  afterEach(() => api.close());

  const register = (as: Actor, body: Record<string, unknown>) =>
    api.call("POST", "/certificates", { as, body, headers: idem() });
  const vca = (personId: number, validUntil: string) => ({
    personId,
    type: "VCA",
    validFrom: "2026-03-01",
    validUntil,
  });

  it("is registered by the training institute only, every problem reported at once", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    for (const who of [f.partnerA, actors.manager, actors.admin]) {
      expectProblem(await register(who, vca(jan.personId, "2027-03-01")), 403);
    }
    const invalid = await register(actors.institute, {
      personId: jan.personId,
      type: "DIPLOMA",
      validFrom: "2026-03-10",
      validUntil: "2026-03-01",
    });
    const paths = expectProblem(invalid, 422)
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(["/type", "/validUntil"]);
    expect((await register(actors.institute, vca(999_999, "2027-03-01"))).status).toBe(404);

    const created = expectStatus(
      await register(actors.institute, vca(jan.personId, "2027-03-01")),
      201,
    );
    expect(created).toMatchObject({
      type: "VCA",
      state: "valid",
      registeredBy: actors.institute.accountId,
    });
    const list = expectStatus(
      await call("GET", `/persons/${jan.personId}/certificates`, { as: f.partnerA }),
      200,
    );
    expect(list.items.map((c: { id: number }) => c.id)).toEqual([created.id]);
    expect((await call("GET", `/certificates/${created.id}`, { as: f.partnerB })).status).toBe(404);
  });

  it("is checked when requesting and again at approval", async () => {
    const { f } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const add = () =>
      api.call("POST", "/basket/items", {
        as: f.partnerA,
        body: { employmentIds: [jan.employmentId], entryId: meetkamer, action: "grant" },
        headers: idem(),
      });
    expect(expectProblem(await add(), 422).errors[0].message).toMatch(/^CERTIFICATE_MISSING/);
    expectStatus(await register(actors.institute, vca(jan.personId, "2026-03-05")), 201);
    const [item] = await submitRequest(api, f.partnerA, [jan.employmentId], meetkamer);
    // The certificate lapses before the manager gets to it.
    f.clock.set(at("2026-03-05T08:00:00+01:00"));
    await api.server.workflow.timers.runDue();
    const refused = expectProblem(await decide(api, item?.id ?? 0), 409, "CERTIFICATE_MISSING");
    expect(refused.detail).toMatch(/^cannot approve: .*VCA/);
    expect(
      expectStatus(await api.call("GET", `/request-items/${item?.id}`, { as: f.partnerA }), 200)
        .status,
    ).toBe("pending");
  });

  it("warns ahead of the end, then ends the access that needs it at central and at the doors", async () => {
    const { f } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    expectStatus(await register(actors.institute, vca(jan.personId, "2026-04-15")), 201);
    const [needsVca] = await grantThroughBasket(api, f.partnerA, [jan.employmentId], meetkamer);
    const [noCertificate] = await grantThroughBasket(api, f.partnerA, [jan.employmentId], zaal);

    // 30 days ahead: the engineer and the company's contacts are warned.
    f.clock.set(at("2026-03-16T09:00:00+01:00"));
    await api.server.workflow.timers.runDue();
    const warned = notifications(f, "certificate-expiry-warning");
    expect(warned.map((n) => n.recipient)).toEqual([
      "jansen@netbouw.nl",
      "acc-partner-a@example.nl",
    ]);
    expect(warned[0]?.parameters).toMatchObject({ type: "VCA", validUntil: "2026-04-15" });
    expect(authorizationState(f, needsVca.authorizationId).status).toBe("active");

    const seq = lastSeq(f);
    f.clock.set(at("2026-04-15T00:01:00+02:00"));
    await api.server.workflow.timers.runDue();
    const lapsed = authorizationState(f, needsVca.authorizationId);
    expect(lapsed).toMatchObject({ status: "lapsed", revokedAt: expect.any(Number) });
    const removed = deltasSince(f, seq).flatMap((d) => d.delete.authorizations ?? []);
    expect(removed).toContain(lapsed.stateId);
    // The access that needs no certificate stays.
    expect(authorizationState(f, noCertificate.authorizationId)).toMatchObject({
      status: "active",
      revokedAt: null,
    });
    expect(notifications(f, "access-lapsed").map((n) => n.parameters.entries)).toContain(
      "AMS01-MEETKAMER",
    );
    // Requesting it again needs a new certificate.
    const again = await api.call("POST", "/basket/items", {
      as: f.partnerA,
      body: { employmentIds: [jan.employmentId], entryId: meetkamer, action: "grant" },
      headers: idem(),
    });
    expect(expectProblem(again, 422).errors[0].message).toMatch(/^CERTIFICATE_MISSING/);
  });
});
