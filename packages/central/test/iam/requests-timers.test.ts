import { afterEach, describe, expect, it } from "vitest";
import { RequestService } from "../../src/iam/requests/service.js";
import { TimerRunner } from "../../src/iam/timers/timers.js";
import {
  actors,
  DAY_MS,
  seedActiveCard,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

let f: WorkflowFixture;
afterEach(() => f?.close());

/** Friday 24 April 2026, 10:00 in Amsterdam: King's Day (Monday 27 April) follows the weekend. */
const FRIDAY = Date.parse("2026-04-24T10:00:00+02:00");

async function submitted(requests: RequestService) {
  const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
  const seeded = await seedEmployment(f, f.companyA);
  await seedActiveCard(f, seeded);
  const [item] = await requests.addItems(f.partnerA, {
    employmentIds: [seeded.employmentId],
    entryId: entry,
    action: "grant",
  });
  if (item === undefined) throw new Error("not added");
  await requests.setMotivation(f.partnerA, item.id, "Storing");
  const { items } = await requests.submit(f.partnerA);
  const pending = items[0];
  if (pending === undefined) throw new Error("not submitted");
  return pending;
}

/** A runner as after a restart: new service objects over the same store. */
const runner = () =>
  new TimerRunner({
    db: f.ctx.db,
    clock: f.clock,
    handlers: new RequestService(f.ctx).timerHandlers(),
  });

const outbox = (template: string) =>
  f.ctx.db
    .selectFrom("iam_notification_outbox" as never)
    .select(["recipient" as never])
    .where("template" as never, "=", template as never)
    .execute() as Promise<{ recipient: string }[]>;

describe("request deadlines", () => {
  it("counts the lead time in Dutch working days: not the weekend, not King's Day", async () => {
    f = await workflowFixture({ now: FRIDAY });
    const item = await submitted(new RequestService(f.ctx));
    // Tue 28, Wed 29, Thu 30 April, Fri 1 and Mon 4 May.
    expect(item.dueAt).toBe(Date.parse("2026-05-04T10:00:00+02:00"));
    expect(item.expiresAt).toBe(FRIDAY + 30 * DAY_MS);
  });

  it("escalates an overdue item to the escalation deputy, once", async () => {
    f = await workflowFixture({ now: FRIDAY });
    const requests = new RequestService(f.ctx);
    await expect(
      requests.setEscalationDeputy(actors.manager, actors.deputy.accountId),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(requests.setEscalationDeputy(actors.admin, "acc-nobody")).rejects.toMatchObject({
      code: "INVALID",
    });
    await requests.setEscalationDeputy(actors.admin, actors.deputy.accountId);
    const item = await submitted(requests);
    f.clock.set(Date.parse("2026-05-04T09:59:00+02:00"));
    expect(await runner().runDue()).toBe(0);
    expect(await requests.overdue(actors.manager)).toEqual([]);
    f.clock.set(Date.parse("2026-05-05T08:00:00+02:00"));
    expect(await runner().runDue()).toBe(1);
    const escalated = await requests.get(actors.manager, item.id);
    expect(escalated).toMatchObject({
      status: "pending",
      escalatedTo: actors.deputy.accountId,
      escalatedAt: f.clock.now(),
    });
    expect(await outbox("request-escalated")).toEqual([{ recipient: "acc-deputy@example.nl" }]);
    expect((await requests.overdue(actors.manager)).map((i) => i.id)).toEqual([item.id]);
    expect(await runner().runDue()).toBe(0);
  });

  it("expires a stale pending item and tells the submitter; a decided one stays", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const stale = await submitted(requests);
    f.clock.advance(DAY_MS);
    const entry2 = await seedEntry(f, { code: "AMS01-MEET" }, [f.companyA]);
    const [other] = await requests.addItems(f.partnerA, {
      employmentIds: [stale.employmentId],
      entryId: entry2,
      action: "grant",
    });
    if (other === undefined) throw new Error("not added");
    await requests.setMotivation(f.partnerA, other.id, "Meting");
    await requests.submit(f.partnerA);
    await requests.decide(actors.manager, other.id, { decision: "reject", comment: "Niet nodig" });
    // Central was stopped past the expiry: a new runner fires what fell due.
    f.clock.set((stale.expiresAt ?? 0) + 2 * DAY_MS);
    await runner().runDue();
    expect((await requests.get(actors.manager, stale.id)).status).toBe("expired");
    expect((await requests.get(actors.manager, other.id)).status).toBe("rejected");
    expect(await outbox("request-expired")).toEqual([{ recipient: "acc-partner-a@example.nl" }]);
    expect(await requests.pending(actors.manager)).toEqual([]);
  });

  it("expires an approved authorization never used, at the doors too; a used one stays", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const unused = await submitted(requests);
    const approved = await requests.decide(actors.manager, unused.id, { decision: "approve" });
    const id = approved.authorizationId ?? -1;
    f.clock.advance(89 * DAY_MS);
    expect(await runner().runDue()).toBe(0);
    f.clock.advance(2 * DAY_MS);
    expect(await runner().runDue()).toBe(1);
    const row = await f.ctx.db
      .selectFrom("iam_authorization")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("expired");
    const state = f.commands.store.db
      .prepare("SELECT revoked_at FROM access_authorization WHERE id = ?")
      .get(row.state_authorization_id) as { revoked_at: number | null };
    expect(state.revoked_at).toBe(f.clock.now());
  });

  it("keeps a used authorization when the unused-expiry falls due", async () => {
    f = await workflowFixture();
    const requests = new RequestService(f.ctx);
    const item = await submitted(requests);
    const approved = await requests.decide(actors.manager, item.id, { decision: "approve" });
    const id = approved.authorizationId ?? -1;
    await f.ctx.db
      .updateTable("iam_authorization")
      .set({ first_used_at: f.clock.now() })
      .where("id", "=", id)
      .execute();
    f.clock.advance(91 * DAY_MS);
    expect(await runner().runDue()).toBe(1);
    const row = await f.ctx.db
      .selectFrom("iam_authorization")
      .select("status")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("active");
  });
});
