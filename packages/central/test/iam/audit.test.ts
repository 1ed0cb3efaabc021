import { describe, expect, it } from "vitest";
import { MASKED_DATE, maskIdNumber, maskSensitive } from "../../src/iam/index.js";
import { NOW } from "../support/fixture.js";
import { admin, auditor, contact, iamFixture, manager, registration } from "./support.js";

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );

const count = (f: ReturnType<typeof iamFixture>, table: string): number =>
  f.store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe("audit", () => {
  it("records every change with actor, time, action and before/after", async () => {
    const f = iamFixture();
    const company = await f.companies.register(admin, registration());
    f.clock.advance(1000);
    await f.companies.approve(manager, company.id, "ok");
    const trail = await f.audit.byEntity(auditor, "company", company.id);
    expect(trail.map((r) => [r.action, r.actor.accountId, r.at])).toEqual([
      ["company.registered", "adm-1", NOW],
      ["company.approved", "mgr-1", NOW + 1000],
    ]);
    expect(trail[0]?.before).toBeNull();
    expect(trail[1]?.before).toMatchObject({ status: "pending" });
    expect(trail[1]?.after).toMatchObject({ status: "approved", decisionComment: "ok" });
    const personId = company.contactPersons[0]?.id ?? -1;
    const personTrail = await f.audit.byEntity(auditor, "contact-person", personId);
    expect(personTrail.map((r) => r.action)).toEqual([
      "contact-person.registered",
      "contact-person.approved",
    ]);
  });

  it("is for auditors (and wholesale admins) only", async () => {
    const f = iamFixture();
    expect(await refusal(f.audit.byEntity(manager, "company", 1))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await f.audit.byEntity(admin, "company", 1)).toEqual([]);
  });

  it("is append-only", async () => {
    const f = iamFixture();
    await f.companies.register(admin, registration());
    expect(() => f.store.db.prepare("UPDATE iam_audit SET action = 'x'").run()).toThrow(
      /append-only/,
    );
    expect(() => f.store.db.prepare("DELETE FROM iam_audit").run()).toThrow(/append-only/);
  });

  it("commits with the change: a failing command leaves neither change nor audit", async () => {
    const f = iamFixture();
    const company = await f.companies.register(admin, registration());
    const auditsBefore = count(f, "iam_audit");
    // The audit write fails for decisions: the decision must be undone with it.
    f.store.db.exec(`CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON iam_audit
      WHEN NEW.action = 'contact-person.approved' BEGIN SELECT RAISE(ABORT, 'audit down'); END`);
    await expect(f.companies.approve(manager, company.id)).rejects.toThrow(/audit down/);
    expect((await f.companies.get(admin, company.id)).status).toBe("pending");
    expect(count(f, "iam_audit")).toBe(auditsBefore);

    // Same for a registration: no company, no contact person, no audit.
    f.store.db.exec(`DROP TRIGGER fail_audit; CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON iam_audit
      WHEN NEW.action = 'contact-person.registered' BEGIN SELECT RAISE(ABORT, 'audit down'); END`);
    await expect(
      f.companies.register(admin, registration({ kvkNumber: "87654321" })),
    ).rejects.toThrow(/audit down/);
    expect(count(f, "iam_company")).toBe(1);
    expect(count(f, "iam_contact_person")).toBe(1);
    expect(count(f, "iam_audit")).toBe(auditsBefore);
    expect(f.store.db.inTransaction).toBe(false);

    // And the store works on after the rollback.
    f.store.db.exec("DROP TRIGGER fail_audit");
    await f.companies.approve(manager, company.id);
    expect(count(f, "iam_audit")).toBe(auditsBefore + 2);
  });

  it("a refused command writes no audit", async () => {
    const f = iamFixture();
    const company = await f.companies.register(manager, registration());
    const before = count(f, "iam_audit");
    await refusal(f.companies.approve(manager, company.id));
    await refusal(f.companies.register(admin, registration()));
    await refusal(f.companies.register(admin, registration({ kvkNumber: "x" })));
    expect(count(f, "iam_audit")).toBe(before);
  });
});

describe("ID masking", () => {
  it("masks an ID number to its last 3 characters", () => {
    expect(maskIdNumber("NX12345K7")).toBe("******5K7");
    expect(maskIdNumber("1234")).toBe("***234");
    expect(
      maskSensitive({ a: [{ idNumber: "ABCDEF123", birthDate: "1980-01-01", x: 1 }] }),
    ).toEqual({
      a: [{ idNumber: "******123", birthDate: MASKED_DATE, x: 1 }],
    });
  });

  it("never stores a full ID number or birth date in the audit", async () => {
    const f = iamFixture();
    const company = await f.companies.register(admin, registration());
    await f.companies.approve(manager, company.id);
    const companyId = company.id;
    await f.companies.addContactPerson(
      admin,
      companyId,
      contact({ idNumber: "IDX987654", birthDate: "1975-12-24", email: "p.smit@netbouw.nl" }),
    );
    const raw = f.store.db
      .prepare("SELECT coalesce(before_json, '') || coalesce(after_json, '') FROM iam_audit")
      .pluck()
      .all()
      .join("\n");
    for (const secret of ["NX12345K7", "IDX987654", "1980-05-17", "1975-12-24", "1980", "1975"]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).toContain("******5K7");
    expect(raw).toContain("******654");
    const trail = await f.audit.byEntity(
      auditor,
      "contact-person",
      company.contactPersons[0]?.id ?? -1,
    );
    expect(trail[0]?.after).toMatchObject({ idNumber: "******5K7", birthDate: MASKED_DATE });
  });

  it("logs only masked data", async () => {
    const lines: string[] = [];
    const f = iamFixture({ log: { info: (d, m) => lines.push(`${m} ${JSON.stringify(d)}`) } });
    await f.companies.register(admin, registration());
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join("\n");
    expect(all).not.toContain("NX12345K7");
    expect(all).not.toContain("1980-05-17");
    expect(all).toContain("******5K7");
  });
});
