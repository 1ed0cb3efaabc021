import { afterEach, describe, expect, it } from "vitest";
import { RequestService } from "../../src/iam/requests/service.js";
import { engineer, refusalOf } from "./requests-support.js";
import {
  DAY_MS,
  seedActiveCard,
  seedAuthorization,
  seedCertificate,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

let f: WorkflowFixture;
afterEach(() => f?.close());

describe("adding to the basket", () => {
  it("refuses an entry outside the company's profile (NOT_IN_PROFILE)", async () => {
    f = await workflowFixture();
    const e = await engineer(f);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyB]);
    await expect(
      new RequestService(f.ctx).addItems(f.partnerA, {
        employmentIds: [e.employmentId],
        entryId: entry,
        action: "grant",
      }),
    ).rejects.toMatchObject({ code: "RULE", rule: "NOT_IN_PROFILE" });
  });

  it("answers another company's employment as not found, and an ended one EMPLOYMENT_ENDED", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA, f.companyB]);
    const foreign = await engineer(f, f.companyB);
    await expect(
      requests.addItems(f.partnerA, {
        employmentIds: [foreign.employmentId],
        entryId: entry,
        action: "grant",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const ended = await engineer(f);
    await f.ctx.db
      .updateTable("iam_employment")
      .set({ status: "ended" })
      .where("id", "=", ended.employmentId)
      .execute();
    const refused = await refusalOf(
      requests.addItems(f.partnerA, {
        employmentIds: [ended.employmentId],
        entryId: entry,
        action: "grant",
      }),
    );
    expect(refused.refusals).toMatchObject([
      { path: "employmentIds.0", code: "RULE", rule: "EMPLOYMENT_ENDED" },
    ]);
  });

  it("needs an active access card, for application entries too (NO_ACTIVE_CARD)", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const cardless = await seedEmployment(f, f.companyA);
    const door = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const app = await seedEntry(f, { code: "APP-INFRA-APP", service: "application" }, [f.companyA]);
    for (const entryId of [door, app]) {
      const refused = await refusalOf(
        requests.addItems(f.partnerA, {
          employmentIds: [cardless.employmentId],
          entryId,
          action: "grant",
        }),
      );
      expect(refused.refusals[0]).toMatchObject({
        rule: "NO_ACTIVE_CARD",
        employmentId: cardless.employmentId,
      });
    }
    await seedActiveCard(f, cardless);
    const added = await requests.addItems(f.partnerA, {
      employmentIds: [cardless.employmentId],
      entryId: app,
      action: "grant",
    });
    expect(added).toMatchObject([{ status: "draft", ready: false, action: "grant" }]);
  });

  it("needs every required certificate valid now, not withdrawn (CERTIFICATE_MISSING names it)", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const key = await seedEntry(
      f,
      {
        code: "KEY-KVD-03",
        service: "key",
        keyType: "KVD-03",
        requiredCertificates: ["KVD", "TTG"],
      },
      [f.companyA],
    );
    const e = await engineer(f);
    const now = f.clock.now();
    await seedCertificate(f, e, "KVD", now - DAY_MS, now + 365 * DAY_MS);
    await seedCertificate(f, e, "TTG", now - 400 * DAY_MS, now - DAY_MS);
    const input = { employmentIds: [e.employmentId], entryId: key, action: "grant" };
    const expired = await refusalOf(requests.addItems(f.partnerA, input));
    expect(expired.refusals[0]).toMatchObject({ rule: "CERTIFICATE_MISSING" });
    expect(expired.refusals[0]?.message).toContain("TTG");
    expect(expired.refusals[0]?.message).not.toContain("KVD,");
    const ttg = await seedCertificate(f, e, "TTG", now - DAY_MS, now + 365 * DAY_MS);
    await f.ctx.db
      .updateTable("iam_certificate")
      .set({ withdrawn_at: now })
      .where("id", "=", ttg)
      .execute();
    expect((await refusalOf(requests.addItems(f.partnerA, input))).refusals[0]?.rule).toBe(
      "CERTIFICATE_MISSING",
    );
    await seedCertificate(f, e, "TTG", now - DAY_MS, now + 365 * DAY_MS);
    expect(await requests.addItems(f.partnerA, input)).toHaveLength(1);
  });

  it("refuses entries that exclude colocation customers to one (EXCLUDED_FOR_COLOCATION)", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const z100 = await seedEntry(
      f,
      { code: "KEY-Z100", service: "key", keyType: "Z100", excludesColocation: true },
      [f.companyA],
    );
    const e = await engineer(f);
    await f.ctx.db
      .updateTable("iam_company")
      .set({ colocation: 1 })
      .where("id", "=", f.companyA)
      .execute();
    await expect(
      requests.addItems(f.partnerA, {
        employmentIds: [e.employmentId],
        entryId: z100,
        action: "grant",
      }),
    ).rejects.toMatchObject({ code: "RULE", rule: "EXCLUDED_FOR_COLOCATION" });
    await f.ctx.db
      .updateTable("iam_company")
      .set({ colocation: 0 })
      .where("id", "=", f.companyA)
      .execute();
    expect(
      await requests.addItems(f.partnerA, {
        employmentIds: [e.employmentId],
        entryId: z100,
        action: "grant",
      }),
    ).toHaveLength(1);
  });

  it("refuses what is held (ALREADY_HELD) or requested (ALREADY_REQUESTED), naming it; revoke needs a live one", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const holder = await engineer(f);
    const { authorizationId } = await seedAuthorization(f, holder, entry);
    const held = await refusalOf(
      requests.addItems(f.partnerA, {
        employmentIds: [holder.employmentId],
        entryId: entry,
        action: "grant",
      }),
    );
    expect(held.refusals[0]).toMatchObject({
      code: "CONFLICT",
      rule: "ALREADY_HELD",
      existing: { kind: "authorization", id: authorizationId },
    });
    const other = await engineer(f);
    const [draft] = await requests.addItems(f.partnerA, {
      employmentIds: [other.employmentId],
      entryId: entry,
      action: "grant",
    });
    const again = await refusalOf(
      requests.addItems(f.partnerA, {
        employmentIds: [other.employmentId],
        entryId: entry,
        action: "grant",
      }),
    );
    expect(again.refusals[0]).toMatchObject({
      code: "CONFLICT",
      rule: "ALREADY_REQUESTED",
      existing: { kind: "request-item", id: draft?.id },
    });
    const third = await engineer(f);
    const notHeld = await refusalOf(
      requests.addItems(f.partnerA, {
        employmentIds: [third.employmentId],
        entryId: entry,
        action: "revoke",
      }),
    );
    expect(notHeld.refusals[0]).toMatchObject({ rule: "NOT_HELD", code: "RULE" });
    const [revoke] = await requests.addItems(f.partnerA, {
      employmentIds: [holder.employmentId],
      entryId: entry,
      action: "revoke",
    });
    expect(revoke).toMatchObject({ action: "revoke", authorizationId });
  });

  it("adds many employments at once, all or nothing, listing every refusal with its path", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const ok1 = await engineer(f);
    const cardless = await seedEmployment(f, f.companyA);
    const ok2 = await engineer(f);
    const holder = await engineer(f);
    await seedAuthorization(f, holder, entry);
    const ids = [ok1.employmentId, cardless.employmentId, ok2.employmentId, holder.employmentId];
    const refused = await refusalOf(
      requests.addItems(f.partnerA, { employmentIds: ids, entryId: entry, action: "grant" }),
    );
    expect(refused.refusals.map((r) => [r.path, r.rule])).toEqual([
      ["employmentIds.1", "NO_ACTIVE_CARD"],
      ["employmentIds.3", "ALREADY_HELD"],
    ]);
    expect(refused.problems.map((p) => p.path)).toEqual(["employmentIds.1", "employmentIds.3"]);
    expect(await requests.basket(f.partnerA)).toEqual([]);
    const added = await requests.addItems(f.partnerA, {
      employmentIds: [ok1.employmentId, ok2.employmentId],
      entryId: entry,
      action: "grant",
    });
    expect(added.map((i) => i.employmentId)).toEqual([ok1.employmentId, ok2.employmentId]);
    expect((await requests.basket(f.partnerA)).length).toBe(2);
    expect(await requests.basket(f.partnerB)).toEqual([]);
  });
});
