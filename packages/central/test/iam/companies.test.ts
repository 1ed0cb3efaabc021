import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/iam/index.js";
import { DAY, NOW } from "../support/fixture.js";
import { admin, contact, iamFixture, manager, manager2, registration } from "./support.js";

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );

describe("company registration: approval", () => {
  it("a registration is pending until another manager approves it", async () => {
    const { companies, clock } = iamFixture();
    const registered = await companies.register(manager, registration());
    expect(registered).toMatchObject({ status: "pending", requestedBy: "mgr-1", requestedAt: NOW });
    clock.advance(DAY);
    const approved = await companies.approve(manager2, registered.id, "KvK checked");
    expect(approved).toMatchObject({
      status: "approved",
      decidedBy: "mgr-2",
      decidedAt: NOW + DAY,
      decisionComment: "KvK checked",
    });
    // The contact persons registered with the company are approved with it.
    expect(approved.contactPersons.map((c) => c.status)).toEqual(["approved"]);
    expect((await companies.get(admin, registered.id)).status).toBe("approved");
  });

  it("a rejection needs a comment and rejects the registration's contact persons", async () => {
    const { companies } = iamFixture();
    const { id } = await companies.register(admin, registration());
    expect(await refusal(companies.reject(manager, id, " "))).toMatchObject({
      code: "INVALID",
      problems: [{ path: "comment", message: "required" }],
    });
    const rejected = await companies.reject(manager, id, "unknown at KvK");
    expect(rejected).toMatchObject({ status: "rejected", decisionComment: "unknown at KvK" });
    expect(rejected.contactPersons.map((c) => c.status)).toEqual(["rejected"]);
  });

  it("the registrant cannot approve or reject their own registration", async () => {
    const { companies } = iamFixture();
    const { id } = await companies.register(manager, registration());
    for (const decide of [
      () => companies.approve(manager, id),
      () => companies.reject(manager, id, "no"),
    ]) {
      expect(await refusal(decide())).toMatchObject({ code: "FORBIDDEN", rule: "OWN_REQUEST" });
    }
    expect((await companies.get(manager, id)).status).toBe("pending");
  });

  it("a decided registration is not decided again", async () => {
    const { companies } = iamFixture();
    const { id } = await companies.register(admin, registration());
    await companies.approve(manager, id);
    expect(await refusal(companies.reject(manager2, id, "changed my mind"))).toMatchObject({
      code: "RULE",
      rule: "NOT_PENDING",
      message: expect.stringContaining("already approved"),
    });
    expect(await refusal(companies.approve(manager2, id))).toMatchObject({ rule: "NOT_PENDING" });
  });

  it("only managers decide; only admins and managers register", async () => {
    const { companies } = iamFixture();
    const { id } = await companies.register(admin, registration());
    for (const role of ["wholesale-admin", "helpdesk", "auditor", "partner-contact"] as const) {
      const actor: Actor = { accountId: "x", role, companyId: id };
      expect(await refusal(companies.approve(actor, id))).toMatchObject({ code: "FORBIDDEN" });
    }
    for (const role of ["helpdesk", "auditor", "partner-contact", "training-institute"] as const) {
      const actor: Actor = { accountId: "x", role };
      expect(await refusal(companies.register(actor, registration()))).toMatchObject({
        code: "FORBIDDEN",
      });
    }
  });

  it("an unknown company is not found", async () => {
    const { companies } = iamFixture();
    expect(await refusal(companies.approve(manager, 999))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(companies.get(admin, 999))).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("duplicate KvK number", () => {
  it("is a conflict naming the existing company", async () => {
    const { companies } = iamFixture();
    const first = await companies.register(admin, registration());
    const error = await refusal(
      companies.register(admin, registration({ kvkName: "Other B.V.", customerName: "Other" })),
    );
    expect(error).toMatchObject({
      code: "CONFLICT",
      rule: "DUPLICATE_KVK",
      details: { existing: { id: first.id, kvkName: "Netbouw Infra B.V.", status: "pending" } },
      message: expect.stringContaining(`company ${first.id} "Netbouw Infra B.V."`),
    });
    expect(await companies.list(admin)).toHaveLength(1);
  });

  it("a rejected registration's number may be registered again", async () => {
    const { companies } = iamFixture();
    const first = await companies.register(admin, registration());
    await companies.reject(manager, first.id, "incomplete");
    const again = await companies.register(admin, registration());
    expect(again.id).not.toBe(first.id);
    expect((await companies.list(admin, { status: "pending" })).map((c) => c.id)).toEqual([
      again.id,
    ]);
  });
});

describe("contact persons", () => {
  async function approvedCompany(fixture: ReturnType<typeof iamFixture>, kvkNumber = "12345678") {
    const { id } = await fixture.companies.register(admin, registration({ kvkNumber }));
    await fixture.companies.approve(manager, id);
    return id;
  }

  it("are added to an approved company, pending a manager's approval", async () => {
    const f = iamFixture();
    const companyId = await approvedCompany(f);
    const partner: Actor = { accountId: "pc-1", role: "partner-contact", companyId };
    const added = await f.companies.addContactPerson(
      partner,
      companyId,
      contact({
        initials: "A.",
        surnamePrefix: null,
        surname: "Jansen",
        email: "a.jansen@netbouw.nl",
      }),
    );
    expect(added).toMatchObject({ companyId, status: "pending", requestedBy: "pc-1" });
    expect(await refusal(f.companies.approveContactPerson(partner, added.id))).toMatchObject({
      code: "FORBIDDEN",
    });
    const approved = await f.companies.approveContactPerson(manager, added.id);
    expect(approved.status).toBe("approved");
    expect(await refusal(f.companies.rejectContactPerson(manager2, added.id, "no"))).toMatchObject({
      rule: "NOT_PENDING",
    });
    expect((await f.companies.get(partner, companyId)).contactPersons).toHaveLength(2);
  });

  it("the requester cannot approve their own request", async () => {
    const f = iamFixture();
    const companyId = await approvedCompany(f);
    const added = await f.companies.addContactPerson(manager2, companyId, contact());
    expect(await refusal(f.companies.approveContactPerson(manager2, added.id))).toMatchObject({
      rule: "OWN_REQUEST",
    });
    expect((await f.companies.rejectContactPerson(manager, added.id, "duplicate")).status).toBe(
      "rejected",
    );
  });

  it("are not added to a pending company", async () => {
    const f = iamFixture();
    const { id } = await f.companies.register(admin, registration());
    expect(await refusal(f.companies.addContactPerson(admin, id, contact()))).toMatchObject({
      code: "RULE",
      rule: "COMPANY_NOT_APPROVED",
    });
  });

  it("are validated with every problem at once", async () => {
    const f = iamFixture();
    const companyId = await approvedCompany(f);
    const error = await refusal(
      f.companies.addContactPerson(
        admin,
        companyId,
        contact({ mobile: "06", email: "info@netbouw.nl" }),
      ),
    );
    expect(error).toMatchObject({
      code: "INVALID",
      problems: [
        { path: "mobile", message: expect.any(String) },
        { path: "email", message: expect.any(String) },
      ],
    });
  });
});

describe("tenant isolation", () => {
  it("a partner contact sees and changes its own company only", async () => {
    const f = iamFixture();
    const own = await f.companies.register(admin, registration());
    const other = await f.companies.register(admin, registration({ kvkNumber: "87654321" }));
    await f.companies.approve(manager, own.id);
    await f.companies.approve(manager, other.id);
    const partner: Actor = { accountId: "pc-1", role: "partner-contact", companyId: own.id };

    expect((await f.companies.get(partner, own.id)).id).toBe(own.id);
    expect((await f.companies.list(partner)).map((c) => c.id)).toEqual([own.id]);
    expect((await f.companies.list(admin)).map((c) => c.id)).toEqual([own.id, other.id]);

    // A foreign company answers exactly as a missing one.
    const foreign = await refusal(f.companies.get(partner, other.id));
    const missing = await refusal(f.companies.get(partner, 999));
    expect(foreign).toMatchObject({ code: "NOT_FOUND" });
    expect((foreign as Error).message.replace(String(other.id), "?")).toBe(
      (missing as Error).message.replace("999", "?"),
    );
    expect(await refusal(f.companies.addContactPerson(partner, other.id, contact()))).toMatchObject(
      {
        code: "NOT_FOUND",
      },
    );
    expect((await f.companies.get(admin, other.id)).contactPersons).toHaveLength(1);

    const homeless: Actor = { accountId: "pc-2", role: "partner-contact" };
    expect(await f.companies.list(homeless)).toEqual([]);
    expect(await refusal(f.companies.get(homeless, own.id))).toMatchObject({ code: "NOT_FOUND" });
  });
});
