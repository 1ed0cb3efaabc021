import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditService } from "../../src/iam/audit.js";
import { DoorService } from "../../src/iam/helpdesk/doors.js";
import { HelpdeskService } from "../../src/iam/helpdesk/service.js";
import type { EventStore } from "../../src/service/event-store.js";
import { decision, eventStore, helpdesk, seedDoor, seedEngineer } from "./helpdesk-support.js";
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
let events: EventStore;

beforeEach(async () => {
  f = await workflowFixture();
  events = eventStore();
});
afterEach(() => {
  events.close();
  f.close();
});

describe("doors", () => {
  it("registers and updates a door of a site, admin only, in the site's own areas", async () => {
    const doors = new DoorService(f.ctx);
    const first = await doors.register(actors.admin, {
      siteId: f.site,
      doorId: "d1",
      areaId: f.area,
      name: "Hoofdingang",
    });
    expect(first.created).toBe(true);
    const again = await doors.register(actors.admin, {
      siteId: f.site,
      doorId: "d1",
      areaId: f.certArea,
      name: "Meetkamer deur",
    });
    expect(again).toEqual({
      created: false,
      door: { siteId: f.site, doorId: "d1", areaId: f.certArea, name: "Meetkamer deur" },
    });
    expect(await doors.list(actors.helpdesk, f.site)).toEqual([again.door]);
    const audit = await new AuditService(f.ctx.db).byEntity(actors.auditor, "door", "ams01/d1");
    expect(audit.map((a) => a.action)).toEqual(["door.registered", "door.updated"]);

    await expect(
      doors.register(actors.helpdesk, { siteId: f.site, doorId: "d2", areaId: f.area, name: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      doors.register(actors.admin, { siteId: "nowhere", doorId: "d2", areaId: f.area, name: "x" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    f.commands.createSite({ id: "rtd01", name: "Rotterdam" });
    const { areaId: foreign } = f.commands.createArea({ siteId: "rtd01", name: "Zaal" });
    await expect(
      doors.register(actors.admin, { siteId: f.site, doorId: "d2", areaId: foreign, name: "x" }),
    ).rejects.toMatchObject({ code: "RULE", rule: "AREA_OF_OTHER_SITE" });
    await expect(
      doors.register(actors.admin, { siteId: f.site, doorId: "", areaId: 0, name: "" }),
    ).rejects.toMatchObject({
      code: "INVALID",
      problems: expect.arrayContaining([
        expect.objectContaining({ path: "doorId" }),
        expect.objectContaining({ path: "areaId" }),
        expect.objectContaining({ path: "name" }),
      ]),
    });
  });
});

describe("explain: why can't this engineer get in", () => {
  const explain = (input: object) =>
    new HelpdeskService(f.ctx, { events }).explain(helpdesk, {
      siteId: f.site,
      doorId: "d1",
      ...input,
    });

  async function enroll(e: { statePersonId: number; stateCardId: number }) {
    await f.ctx.db
      .insertInto("iam_enrollment")
      .values({
        site_id: f.site,
        state_person_id: e.statePersonId,
        state_card_id: e.stateCardId,
        enrolled_at: f.clock.now(),
      })
      .execute();
  }

  it("fails first on a missing authorization, with the card's last decisions at the door", async () => {
    await seedDoor(f);
    const e = await seedEmployment(f, f.companyA);
    const card = await seedActiveCard(f, e);
    await enroll({ statePersonId: e.statePersonId, stateCardId: card.stateCardId });
    const base = f.clock.now();
    events.store(
      f.site,
      [
        decision(f, {
          doorId: "d1",
          cardId: card.stateCardId,
          personId: e.statePersonId,
          outcome: "deny",
          at: base - 2000,
        }),
        decision(f, {
          doorId: "d1",
          cardId: card.stateCardId,
          personId: e.statePersonId,
          outcome: "deny",
          at: base - 1000,
        }),
        decision(f, {
          doorId: "d2",
          cardId: card.stateCardId,
          personId: e.statePersonId,
          outcome: "grant",
        }),
        decision(f, { doorId: "d1", cardId: 999, personId: 999, outcome: "grant" }),
      ],
      base,
    );
    const result = await explain({ personId: e.personId });
    expect(result.checks.map((c) => [c.check, c.ok])).toEqual([
      ["authorization", false],
      ["card", true],
      ["employment", true],
      ["fingerprint", true],
      ["certificates", true],
    ]);
    expect(result.failed?.check).toBe("authorization");
    expect(result.verdict).toMatch(/^authorization: no active authorization/);
    expect(result.lastEvents).toEqual([
      { seq: expect.any(Number), at: base - 1000, outcome: "deny", reason: "NO_AUTHORIZATION" },
      { seq: expect.any(Number), at: base - 2000, outcome: "deny", reason: "NO_AUTHORIZATION" },
    ]);
    const limited = await explain({ personId: e.personId, limit: 1 });
    expect(limited.lastEvents).toHaveLength(1);
  });

  it("accepts an authorization that lives at the doors only", async () => {
    await seedDoor(f);
    const e = await seedEmployment(f, f.companyA);
    const card = await seedActiveCard(f, e);
    await enroll({ statePersonId: e.statePersonId, stateCardId: card.stateCardId });
    f.commands.grant(e.stateEmploymentId, f.area);
    const result = await explain({ personId: e.personId });
    expect(result.failed).toBeNull();
    expect(result.checks[0]?.detail).toMatch(/at the doors only/);
  });

  it("fails on the card when the card named is not active", async () => {
    await seedDoor(f);
    const e = await seedEngineer(f);
    await enroll(e);
    await f.ctx.db
      .updateTable("iam_card")
      .set({ status: "inactive" })
      .where("id", "=", e.cardId)
      .execute();
    f.commands.setCardStatus(e.stateCardId, "inactive", "test");
    const result = await explain({ cardNumber: String(e.number) });
    expect(result.card).toEqual({ id: e.cardId, number: String(e.number) });
    expect(result.failed).toMatchObject({ check: "card", ok: false });
    expect(result.failed?.detail).toMatch(/inactive/);
  });

  it("fails on the employment once it ended", async () => {
    await seedDoor(f);
    const e = await seedEngineer(f);
    await enroll(e);
    await f.ctx.db
      .updateTable("iam_employment")
      .set({ status: "ended", ended_at: f.clock.now() })
      .where("id", "=", e.employmentId)
      .execute();
    f.commands.endEmployment(e.stateEmploymentId, f.clock.now());
    const result = await explain({ personId: e.personId });
    expect(result.checks.map((c) => c.ok)).toEqual([true, true, false, true, true]);
    expect(result.failed?.check).toBe("employment");
  });

  it("fails on the fingerprint when a new card has no new fingerprint", async () => {
    await seedDoor(f);
    const e = await seedEngineer(f);
    await enroll(e);
    // A replacement: the old card inactive, a new one active, the enrollment still on the old.
    await f.ctx.db
      .updateTable("iam_card")
      .set({ status: "inactive" })
      .where("id", "=", e.cardId)
      .execute();
    f.commands.setCardStatus(e.stateCardId, "replaced", "new card");
    const fresh = await seedActiveCard(f, e);
    const result = await explain({ personId: e.personId });
    expect(result.card?.id).toBe(fresh.cardId);
    expect(result.failed?.check).toBe("fingerprint");
    expect(result.failed?.detail).toMatch(/new card needs a new fingerprint/);

    const status = await new HelpdeskService(f.ctx).enrollments(helpdesk, e.personId);
    expect(status).toEqual([
      {
        siteId: f.site,
        fingerprintRequired: true,
        enrolledCardId: e.stateCardId,
        enrolledCardNumber: String(e.number),
        enrolledAt: f.clock.now(),
        currentCardId: fresh.stateCardId,
        currentCardNumber: String(fresh.number),
        needsNewFingerprint: true,
      },
    ]);
  });

  it("fails on certificates the area needs, and says 'check the reader' when all is fine", async () => {
    await seedDoor(f, "d1", f.certArea);
    const e = await seedEmployment(f, f.companyA);
    const card = await seedActiveCard(f, e);
    await enroll({ statePersonId: e.statePersonId, stateCardId: card.stateCardId });
    await seedAuthorization(f, e, await seedEntry(f, { code: "AMS-MK", areaId: f.certArea }));
    const missing = await explain({ personId: e.personId });
    expect(missing.failed).toMatchObject({ check: "certificates", detail: "not valid now: VCA" });
    await seedCertificate(f, e, "VCA", f.clock.now() - DAY_MS, f.clock.now() + 365 * DAY_MS);
    const fine = await explain({ personId: e.personId });
    expect(fine.checks.every((c) => c.ok)).toBe(true);
    expect(fine.failed).toBeNull();
    expect(fine.verdict).toMatch(/^should get in: check the reader/);
  });

  it("refuses partners and auditors, an unknown door, and input naming both or neither", async () => {
    await seedDoor(f);
    const e = await seedEngineer(f);
    const service = new HelpdeskService(f.ctx, { events });
    for (const actor of [f.partnerA, actors.auditor, actors.institute]) {
      await expect(
        service.explain(actor, { siteId: f.site, doorId: "d1", personId: e.personId }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(explain({ doorId: "nope", personId: e.personId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(explain({ personId: e.personId, cardNumber: "1" })).rejects.toMatchObject({
      code: "INVALID",
    });
    await expect(explain({})).rejects.toMatchObject({ code: "INVALID" });
    await expect(explain({ cardNumber: "424242" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
