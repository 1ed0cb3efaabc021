import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendAudit } from "../../src/iam/audit.js";
import { AuditQueryService } from "../../src/iam/reports/audit-query.js";
import { ReportService } from "../../src/iam/reports/service.js";
import type { EventStore } from "../../src/service/event-store.js";
import { decision, eventStore, seedDoor } from "./helpdesk-support.js";
import {
  actors,
  DAY_MS,
  seedActiveCard,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

let f: WorkflowFixture;
let events: EventStore;

beforeEach(async () => {
  f = await workflowFixture();
  events = eventStore();
});
afterEach(() => {
  events.close();
  f.close();
});

const numberOf = async (employmentId: number) =>
  (
    await f.ctx.db
      .selectFrom("iam_employment")
      .select("employment_number")
      .where("id", "=", employmentId)
      .executeTakeFirstOrThrow()
  ).employment_number;

describe("employee search", () => {
  async function seedStaff() {
    const bakker = await seedEmployment(f, f.companyA, { surname: "Bakker" });
    const bakx = await seedEmployment(f, f.companyA, { surname: "Bakx" });
    const berg = await seedEmployment(f, f.companyA, { surname: "Berg" });
    const foreign = await seedEmployment(f, f.companyB, { surname: "Bakker", initials: "Z." });
    // The same person employed by both companies.
    const both = await seedEmployment(f, f.companyB, { personId: berg.personId });
    return { bakker, bakx, berg, foreign, both };
  }

  it("finds by surname prefix in any case, by employment number, by card number, and % lists all", async () => {
    const s = await seedStaff();
    const card = await seedActiveCard(f, s.bakx);
    const reports = new ReportService(f.ctx);
    const ids = async (q: string, companyId?: number) =>
      (await reports.employees(actors.admin, { q, ...(companyId ? { companyId } : {}) })).items.map(
        (r) => r.employmentId,
      );
    expect(await ids("BAK")).toEqual([
      s.bakker.employmentId,
      s.foreign.employmentId,
      s.bakx.employmentId,
    ]);
    expect(await ids("bakker", f.companyA)).toEqual([s.bakker.employmentId]);
    expect(await ids("van den Berg")).toEqual([s.berg.employmentId, s.both.employmentId]);
    expect(await ids(await numberOf(s.berg.employmentId))).toEqual([s.berg.employmentId]);
    expect(await ids((await numberOf(s.berg.employmentId)).toLowerCase())).toEqual([
      s.berg.employmentId,
    ]);
    const byCard = await reports.employees(actors.helpdesk, { q: String(card.number) });
    expect(byCard.items).toEqual([
      expect.objectContaining({
        employmentId: s.bakx.employmentId,
        cardNumber: String(card.number),
      }),
    ]);
    expect(await ids("%", f.companyA)).toEqual([
      s.bakker.employmentId,
      s.bakx.employmentId,
      s.berg.employmentId,
    ]);
    expect(await ids("%")).toHaveLength(5);
    expect(await ids("x")).toEqual([]);
  });

  it("pages by name and by id", async () => {
    const s = await seedStaff();
    const reports = new ReportService(f.ctx);
    const seen: number[] = [];
    let after: readonly (string | number)[] | undefined;
    do {
      const page = await reports.employees(actors.admin, { q: "b" }, { limit: 2, after });
      seen.push(...page.items.map((r) => r.employmentId));
      after = page.after ?? undefined;
    } while (after !== undefined);
    // Surname order, then person, then company.
    expect(seen).toEqual([
      s.bakker.employmentId,
      s.foreign.employmentId,
      s.bakx.employmentId,
      s.berg.employmentId,
      s.both.employmentId,
    ]);
    const first = await reports.employees(actors.admin, { q: "%" }, { limit: 3 });
    const rest = await reports.employees(
      actors.admin,
      { q: "%" },
      { limit: 3, after: first.after ?? [] },
    );
    expect([...first.items, ...rest.items].map((r) => r.employmentId)).toHaveLength(5);
    expect(rest.after).toBeNull();
  });

  it("keeps a partner to its own company: partner B finds nothing of A", async () => {
    const s = await seedStaff();
    const card = await seedActiveCard(f, s.bakx);
    const reports = new ReportService(f.ctx);
    const asB = async (q: string) =>
      (await reports.employees(f.partnerB, { q })).items.map((r) => r.employmentId);
    expect(await asB("bak")).toEqual([s.foreign.employmentId]);
    expect(await asB("%")).toEqual([s.foreign.employmentId, s.both.employmentId]);
    expect(await asB(await numberOf(s.bakker.employmentId))).toEqual([]);
    expect(await asB(String(card.number))).toEqual([]);
    await expect(
      reports.employees(f.partnerB, { q: "%", companyId: f.companyA }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(
      (await reports.employees(f.partnerA, { q: "%", companyId: f.companyA })).items,
    ).toHaveLength(3);
    await expect(reports.employees(actors.institute, { q: "%" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(reports.employees(actors.admin, { q: " " })).rejects.toMatchObject({
      code: "INVALID",
    });
  });
});

describe("pending approvals and returns", () => {
  it("lists pending items with due and overdue, per company for partners", async () => {
    const a = await seedEmployment(f, f.companyA);
    const b = await seedEmployment(f, f.companyB);
    const entry = await seedEntry(f, { code: "AMS-AZ" }, [f.companyA, f.companyB]);
    const now = f.clock.now();
    for (const [e, company, due] of [
      [a, f.companyA, now - DAY_MS],
      [b, f.companyB, now + DAY_MS],
    ] as const) {
      await f.ctx.db
        .insertInto("iam_request_item")
        .values({
          company_id: company,
          basket_owner: "acc-partner",
          action: "grant",
          employment_id: e.employmentId,
          entry_id: entry,
          authorization_id: null,
          motivation: "werk",
          status: "pending",
          submission_id: null,
          submitted_by: "acc-partner",
          submitted_at: now - 6 * DAY_MS,
          due_at: due,
          escalated_at: null,
          escalated_to: null,
          decided_by: null,
          decided_for: null,
          decided_at: null,
          decision_comment: null,
          expires_at: null,
          created_at: now - 6 * DAY_MS,
        })
        .execute();
    }
    const reports = new ReportService(f.ctx);
    const all = await reports.pendingApprovals(actors.manager);
    expect(all.items.map((i) => [i.employmentId, i.overdue, i.entryCode])).toEqual([
      [a.employmentId, true, "AMS-AZ"],
      [b.employmentId, false, "AMS-AZ"],
    ]);
    const ofB = await reports.pendingApprovals(f.partnerB);
    expect(ofB.items.map((i) => i.employmentId)).toEqual([b.employmentId]);
    const paged = await reports.pendingApprovals(actors.auditor, {}, { limit: 1 });
    expect(paged.items).toHaveLength(1);
    expect(paged.after).not.toBeNull();
  });

  it("lists cards and keys to return", async () => {
    const a = await seedEmployment(f, f.companyA, { surname: "Visser" });
    const b = await seedEmployment(f, f.companyB);
    const cardA = await seedActiveCard(f, a);
    await seedActiveCard(f, b);
    await f.ctx.db
      .updateTable("iam_card")
      .set({ status: "inactive", to_return: 1, deactivated_at: f.clock.now() })
      .where("id", "=", cardA.cardId)
      .execute();
    const keyEntry = await seedEntry(f, { code: "KEY-Z", service: "key", keyType: "Z" }, [
      f.companyA,
    ]);
    const auth = await seedAuthorization(f, a, keyEntry);
    for (const status of ["to-return", "issued"] as const) {
      await f.ctx.db
        .insertInto("iam_key_issue")
        .values({
          authorization_id:
            status === "to-return"
              ? auth.authorizationId
              : (
                  await seedAuthorization(
                    f,
                    b,
                    await seedEntry(f, { code: "KEY-B", service: "key", keyType: "Z" }),
                  )
                ).authorizationId,
          key_type: "Z",
          status,
          shipping_address: "{}",
          shipped_at: null,
          issued_at: null,
          return_requested_at: status === "to-return" ? f.clock.now() : null,
          returned_at: null,
        })
        .execute();
    }
    const reports = new ReportService(f.ctx);
    const items = (await reports.returns(actors.helpdesk)).items;
    expect(items.map((i) => [i.kind, i.employmentId, i.item])).toEqual([
      ["card", a.employmentId, String(cardA.number)],
      ["key", a.employmentId, "Z"],
    ]);
    expect(items[0]?.personName).toBe("K. Visser");
    expect((await reports.returns(f.partnerB)).items).toEqual([]);
    const first = await reports.returns(actors.admin, {}, { limit: 1 });
    const second = await reports.returns(actors.admin, {}, { limit: 1, after: first.after ?? [] });
    expect([first.items[0]?.kind, second.items[0]?.kind]).toEqual(["card", "key"]);
  });
});

describe("visits", () => {
  it("groups a person's granted entries per local day and door, in [from, until)", async () => {
    await seedDoor(f, "d1");
    const e = await seedEmployment(f, f.companyA);
    const card = await seedActiveCard(f, e);
    const day = (iso: string) => Date.parse(iso);
    const grant = (doorId: string, at: number, outcome: "grant" | "deny" = "grant") =>
      decision(f, { doorId, cardId: card.stateCardId, personId: e.statePersonId, outcome, at });
    events.store(
      f.site,
      [
        grant("d1", day("2026-03-02T08:00:00+01:00")),
        grant("d1", day("2026-03-02T17:00:00+01:00")),
        grant("d2", day("2026-03-02T10:00:00+01:00")),
        grant("d1", day("2026-03-02T12:00:00+01:00"), "deny"),
        // 00:30 in Amsterdam on the 3rd is still the 2nd in UTC: counted on the 3rd.
        grant("d1", day("2026-03-03T00:30:00+01:00")),
        grant("d1", day("2026-03-05T09:00:00+01:00")),
      ],
      f.clock.now(),
    );
    const other = await seedEmployment(f, f.companyA);
    events.store(
      "rtd01",
      [decision(f, { doorId: "d1", cardId: 1, personId: other.statePersonId, outcome: "grant" })],
      f.clock.now(),
    );
    const reports = new ReportService(f.ctx, { events });
    const visits = await reports.visits(actors.manager, {
      personId: e.personId,
      siteId: f.site,
      from: "2026-03-02",
      until: "2026-03-05",
    });
    expect(visits).toEqual([
      {
        date: "2026-03-02",
        doorId: "d1",
        doorName: "Door d1",
        visits: 2,
        firstAt: day("2026-03-02T08:00:00+01:00"),
        lastAt: day("2026-03-02T17:00:00+01:00"),
      },
      expect.objectContaining({ date: "2026-03-02", doorId: "d2", doorName: null, visits: 1 }),
      expect.objectContaining({ date: "2026-03-03", doorId: "d1", visits: 1 }),
    ]);
    await expect(
      reports.visits(f.partnerB, {
        personId: e.personId,
        siteId: f.site,
        from: "2026-03-02",
        until: "2026-03-05",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      reports.visits(actors.manager, {
        personId: e.personId,
        siteId: f.site,
        from: "2026-03-05",
        until: "2026-03-02",
      }),
    ).rejects.toMatchObject({ code: "INVALID" });
    await expect(
      new ReportService(f.ctx).visits(actors.manager, {
        personId: e.personId,
        siteId: f.site,
        from: "2026-03-02",
        until: "2026-03-05",
      }),
    ).rejects.toMatchObject({ code: "RULE", rule: "EVENTS_UNAVAILABLE" });
  });
});

describe("audit query", () => {
  it("filters by entity, actor and period for auditors; others are refused", async () => {
    const at = f.clock.now();
    for (const [i, actor] of [actors.admin, actors.helpdesk, actors.admin].entries()) {
      await appendAudit(f.ctx.db, {
        actor,
        at: at + i * 1000,
        action: "remote-open.requested",
        entity: "remote-open",
        entityId: i + 1,
        before: null,
        after: { reason: "test", idNumber: "NX1234567" },
      });
    }
    const audit = new AuditQueryService(f.ctx.db);
    const byActor = await audit.query(actors.auditor, {
      entity: "remote-open",
      actor: actors.admin.accountId,
    });
    expect(byActor.items.map((r) => r.entityId)).toEqual(["1", "3"]);
    expect(byActor.items[0]?.after).toEqual({ reason: "test", idNumber: "******567" });
    const period = await audit.query(actors.admin, {
      entity: "remote-open",
      from: at + 1000,
      until: at + 2000,
    });
    expect(period.items.map((r) => r.entityId)).toEqual(["2"]);
    const one = await audit.query(actors.auditor, { entity: "remote-open", entityId: "3" });
    expect(one.items).toHaveLength(1);
    const page = await audit.query(actors.auditor, { entity: "remote-open" }, { limit: 2 });
    expect(page.afterId).toBe(page.items[1]?.id);
    const rest = await audit.query(
      actors.auditor,
      { entity: "remote-open" },
      { afterId: page.afterId ?? 0 },
    );
    expect(rest.items.map((r) => r.entityId)).toEqual(["3"]);
    for (const actor of [actors.manager, actors.helpdesk, f.partnerA]) {
      await expect(audit.query(actor, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });
});
