import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actors } from "../../iam/workflow-support.js";
import {
  type Api,
  companyInput,
  contactPerson,
  expectProblem,
  expectStatus,
  idem,
  physicalEntry,
  postIfMatch,
  startApi,
} from "./support.js";

/**
 * Chapter 3 (and annex a): Wholesale registers the customer with one or more contact
 * persons; a KPN manager approves (never the one who registered); the customer profile is
 * set up; only then do contact persons work for their company.
 */
describe("chapter 3: a company is registered, approved and given its profile", () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  it("reports every problem of a registration at once, as JSON pointers, registering nothing", async () => {
    const body = companyInput({
      customerName: " ",
      kvkNumber: "1234",
      address: {
        street: "Havenweg",
        number: "0",
        postcode: "3011 AA",
        city: "Rotterdam",
        country: "NL",
      },
      contactPersons: [
        contactPerson({ email: "info@vezelnet.nl", mobile: "0612" }),
        contactPerson({ email: "m.smit@hotmail.com", idType: "visa" }),
      ],
    });
    const refused = await api.call("POST", "/companies", {
      as: actors.admin,
      body,
      headers: idem(),
    });
    const problem = expectProblem(refused, 422);
    const paths = [...new Set(problem.errors.map((e: { path: string }) => e.path))].sort();
    expect(paths).toEqual(
      [
        "/customerName",
        "/kvkNumber",
        "/address/number",
        "/contactPersons/0/email",
        "/contactPersons/0/mobile",
        "/contactPersons/1/email",
        "/contactPersons/1/idType",
      ].sort(),
    );
    const none = await api.call("POST", "/companies", {
      as: actors.admin,
      body: companyInput({ contactPersons: [] }),
      headers: idem(),
    });
    expect(expectProblem(none, 422).errors).toEqual([
      expect.objectContaining({ path: "/contactPersons" }),
    ]);
    const list = expectStatus(await api.call("GET", "/companies", { as: actors.admin }), 200);
    expect(list.items.map((c: { kvkNumber: string }) => c.kvkNumber)).not.toContain("11223344");
  });

  it("is approved by a manager other than the registrant, contact persons with it", async () => {
    const created = expectStatus(
      await api.call("POST", "/companies", {
        as: actors.manager,
        body: companyInput({
          contactPersons: [
            contactPerson(),
            contactPerson({ initials: "A.", surname: "Bos", email: "a.bos@vezelnet.nl" }),
          ],
        }),
        headers: idem(),
      }),
      201,
    );
    expect(created).toMatchObject({ status: "pending", requestedBy: actors.manager.accountId });
    expect(created.contactPersons.map((p: { status: string }) => p.status)).toEqual([
      "pending",
      "pending",
    ]);
    const path = `/companies/${created.id}`;

    // A partner never sees another company; the registrant cannot approve its own request.
    expect((await api.call("GET", path, { as: api.f.partnerA })).status).toBe(404);
    const own = await postIfMatch(api, path, "approval", { decision: "approve" }, actors.manager);
    expectProblem(own, 403, "OWN_REQUEST");
    const noTag = await api.call("POST", `${path}/approval`, {
      as: actors.manager2,
      body: { decision: "approve" },
    });
    expect(noTag.status).toBe(428);
    const rejectWithoutWhy = await postIfMatch(
      api,
      path,
      "approval",
      { decision: "reject" },
      actors.manager2,
    );
    expectProblem(rejectWithoutWhy, 422);

    const approved = expectStatus(
      await postIfMatch(api, path, "approval", { decision: "approve" }, actors.manager2),
      200,
    );
    expect(approved).toMatchObject({ status: "approved", decidedBy: actors.manager2.accountId });
    expect(approved.contactPersons.map((p: { status: string }) => p.status)).toEqual([
      "approved",
      "approved",
    ]);
    const again = await postIfMatch(
      api,
      path,
      "approval",
      { decision: "approve" },
      actors.manager2,
    );
    expectProblem(again, 409, "NOT_PENDING");
    // The doors know the company from now on (its state row).
    const state = api.f.commands.store.db
      .prepare("SELECT name FROM company WHERE name = ?")
      .get("Vezelnet B.V.");
    expect(state).toEqual({ name: "Vezelnet B.V." });
  });

  it("refuses a second registration of a KvK number with 409 naming the company that has it", async () => {
    const first = expectStatus(
      await api.call("POST", "/companies", {
        as: actors.admin,
        body: companyInput(),
        headers: idem(),
      }),
      201,
    );
    const duplicate = await api.call("POST", "/companies", {
      as: actors.manager,
      body: companyInput({ customerName: "Vezel 2", kvkName: "Vezel Twee B.V." }),
      headers: idem(),
    });
    const problem = expectProblem(duplicate, 409, "DUPLICATE_KVK");
    expect(problem.existing).toEqual({ id: first.id, kvkName: "Vezelnet B.V.", status: "pending" });
    // The fixture's approved company A holds 12345678.
    const taken = await api.call("POST", "/companies", {
      as: actors.admin,
      body: companyInput({ kvkNumber: "12345678" }),
      headers: idem(),
    });
    expect(expectProblem(taken, 409, "DUPLICATE_KVK").existing).toMatchObject({
      id: api.f.companyA,
      status: "approved",
    });
  });

  it("sets up the customer profile and adds a contact person, approved by a manager", async () => {
    const { f, call } = api;
    const entryId = await physicalEntry(api, "AMS01-APPARATUURZAAL", f.area, [f.companyA]);
    const profile = expectStatus(
      await call("GET", `/companies/${f.companyA}/profile`, { as: f.partnerA }),
      200,
    );
    expect(profile.items.map((e: { id: number }) => e.id)).toEqual([entryId]);
    expect((await call("GET", `/companies/${f.companyA}/profile`, { as: f.partnerB })).status).toBe(
      404,
    );
    // Only Wholesale maintains profiles.
    const bySelf = await call("PUT", `/companies/${f.companyA}/profile/${entryId}`, {
      as: f.partnerA,
    });
    expectProblem(bySelf, 403);

    const added = expectStatus(
      await call("POST", `/companies/${f.companyA}/contact-persons`, {
        as: f.partnerA,
        body: contactPerson({ email: "r.vos@netbouw.nl", surname: "Vos" }),
        headers: idem(),
      }),
      201,
    );
    expect(added.status).toBe("pending");
    const path = `/contact-persons/${added.id}`;
    expectProblem(
      await postIfMatch(api, path, "approval", { decision: "approve" }, f.partnerA),
      403,
    );
    const approved = expectStatus(
      await postIfMatch(api, path, "approval", { decision: "approve" }, actors.manager),
      200,
    );
    expect(approved).toMatchObject({ status: "approved", decidedBy: actors.manager.accountId });
  });
});
