import { describe, expect, it } from "vitest";
import { compileSiteState } from "../src/index.js";
import { DAY, deltaOf, idsOf, NOW, world } from "./support/fixture.js";

describe("what a site's state holds", () => {
  it("holds only the site's own areas and the people authorized there", () => {
    const { store, ids } = world();
    const ams = compileSiteState(store, "ams-bsl");
    expect(idsOf(ams, "areas")).toEqual([ids.amsHall, ids.amsCable]);
    expect(idsOf(ams, "schedules")).toEqual([ids.amsOffice]);
    expect(idsOf(ams, "authorizations")).toEqual([ids.z1, ids.z2]);
    expect(idsOf(ams, "employments")).toEqual([ids.e1, ids.e2]);
    expect(idsOf(ams, "persons")).toEqual([ids.p1, ids.p2]);
    // All cards of those persons (also the lost one: the edge must know to refuse it).
    expect(idsOf(ams, "cards")).toEqual([ids.c1, ids.c2, ids.c3]);
    expect(idsOf(ams, "certificates")).toEqual([ids.k1]);
    expect(ams.sitePolicy).toEqual({ fingerprintRequired: true, fingerprintThreshold: 60 });
    expect(ams.persons.find((p) => p.id === ids.p1)).toEqual({
      id: ids.p1,
      displayName: "J. de Vries",
    });

    // A. Bakker is in Rotterdam through her other employment only.
    const rtd = compileSiteState(store, "rtd-whv");
    expect(idsOf(rtd, "areas")).toEqual([ids.rtdHall]);
    expect(idsOf(rtd, "authorizations")).toEqual([ids.z3]);
    expect(idsOf(rtd, "employments")).toEqual([ids.e3]);
    expect(idsOf(rtd, "persons")).toEqual([ids.p2]);
    expect(idsOf(rtd, "cards")).toEqual([ids.c2, ids.c3]);
    expect(idsOf(rtd, "certificates")).toEqual([]);
    expect(idsOf(rtd, "schedules")).toEqual([]);

    const zwl = compileSiteState(store, "zwl-pss");
    expect(idsOf(zwl, "persons")).toEqual([]);
    expect(idsOf(zwl, "cards")).toEqual([]);
    expect(idsOf(zwl, "areas")).toEqual([ids.zwlHall]);
  });

  it("does not hold revoked authorizations", () => {
    const { store, cmd, ids } = world();
    cmd.revoke(ids.z3);
    const rtd = compileSiteState(store, "rtd-whv");
    expect(idsOf(rtd, "authorizations")).toEqual([]);
    expect(idsOf(rtd, "persons")).toEqual([]);
  });
});

describe("deltas follow the closure", () => {
  it("a grant at one site brings the person, employment, cards and certificates to that site only", () => {
    const { cmd, ids } = world();
    const { authorizationId, deltas } = cmd.grant(ids.e4, ids.zwlHall, {
      validUntil: NOW + 30 * DAY,
    });
    expect(deltas.map((d) => d.site)).toEqual(["zwl-pss"]);
    const d = deltaOf(deltas, "zwl-pss");
    expect(d?.upsert.authorizations?.map((z) => z.id)).toEqual([authorizationId]);
    expect(d?.upsert.authorizations?.[0]).toEqual({
      id: authorizationId,
      employmentId: ids.e4,
      areaId: ids.zwlHall,
      validFrom: null,
      validUntil: NOW + 30 * DAY,
      scheduleId: null,
    });
    expect(d?.upsert.employments?.map((e) => e.id)).toEqual([ids.e4]);
    expect(d?.upsert.persons?.map((p) => p.id)).toEqual([ids.p3]);
    expect(d?.upsert.cards?.map((c) => c.id)).toEqual([ids.c4]);
    expect(d?.upsert.certificates).toBeUndefined();
    expect(d?.delete).toEqual({});
  });

  it("a second grant for a person already present sends only the authorization", () => {
    const { cmd, ids } = world();
    const { authorizationId, deltas } = cmd.grant(ids.e1, ids.amsCable);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.upsert).toEqual({
      authorizations: [
        {
          id: authorizationId,
          employmentId: ids.e1,
          areaId: ids.amsCable,
          validFrom: null,
          validUntil: null,
          scheduleId: null,
        },
      ],
    });
  });

  it("ending an employment reaches every site with an authorization through it, and no other", () => {
    const { cmd, ids, clock } = world();
    // e2 is at Amsterdam; add Zwolle. A. Bakker is also in Rotterdam, but through e3.
    cmd.grant(ids.e2, ids.zwlHall);
    clock.advance(1000);
    const at = NOW + 7 * DAY;
    const { end, deltas } = cmd.endEmployment(ids.e2, at);
    expect(end).toBe(at);
    expect(deltas.map((d) => d.site)).toEqual(["ams-bsl", "zwl-pss"]);
    for (const d of deltas) {
      expect(d.upsert).toEqual({
        employments: [
          { id: ids.e2, personId: ids.p2, companyId: ids.coA, start: NOW - 365 * DAY, end: at },
        ],
      });
      expect(d.delete).toEqual({});
    }
  });

  it("ending an employment at once takes now from the clock", () => {
    const { cmd, ids, clock } = world();
    clock.set(NOW + 12_345);
    const { end, deltas } = cmd.endEmployment(ids.e1);
    expect(end).toBe(NOW + 12_345);
    expect(deltas[0]?.upsert.employments?.[0]?.end).toBe(NOW + 12_345);
  });

  it("a lost card reaches every site of its holder", () => {
    const { cmd, ids } = world();
    const { deltas } = cmd.setCardStatus(ids.c2, "lost", "replacement request 2026-0113");
    expect(deltas.map((d) => d.site)).toEqual(["ams-bsl", "rtd-whv"]);
    for (const d of deltas) {
      expect(d.upsert.cards).toEqual([
        expect.objectContaining({
          id: ids.c2,
          status: "lost",
          statusReason: "replacement request 2026-0113",
        }),
      ]);
      expect(Object.keys(d.upsert)).toEqual(["cards"]);
    }
  });

  it("a new card or certificate reaches every site of its holder", () => {
    const { cmd, ids } = world();
    const card = cmd.issueCard({ personId: ids.p2, format: "C1000_35", facility: 7, number: 99 });
    expect(card.deltas.map((d) => d.site)).toEqual(["ams-bsl", "rtd-whv"]);
    expect(card.deltas[0]?.upsert.cards?.[0]).toMatchObject({
      id: card.cardId,
      status: "not-activated",
      activatedAt: null,
    });
    const cert = cmd.addCertificate({ personId: ids.p1, type: "TTG" });
    expect(cert.deltas.map((d) => d.site)).toEqual(["ams-bsl"]);
    expect(cert.deltas[0]?.upsert.certificates?.map((c) => c.id)).toEqual([cert.certificateId]);
  });

  it("revoking a person's last authorization at a site removes the person and all theirs from it", () => {
    const { cmd, ids } = world();
    const { deltas } = cmd.revoke(ids.z1);
    expect(deltas.map((d) => d.site)).toEqual(["ams-bsl"]);
    expect(deltas[0]?.upsert).toEqual({});
    expect(deltas[0]?.delete).toEqual({
      persons: [ids.p1],
      cards: [ids.c1],
      employments: [ids.e1],
      authorizations: [ids.z1],
      certificates: [ids.k1],
    });
  });

  it("revoking one of two authorizations keeps the person", () => {
    const { cmd, ids } = world();
    const extra = cmd.grant(ids.e1, ids.amsCable).authorizationId;
    const { deltas } = cmd.revoke(extra);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.delete).toEqual({ authorizations: [extra] });
    expect(deltas[0]?.upsert).toEqual({});
  });

  it("revoking the last authorization through one employment keeps the person present through another", () => {
    const { cmd, ids } = world();
    // A. Bakker gets Rotterdam also through e2; revoking it leaves her there through e3.
    const viaE2 = cmd.grant(ids.e2, ids.rtdHall).authorizationId;
    const { deltas } = cmd.revoke(viaE2);
    expect(deltas.map((d) => d.site)).toEqual(["rtd-whv"]);
    expect(deltas[0]?.delete).toEqual({ employments: [ids.e2], authorizations: [viaE2] });
  });

  it("site-owned records go to their own site only", () => {
    const { cmd } = world();
    const area = cmd.createArea({ siteId: "rtd-whv", name: "Roof", requiredCertificates: ["TTG"] });
    expect(area.deltas.map((d) => d.site)).toEqual(["rtd-whv"]);
    expect(area.deltas[0]?.upsert.areas).toEqual([
      { id: area.areaId, name: "Roof", requiredCertificates: ["TTG"] },
    ]);
    const cal = cmd.createHolidayCalendar({
      siteId: "zwl-pss",
      name: "NL 2026",
      dates: ["2026-12-25", "2026-01-01"],
    });
    expect(cal.deltas[0]?.upsert.holidayCalendars).toEqual([
      { id: cal.holidayCalendarId, name: "NL 2026", dates: ["2026-01-01", "2026-12-25"] },
    ]);
    const schedule = cmd.createSchedule({
      siteId: "zwl-pss",
      name: "Nights",
      windows: [{ days: [1, 2, 3, 4, 5], from: "22:00", until: "06:00" }],
      holidayCalendarId: cal.holidayCalendarId,
      holidayWindows: [{ from: "23:00", until: "04:00" }],
    });
    expect(schedule.deltas[0]?.upsert.schedules).toEqual([
      {
        id: schedule.scheduleId,
        name: "Nights",
        windows: [{ days: [1, 2, 3, 4, 5], from: "22:00", until: "06:00" }],
        holidayCalendarId: cal.holidayCalendarId,
        holidayWindows: [{ days: [], from: "23:00", until: "04:00" }],
      },
    ]);
    const door = cmd.setDoorPolicy({
      siteId: "zwl-pss",
      doorId: "main-entrance",
      mode: "card",
      unlockScheduleId: schedule.scheduleId,
    });
    expect(door.deltas.map((d) => d.site)).toEqual(["zwl-pss"]);
    expect(door.deltas[0]?.upsert.doorPolicies).toEqual([
      { doorId: "main-entrance", mode: "card", unlockScheduleId: schedule.scheduleId },
    ]);
    const lockdown = cmd.setDoorPolicy({
      siteId: "zwl-pss",
      doorId: "main-entrance",
      mode: "lockdown",
    });
    expect(lockdown.doorPolicyId).toBe(door.doorPolicyId);
    expect(lockdown.deltas[0]?.upsert.doorPolicies).toEqual([
      { doorId: "main-entrance", mode: "lockdown", unlockScheduleId: null },
    ]);
    const policy = cmd.setSitePolicy({ siteId: "rtd-whv", fingerprintRequired: true });
    expect(policy.deltas).toEqual([
      expect.objectContaining({
        site: "rtd-whv",
        sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 60 },
        upsert: {},
        delete: {},
      }),
    ]);
  });

  it("a change that touches nothing at any site produces no delta", () => {
    const { cmd, ids } = world();
    expect(cmd.upsertCompany({ id: ids.coA, name: "Renamed B.V." }).deltas).toEqual([]);
    const p = cmd.createPerson({ displayName: "N. Nobody" });
    expect(p.deltas).toEqual([]);
    const e = cmd.createEmployment({ personId: p.personId, companyId: ids.coA });
    expect(e.deltas).toEqual([]);
    expect(
      cmd.issueCard({ personId: p.personId, format: "H10301", facility: 1, number: 5 }).deltas,
    ).toEqual([]);
    expect(cmd.addCertificate({ personId: ids.p3, type: "KVD" }).deltas).toEqual([]);
    expect(cmd.endEmployment(ids.e4, NOW + DAY).deltas).toEqual([]);
    // The same status again: the record's hash is unchanged.
    expect(cmd.setCardStatus(ids.c3, "lost").deltas).toEqual([]);
    expect(cmd.setSitePolicy({ siteId: "ams-bsl", fingerprintThreshold: 60 }).deltas).toEqual([]);
    expect(
      cmd.setDoorPolicy({ siteId: "zwl-pss", doorId: "d1", mode: "card" }).deltas,
    ).toHaveLength(1);
    expect(cmd.setDoorPolicy({ siteId: "zwl-pss", doorId: "d1", mode: "card" }).deltas).toEqual([]);
  });
});
