import { afterEach, describe, expect, it } from "vitest";
import { IamError } from "../../src/iam/errors.js";
import { RequestService } from "../../src/iam/requests/service.js";
import { engineer, pendingGrant } from "./requests-support.js";
import {
  actors,
  DAY_MS,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

let f: WorkflowFixture;
afterEach(() => f?.close());

describe("deciding", () => {
  it("lets a deputy decide while the delegation runs, recording both names, until `until`", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const first = await pendingGrant(f, requests, (await engineer(f)).employmentId, entry);
    const second = await pendingGrant(f, requests, (await engineer(f)).employmentId, entry);
    const now = f.clock.now();
    await expect(
      requests.decide(actors.helpdesk, first.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      requests.delegate(actors.helpdesk, {
        deputyAccountId: actors.helpdesk.accountId,
        from: "x",
        until: "y",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      requests.delegate(actors.manager, {
        deputyAccountId: f.partnerA.accountId,
        from: new Date(now).toISOString(),
        until: new Date(now + DAY_MS).toISOString(),
      }),
    ).rejects.toMatchObject({ rule: "DEPUTY_NOT_ALLOWED" });
    const delegation = await requests.delegate(actors.manager, {
      deputyAccountId: actors.helpdesk.accountId,
      from: new Date(now).toISOString(),
      until: new Date(now + 2 * DAY_MS).toISOString(),
    });
    const decided = await requests.decide(actors.helpdesk, first.id, { decision: "approve" });
    expect(decided).toMatchObject({
      status: "approved",
      decidedBy: actors.helpdesk.accountId,
      decidedFor: actors.manager.accountId,
    });
    expect((await requests.delegations(actors.helpdesk)).map((d) => d.id)).toEqual([delegation.id]);
    f.clock.set(delegation.validUntil);
    await expect(
      requests.decide(actors.helpdesk, second.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("ends a withdrawn delegation at once", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const item = await pendingGrant(f, requests, (await engineer(f)).employmentId, entry);
    const now = f.clock.now();
    const d = await requests.delegate(actors.manager, {
      deputyAccountId: actors.helpdesk.accountId,
      from: new Date(now).toISOString(),
      until: new Date(now + DAY_MS).toISOString(),
    });
    await expect(requests.withdrawDelegation(actors.manager2, d.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await requests.withdrawDelegation(actors.manager, d.id)).withdrawnAt).toBe(now);
    await expect(
      requests.decide(actors.helpdesk, item.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("shows partner B nothing of company A's items", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA, f.companyB]);
    const item = await pendingGrant(f, requests, (await engineer(f)).employmentId, entry);
    await expect(requests.get(f.partnerB, item.id)).rejects.toBeInstanceOf(IamError);
    await expect(requests.get(f.partnerB, item.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await requests.pending(f.partnerB)).toEqual([]);
    expect((await requests.pending(f.partnerA)).map((i) => i.id)).toEqual([item.id]);
    await expect(requests.removeItem(f.partnerB, item.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
