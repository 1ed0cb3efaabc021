import { afterEach, describe, expect, it } from "vitest";
import { MASKED_DATE } from "../../src/iam/audit.js";
import {
  actors,
  fullWorkflowServer,
  seedEmployment,
  type WorkflowFixture,
  workflowFixture,
} from "../iam/workflow-support.js";

describe("personal identifiers by role", () => {
  let f: WorkflowFixture;
  let close: () => Promise<void>;
  afterEach(async () => {
    await close?.();
    f?.close();
  });

  it("shows full ID numbers and birth dates only to roles whose work needs them", async () => {
    f = await workflowFixture();
    const { app, call } = await fullWorkflowServer(f);
    close = () => app.close();
    const seeded = await seedEmployment(f, f.companyA, {
      surname: "Visser",
      birthDate: "1975-01-30",
    });
    const path = `/employments/${seeded.employmentId}`;
    for (const as of [actors.admin, actors.manager, f.partnerA]) {
      expect((await call("GET", path, { as })).body.idNumber).toBe("NX9876543");
    }
    for (const as of [actors.helpdesk, actors.auditor]) {
      expect((await call("GET", path, { as })).body.idNumber).toBe("******543");
    }
    const facts = { initials: "K.", surname: "Visser", birthDate: "1975-01-30" };
    const staff = await call("POST", "/persons/look-up", { as: actors.manager, body: facts });
    expect(staff.body.items[0].birthDate).toBe("1975-01-30");
    const helpdesk = await call("POST", "/persons/look-up", { as: actors.helpdesk, body: facts });
    expect(helpdesk.body.items[0].birthDate).toBe(MASKED_DATE);
    const company = await call("GET", `/companies/${f.companyA}`, { as: actors.auditor });
    expect(company.body.contactPersons[0].idNumber).toMatch(/^\*+[A-Z0-9]{3}$/);
    expect(company.body.contactPersons[0].birthDate).toBe(MASKED_DATE);
  });
});
