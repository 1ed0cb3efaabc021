import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IamValidationError } from "../../src/iam/errors.js";
import { PersonService } from "../../src/iam/persons/service.js";
import { pendingTimer } from "../../src/iam/timers/timers.js";
import { newEmployment, refusal } from "./persons-support.js";
import { actors, type WorkflowFixture, workflowFixture } from "./workflow-support.js";

describe("persons and employments (chapter 5)", () => {
  let f: WorkflowFixture;
  let persons: PersonService;

  beforeEach(async () => {
    f = await workflowFixture();
    persons = new PersonService(f.ctx);
  });
  afterEach(() => f.close());

  it("keeps a partner to its own company: another's employment answers NOT_FOUND", async () => {
    const a = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));
    const id = a.employment.id;
    const notFound = async (p: Promise<unknown>) =>
      expect((await refusal(p)).code).toBe("NOT_FOUND");
    await notFound(persons.createEmployment(f.partnerB, newEmployment(f.companyA)));
    await notFound(persons.getEmployment(f.partnerB, id));
    await notFound(persons.getPerson(f.partnerB, a.employment.person.id));
    await notFound(persons.listEmployments(f.partnerB, f.companyA, { limit: 10 }));
    await notFound(persons.updateEmployment(f.partnerB, id, { managerName: "X" }));
    await notFound(persons.endEmployment(f.partnerB, id, {}));
    // A missing one answers the same.
    await notFound(persons.getEmployment(f.partnerB, 999_999));
    expect((await persons.getEmployment(f.partnerA, id)).id).toBe(id);
    // Roles: the helpdesk reads but registers nothing.
    expect((await persons.getEmployment(actors.helpdesk, id)).id).toBe(id);
    expect(
      (await refusal(persons.createEmployment(actors.helpdesk, newEmployment(f.companyB)))).code,
    ).toBe("FORBIDDEN");
  });

  it("shows a person with the employments the reader may see", async () => {
    const a = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));
    const personId = a.employment.person.id;
    await persons.createEmployment(f.partnerB, newEmployment(f.companyB, { personId }));
    const forA = await persons.getPerson(f.partnerA, personId);
    expect(forA.employments.map((e) => e.companyId)).toEqual([f.companyA]);
    const forManager = await persons.getPerson(actors.manager, personId);
    expect(forManager.employments.map((e) => e.companyId)).toEqual([f.companyA, f.companyB]);
    expect(forManager.birthDate).toBe("1980-05-17");
  });

  it("lists a company's employments a page at a time", async () => {
    const ids: number[] = [];
    for (const surname of ["Aap", "Noot", "Mies"]) {
      const created = await persons.createEmployment(
        f.partnerA,
        newEmployment(f.companyA, { person: { initials: "A", surname, birthDate: "1990-01-01" } }),
      );
      ids.push(created.employment.id);
    }
    const first = await persons.listEmployments(f.partnerA, f.companyA, { limit: 2 });
    expect(first.map((e) => e.id)).toEqual(ids.slice(0, 2));
    const rest = await persons.listEmployments(f.partnerA, f.companyA, { after: ids[1], limit: 2 });
    expect(rest.map((e) => e.id)).toEqual(ids.slice(2));
    expect(await persons.listEmployments(actors.manager, f.companyB, { limit: 2 })).toEqual([]);
  });

  it("changes an employment's address and postal choice, audited", async () => {
    const { employment } = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));
    const changed = await persons.updateEmployment(f.partnerA, employment.id, {
      address: {
        street: "Nieuwe Gracht",
        number: "3",
        postcode: "3512ld",
        city: "Utrecht",
        country: "nl",
      },
      postalChoice: "business",
      phone: "030 123 4567",
    });
    expect(changed.address).toMatchObject({
      street: "Nieuwe Gracht",
      postcode: "3512 LD",
      country: "NL",
    });
    expect(changed).toMatchObject({ postalChoice: "business", phone: "0301234567" });
    const audit = await f.ctx.db
      .selectFrom("iam_audit")
      .selectAll()
      .where("entity", "=", "employment")
      .where("entity_id", "=", String(employment.id))
      .orderBy("id")
      .execute();
    expect(audit.map((r) => r.action)).toEqual(["employment.created", "employment.changed"]);
    expect(audit[1]?.after_json).not.toContain("NX12345K7");

    const invalid = await refusal(persons.updateEmployment(f.partnerA, employment.id, {}));
    expect((invalid as IamValidationError).problems).toEqual([
      { path: "(input)", message: "at least one field to change" },
    ]);
    const unknown = await refusal(
      persons.updateEmployment(f.partnerA, employment.id, { idNumber: "AB123456" }),
    );
    expect(unknown.code).toBe("INVALID");
  });

  it("schedules the end of an employment registered with an end date", async () => {
    const { employment } = await persons.createEmployment(
      f.partnerA,
      newEmployment(f.companyA, { endDate: "2026-06-01" }),
    );
    expect(employment.endDate).toBe("2026-06-01");
    expect(await pendingTimer(f.ctx.db, "employment.end", employment.id)).toEqual({
      dueAt: f.ctx.workingDays.startOfDay("2026-06-01"),
    });
  });
});
