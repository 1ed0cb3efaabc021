import { afterEach, describe, expect, it } from "vitest";
import { RequestService } from "../../src/iam/requests/service.js";
import { engineer, pendingGrant } from "./requests-support.js";
import {
  actors,
  DAY_MS,
  seedAuthorization,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

let f: WorkflowFixture;
afterEach(() => f?.close());

describe("submitting the basket", () => {
  it("sends only items with a motivation, once, even when submitted again", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const [a, b] = [await engineer(f), await engineer(f)];
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
    const e = await engineer(f);
    const item = await pendingGrant(f, requests, e.employmentId, entry);
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
    const e = await engineer(f);
    const item = await pendingGrant(f, requests, e.employmentId, entry);
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
    const e = await engineer(f);
    const item = await pendingGrant(f, requests, e.employmentId, entry);
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
      f,
      requests,
      (await engineer(f)).employmentId,
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
      f,
      requests,
      (await engineer(f)).employmentId,
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
});
