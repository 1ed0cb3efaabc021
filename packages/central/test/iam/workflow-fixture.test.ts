import { afterEach, describe, expect, it } from "vitest";
import {
  seedActiveCard,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

describe("the workflow fixture", () => {
  let f: WorkflowFixture;
  afterEach(() => f?.close());

  it("links approved companies and seeded rows to the state the doors read", async () => {
    f = await workflowFixture();
    const company = await f.ctx.db
      .selectFrom("iam_company")
      .select(["state_company_id", "status"])
      .where("id", "=", f.companyA)
      .executeTakeFirstOrThrow();
    expect(company.status).toBe("approved");
    expect(company.state_company_id).toBeGreaterThan(0);
    const seeded = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, seeded);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const { stateAuthorizationId } = await seedAuthorization(f, seeded, entry);
    expect(stateAuthorizationId).toBeGreaterThan(0);
  });
});
