import { afterEach, describe, expect, it } from "vitest";
import { KeyService } from "../../src/iam/requests/keys.js";
import { RequestService } from "../../src/iam/requests/service.js";
import {
  actors,
  DAY_MS,
  seedActiveCard,
  seedCertificate,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

let f: WorkflowFixture;
afterEach(() => f?.close());

describe("keys", () => {
  it("ships an approved key to the employment's address, issues it, and takes it back after revocation", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const keys = new KeyService(f.ctx);
    const entry = await seedEntry(
      f,
      {
        code: "KEY-KVD-ALL",
        service: "key",
        keyType: "KVD-ALL",
        requiredCertificates: ["KVD", "TTG"],
        excludesColocation: true,
      },
      [f.companyA],
    );
    const e = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, e);
    const now = f.clock.now();
    await seedCertificate(f, e, "KVD", now - DAY_MS, now + 365 * DAY_MS);
    await seedCertificate(f, e, "TTG", now - DAY_MS, now + 365 * DAY_MS);
    const [item] = await requests.addItems(f.partnerA, {
      employmentIds: [e.employmentId],
      entryId: entry,
      action: "grant",
    });
    if (item === undefined) throw new Error("not added");
    await requests.setMotivation(f.partnerA, item.id, "Werk aan kabelverdelers regio Noord");
    await requests.submit(f.partnerA);
    const approved = await requests.decide(actors.manager, item.id, { decision: "approve" });
    const issue = await f.ctx.db
      .selectFrom("iam_key_issue")
      .selectAll()
      .where("authorization_id", "=", approved.authorizationId ?? -1)
      .executeTakeFirstOrThrow();
    expect(issue).toMatchObject({ status: "approved", key_type: "KVD-ALL" });
    // postal choice "business": the company's address.
    expect(JSON.parse(issue.shipping_address)).toMatchObject({
      city: expect.any(String),
      postcode: expect.any(String),
    });
    const authorization = () =>
      f.ctx.db
        .selectFrom("iam_authorization")
        .selectAll()
        .where("id", "=", approved.authorizationId ?? -1)
        .executeTakeFirstOrThrow();
    expect((await authorization()).state_authorization_id).toBeNull();

    await expect(keys.ship(actors.admin, issue.id, {})).rejects.toMatchObject({ code: "INVALID" });
    await expect(
      keys.ship(actors.manager, issue.id, { addressConfirmed: true }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(keys.issue(actors.admin, issue.id)).rejects.toMatchObject({ rule: "KEY_STATUS" });
    expect((await keys.ship(actors.admin, issue.id, { addressConfirmed: true })).status).toBe(
      "shipped",
    );
    const shipped = await f.ctx.db
      .selectFrom("iam_notification_outbox" as never)
      .select(["recipient" as never])
      .where("template" as never, "=", "key-shipped" as never)
      .execute();
    expect(shipped).toHaveLength(1);
    f.clock.advance(DAY_MS);
    expect((await keys.issue(actors.admin, issue.id)).status).toBe("issued");
    expect((await authorization()).first_used_at).toBe(f.clock.now());
    await expect(keys.get(f.partnerB, issue.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await keys.get(f.partnerA, issue.id)).keyType).toBe("KVD-ALL");

    const [revoke] = await requests.addItems(f.partnerA, {
      employmentIds: [e.employmentId],
      entryId: entry,
      action: "revoke",
    });
    if (revoke === undefined) throw new Error("not added");
    await requests.setMotivation(f.partnerA, revoke.id, "Project afgerond");
    await requests.submit(f.partnerA);
    await requests.decide(actors.manager2, revoke.id, { decision: "approve" });
    expect((await keys.toReturn(f.partnerA)).map((k) => [k.id, k.status])).toEqual([
      [issue.id, "to-return"],
    ]);
    expect(await keys.toReturn(f.partnerB)).toEqual([]);
    expect((await keys.returned(actors.admin, issue.id)).status).toBe("returned");
    expect(await keys.toReturn(actors.admin)).toEqual([]);
    await expect(keys.returned(actors.admin, issue.id)).rejects.toMatchObject({
      rule: "KEY_STATUS",
    });
  });

  it("cancels an approved key whose access ends before it was shipped", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const keys = new KeyService(f.ctx);
    const entry = await seedEntry(f, { code: "KEY-Z", service: "key", keyType: "Z" }, [f.companyA]);
    const e = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, e);
    const grant = async (action: "grant" | "revoke") => {
      const [item] = await requests.addItems(f.partnerA, {
        employmentIds: [e.employmentId],
        entryId: entry,
        action,
      });
      if (item === undefined) throw new Error("not added");
      await requests.setMotivation(f.partnerA, item.id, "Storingsdienst");
      await requests.submit(f.partnerA);
      return requests.decide(actors.manager, item.id, { decision: "approve" });
    };
    await grant("grant");
    const [waiting] = await keys.list(actors.admin, "approved");
    if (waiting === undefined) throw new Error("no key to ship");
    await grant("revoke");
    expect((await keys.get(actors.admin, waiting.id)).status).toBe("cancelled");
    expect(await keys.list(actors.admin, "approved")).toEqual([]);
    expect(await keys.toReturn(actors.admin)).toEqual([]);
    await expect(
      keys.ship(actors.admin, waiting.id, { addressConfirmed: true }),
    ).rejects.toMatchObject({ rule: "KEY_STATUS" });
  });
});
