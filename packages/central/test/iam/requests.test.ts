import { afterEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/iam/actor.js";
import { IamError } from "../../src/iam/errors.js";
import { RequestRefusedError } from "../../src/iam/requests/refusals.js";
import { RequestService } from "../../src/iam/requests/service.js";
import {
  actors,
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

/** An engineer of company A with an active card. */
async function engineer(companyId = f.companyA) {
  const seeded = await seedEmployment(f, companyId);
  await seedActiveCard(f, seeded);
  return seeded;
}

async function refusalOf(promise: Promise<unknown>): Promise<RequestRefusedError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RequestRefusedError);
  return error as RequestRefusedError;
}

/** Adds, motivates and submits one grant as partner A; returns the pending item. */
async function pendingGrant(
  requests: RequestService,
  employmentId: number,
  entryId: number,
  as: Actor = f.partnerA,
) {
  const [item] = await requests.addItems(as, {
    employmentIds: [employmentId],
    entryId,
    action: "grant",
  });
  if (item === undefined) throw new Error("nothing added");
  await requests.setMotivation(as, item.id, "Storing in de apparatuurzaal");
  const { items } = await requests.submit(as);
  return items.find((i) => i.id === item.id) ?? item;
}

describe("adding to the basket", () => {
  it("refuses an entry outside the company's profile (NOT_IN_PROFILE)", async () => {
    f = await workflowFixture();
    const e = await engineer();
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
    const foreign = await engineer(f.companyB);
    await expect(
      requests.addItems(f.partnerA, {
        employmentIds: [foreign.employmentId],
        entryId: entry,
        action: "grant",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const ended = await engineer();
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
    const e = await engineer();
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
    const e = await engineer();
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
    const holder = await engineer();
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
    const other = await engineer();
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
    const third = await engineer();
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
    const ok1 = await engineer();
    const cardless = await seedEmployment(f, f.companyA);
    const ok2 = await engineer();
    const holder = await engineer();
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

describe("submitting the basket", () => {
  it("sends only items with a motivation, once, even when submitted again", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const [a, b] = [await engineer(), await engineer()];
    const [itemA, itemB] = await requests.addItems(f.partnerA, {
      employmentIds: [a.employmentId, b.employmentId],
      entryId: entry,
      action: "grant",
    });
    if (itemA === undefined || itemB === undefined) throw new Error("not added");
    await expect(requests.setMotivation(f.partnerA, itemA.id, "  ")).rejects.toMatchObject({
      code: "INVALID",
    });
    await expect(requests.setMotivation(f.partnerB, itemA.id, "x")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const ready = await requests.setMotivation(f.partnerA, itemA.id, "Onderhoud koeling");
    expect(ready.ready).toBe(true);
    const first = await requests.submit(f.partnerA);
    expect(first.items.map((i) => [i.id, i.status])).toEqual([[itemA.id, "pending"]]);
    expect(first.notReady).toBe(1);
    expect(first.submissionIds).toHaveLength(1);
    const second = await requests.submit(f.partnerA);
    expect(second.items).toEqual([]);
    expect(second.submissionIds).toEqual([]);
    expect((await requests.basket(f.partnerA)).map((i) => i.id)).toEqual([itemB.id]);
    const submissions = await f.ctx.db.selectFrom("iam_submission").selectAll().execute();
    expect(submissions).toMatchObject([{ item_count: 1, submitted_by: f.partnerA.accountId }]);
    await expect(requests.removeItem(f.partnerA, itemA.id)).rejects.toMatchObject({
      rule: "NOT_DRAFT",
    });
    expect((await requests.removeItem(f.partnerA, itemB.id)).status).toBe("withdrawn");
    expect(await requests.basket(f.partnerA)).toEqual([]);
  });
});

describe("deciding", () => {
  it("approves a physical grant: the authorization reaches the doors of ams01", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const e = await engineer();
    const item = await pendingGrant(requests, e.employmentId, entry);
    const lastSeq = (
      f.commands.store.db.prepare("SELECT max(seq) AS seq FROM delta_outbox").get() as {
        seq: number;
      }
    ).seq;
    await expect(
      requests.decide(f.partnerA, item.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      requests.decide(f.partnerB, item.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const decided = await requests.decide(actors.manager, item.id, { decision: "approve" });
    expect(decided).toMatchObject({
      status: "approved",
      decidedBy: actors.manager.accountId,
      decidedFor: null,
    });
    const authorization = await f.ctx.db
      .selectFrom("iam_authorization")
      .selectAll()
      .where("id", "=", decided.authorizationId ?? -1)
      .executeTakeFirstOrThrow();
    expect(authorization).toMatchObject({ status: "active", granted_by: actors.manager.accountId });
    const state = f.commands.store.db
      .prepare("SELECT employment_id, area_id, revoked_at FROM access_authorization WHERE id = ?")
      .get(authorization.state_authorization_id) as {
      employment_id: number;
      area_id: number;
      revoked_at: null;
    };
    expect(state).toEqual({
      employment_id: e.stateEmploymentId,
      area_id: f.area,
      revoked_at: null,
    });
    const deltas = f.commands.store.db
      .prepare("SELECT site, delta FROM delta_outbox WHERE seq > ?")
      .all(lastSeq) as { site: string; delta: string }[];
    const upserted = deltas
      .filter((d) => d.site === "ams01")
      .flatMap(
        (d) =>
          (JSON.parse(d.delta) as { upsert: { authorizations?: { id: number }[] } }).upsert
            .authorizations ?? [],
      );
    expect(upserted.map((a) => a.id)).toContain(authorization.state_authorization_id);
    const told = await f.ctx.db
      .selectFrom("iam_notification_outbox" as never)
      .selectAll()
      .where("template" as never, "=", "request-decided" as never)
      .execute();
    expect(told).toMatchObject([{ recipient: "acc-partner-a@example.nl" }]);
    await expect(
      requests.decide(actors.manager2, item.id, { decision: "reject", comment: "x" }),
    ).rejects.toMatchObject({
      rule: "NOT_PENDING",
    });
  });

  it("needs a comment to reject, and approves a revoke by ending the authorization at the doors", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const e = await engineer();
    const item = await pendingGrant(requests, e.employmentId, entry);
    const noComment = await requests
      .decide(actors.manager, item.id, { decision: "reject" })
      .catch((x: unknown) => x);
    expect(noComment).toMatchObject({ code: "INVALID", problems: [{ path: "comment" }] });
    const rejected = await requests.decide(actors.manager, item.id, {
      decision: "reject",
      comment: "Geen contract",
    });
    expect(rejected).toMatchObject({
      status: "rejected",
      decisionComment: "Geen contract",
      authorizationId: null,
    });

    const { authorizationId, stateAuthorizationId } = await seedAuthorization(f, e, entry);
    const [revoke] = await requests.addItems(f.partnerA, {
      employmentIds: [e.employmentId],
      entryId: entry,
      action: "revoke",
    });
    if (revoke === undefined) throw new Error("not added");
    await requests.setMotivation(f.partnerA, revoke.id, "Monteur gaat van het project af");
    await requests.submit(f.partnerA);
    await requests.decide(actors.manager, revoke.id, { decision: "approve", comment: "akkoord" });
    const ended = await f.ctx.db
      .selectFrom("iam_authorization")
      .selectAll()
      .where("id", "=", authorizationId)
      .executeTakeFirstOrThrow();
    expect(ended).toMatchObject({ status: "revoked", end_reason: "akkoord" });
    const state = f.commands.store.db
      .prepare("SELECT revoked_at FROM access_authorization WHERE id = ?")
      .get(stateAuthorizationId) as { revoked_at: number | null };
    expect(state.revoked_at).toBe(f.clock.now());
  });

  it("checks again at approval: a card deactivated meanwhile refuses it (NO_ACTIVE_CARD)", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const e = await engineer();
    const item = await pendingGrant(requests, e.employmentId, entry);
    await f.ctx.db
      .updateTable("iam_card")
      .set({ status: "inactive" })
      .where("employment_id", "=", e.employmentId)
      .execute();
    await expect(
      requests.decide(actors.manager, item.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      code: "RULE",
      rule: "NO_ACTIVE_CARD",
    });
    await f.ctx.db.deleteFrom("iam_profile_entry").where("entry_id", "=", entry).execute();
    await expect(
      requests.decide(actors.manager, item.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      rule: "NOT_IN_PROFILE",
    });
    expect((await requests.get(actors.manager, item.id)).status).toBe("pending");
  });

  it("lets nobody decide what they submitted, also not as deputy (OWN_REQUEST)", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const own = await pendingGrant(
      requests,
      (await engineer()).employmentId,
      entry,
      actors.manager,
    );
    await expect(
      requests.decide(actors.manager, own.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      rule: "OWN_REQUEST",
    });
    const byDeputy = await pendingGrant(
      requests,
      (await engineer()).employmentId,
      entry,
      actors.deputy,
    );
    const now = f.clock.now();
    await requests.delegate(actors.manager, {
      deputyAccountId: actors.deputy.accountId,
      from: new Date(now).toISOString(),
      until: new Date(now + 7 * DAY_MS).toISOString(),
    });
    await expect(
      requests.decide(actors.deputy, byDeputy.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      rule: "OWN_REQUEST",
    });
    // The manager's own submission is not decided in the manager's name by the deputy either.
    await expect(
      requests.decide(actors.deputy, own.id, { decision: "approve" }),
    ).rejects.toMatchObject({
      rule: "OWN_REQUEST",
    });
    expect((await requests.decide(actors.manager2, own.id, { decision: "approve" })).status).toBe(
      "approved",
    );
  });

  it("lets a deputy decide while the delegation runs, recording both names, until `until`", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const first = await pendingGrant(requests, (await engineer()).employmentId, entry);
    const second = await pendingGrant(requests, (await engineer()).employmentId, entry);
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
    const item = await pendingGrant(requests, (await engineer()).employmentId, entry);
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
    const item = await pendingGrant(requests, (await engineer()).employmentId, entry);
    await expect(requests.get(f.partnerB, item.id)).rejects.toBeInstanceOf(IamError);
    await expect(requests.get(f.partnerB, item.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await requests.pending(f.partnerB)).toEqual([]);
    expect((await requests.pending(f.partnerA)).map((i) => i.id)).toEqual([item.id]);
    await expect(requests.removeItem(f.partnerB, item.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
