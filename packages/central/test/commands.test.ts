import { describe, expect, it } from "vitest";
import { CentralError } from "../src/index.js";
import { DAY, NOW, world } from "./support/fixture.js";

/** Runs `fn`, expecting a CentralError with this code and field; returns it. */
function refused(fn: () => unknown, code: string, field: string | null): CentralError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CentralError);
    const e = error as CentralError;
    expect({ code: e.code, field: e.field, message: e.message }).toEqual({
      code,
      field,
      message: expect.any(String),
    });
    return e;
  }
  throw new Error("expected a refusal");
}

describe("commands refuse bad input with a typed error naming the field", () => {
  it("sites", () => {
    const { cmd } = world();
    refused(() => cmd.createSite({ id: "Ams BSL", name: "x" }), "INVALID", "id");
    refused(() => cmd.createSite({ id: "a".repeat(65), name: "x" }), "INVALID", "id");
    refused(() => cmd.createSite({ id: "ams-bsl", name: "again" }), "CONFLICT", "id");
    refused(() => cmd.createSite({ id: "x", name: "" }), "INVALID", "name");
    refused(
      () => cmd.createSite({ id: "x", name: "X", timezone: "Mars/Olympus" }),
      "INVALID",
      "timezone",
    );
    refused(
      () => cmd.createSite({ id: "x", name: "X", fingerprintThreshold: 101 }),
      "INVALID",
      "fingerprintThreshold",
    );
    expect(
      refused(
        () => cmd.createSite({ id: "x", name: "X", colour: "red" } as never),
        "INVALID",
        "colour",
      ).message,
    ).toBe("colour: unknown field");
    refused(
      () => cmd.setSitePolicy({ siteId: "nowhere", fingerprintRequired: true }),
      "NOT_FOUND",
      "siteId",
    );
    refused(() => cmd.setSitePolicy({ siteId: "ams-bsl" }), "INVALID", "fingerprintRequired");
  });

  it("companies, persons and employments", () => {
    const { cmd, ids } = world();
    refused(() => cmd.upsertCompany({ id: 999, name: "Ghost" }), "NOT_FOUND", "id");
    refused(() => cmd.createPerson({ displayName: "  " }), "INVALID", "displayName");
    refused(
      () => cmd.createEmployment({ personId: 999, companyId: ids.coA }),
      "NOT_FOUND",
      "personId",
    );
    refused(
      () => cmd.createEmployment({ personId: ids.p1, companyId: 999 }),
      "NOT_FOUND",
      "companyId",
    );
    refused(
      () => cmd.createEmployment({ personId: ids.p1, companyId: ids.coA }),
      "CONFLICT",
      "companyId",
    );
    refused(
      () =>
        cmd.createEmployment({ personId: ids.p1, companyId: ids.coB, start: NOW, end: NOW - 1 }),
      "INVALID",
      "end",
    );
    refused(() => cmd.endEmployment(999), "NOT_FOUND", "employmentId");
    refused(() => cmd.endEmployment(ids.e1, NOW - 400 * DAY), "INVALID", "at");
    refused(() => cmd.endEmployment(1.5), "INVALID", "employmentId");
    cmd.endEmployment(ids.e1, NOW - DAY);
    refused(() => cmd.endEmployment(ids.e1), "CONFLICT", "employmentId");
    // A future end may still be moved.
    cmd.endEmployment(ids.e2, NOW + 10 * DAY);
    expect(cmd.endEmployment(ids.e2, NOW + 20 * DAY).end).toBe(NOW + 20 * DAY);
  });

  it("cards and certificates", () => {
    const { cmd, ids } = world();
    refused(
      () => cmd.issueCard({ personId: 999, format: "H10301", number: 1 }),
      "NOT_FOUND",
      "personId",
    );
    refused(() => cmd.issueCard({ personId: ids.p3, format: "H10301" }), "INVALID", "number");
    refused(() => cmd.issueCard({ personId: ids.p3, format: "", number: 1 }), "INVALID", "format");
    refused(
      () => cmd.issueCard({ personId: ids.p3, format: "RAW", rawBits: "0102" }),
      "INVALID",
      "rawBits",
    );
    refused(
      () => cmd.issueCard({ personId: ids.p3, format: "H10301", facility: 18, number: 1001 }),
      "CONFLICT",
      "number",
    );
    const raw = cmd.issueCard({ personId: ids.p3, format: "RAW37", rawBits: "1".repeat(37) });
    refused(
      () => cmd.issueCard({ personId: ids.p1, format: "RAW37", rawBits: "1".repeat(37) }),
      "CONFLICT",
      "rawBits",
    );
    // One active card per person.
    refused(
      () =>
        cmd.issueCard({
          personId: ids.p1,
          format: "H10301",
          facility: 18,
          number: 5,
          status: "active",
        }),
      "CONFLICT",
      "status",
    );
    refused(() => cmd.setCardStatus(raw.cardId, "active"), "CONFLICT", "status");
    refused(() => cmd.setCardStatus(ids.c1, "misplaced" as never), "INVALID", "status");
    refused(() => cmd.setCardStatus(999, "lost"), "NOT_FOUND", "cardId");
    refused(
      () =>
        cmd.issueCard({
          personId: ids.p3,
          format: "H10301",
          number: 7,
          validFrom: NOW,
          validUntil: NOW - 1,
        }),
      "INVALID",
      "validUntil",
    );
    refused(() => cmd.addCertificate({ personId: ids.p1, type: "K V D" }), "INVALID", "type");
    refused(() => cmd.addCertificate({ personId: 999, type: "KVD" }), "NOT_FOUND", "personId");
  });

  it("activating a card records when, and frees the holder's previous card first", () => {
    const { cmd, ids, clock } = world();
    const next = cmd.issueCard({ personId: ids.p1, format: "H10301", facility: 18, number: 77 });
    cmd.setCardStatus(ids.c1, "replaced", "replacement: expiring");
    clock.advance(60_000);
    const { deltas } = cmd.setCardStatus(next.cardId, "active");
    expect(deltas[0]?.upsert.cards?.[0]).toMatchObject({
      id: next.cardId,
      status: "active",
      activatedAt: NOW + 60_000,
      statusReason: null,
    });
  });

  it("areas, schedules, door policies and authorizations", () => {
    const { cmd, ids, clock } = world();
    refused(() => cmd.createArea({ siteId: "nowhere", name: "Hall" }), "NOT_FOUND", "siteId");
    refused(
      () => cmd.createArea({ siteId: "ams-bsl", name: "Hall", requiredCertificates: [""] }),
      "INVALID",
      "requiredCertificates.0",
    );
    refused(
      () =>
        cmd.createSchedule({
          siteId: "ams-bsl",
          name: "Bad",
          windows: [{ days: [8], from: "08:00", until: "17:00" }],
        }),
      "INVALID",
      "windows.0.days.0",
    );
    refused(
      () =>
        cmd.createSchedule({
          siteId: "ams-bsl",
          name: "Bad",
          windows: [{ days: [1], from: "24:00", until: "17:00" }],
        }),
      "INVALID",
      "windows.0.from",
    );
    refused(
      () => cmd.createHolidayCalendar({ siteId: "ams-bsl", name: "Bad", dates: ["2026-02-30"] }),
      "INVALID",
      "dates.0",
    );
    const cal = cmd.createHolidayCalendar({ siteId: "rtd-whv", name: "NL", dates: [] });
    refused(
      () =>
        cmd.createSchedule({
          siteId: "ams-bsl",
          name: "X",
          windows: [],
          holidayCalendarId: cal.holidayCalendarId,
        }),
      "INVALID",
      "holidayCalendarId",
    );
    refused(
      () =>
        cmd.setDoorPolicy({
          siteId: "rtd-whv",
          doorId: "d",
          mode: "card",
          unlockScheduleId: ids.amsOffice,
        }),
      "INVALID",
      "unlockScheduleId",
    );
    refused(
      () => cmd.setDoorPolicy({ siteId: "rtd-whv", doorId: "d", mode: "open" as never }),
      "INVALID",
      "mode",
    );
    refused(() => cmd.grant(999, ids.amsHall), "NOT_FOUND", "employmentId");
    refused(() => cmd.grant(ids.e1, 999), "NOT_FOUND", "areaId");
    refused(() => cmd.grant(ids.e1, ids.amsHall, { scheduleId: 999 }), "NOT_FOUND", "scheduleId");
    refused(
      () => cmd.grant(ids.e1, ids.amsHall, { validFrom: NOW, validUntil: NOW - 1 }),
      "INVALID",
      "validUntil",
    );
    cmd.endEmployment(ids.e4, NOW + DAY);
    clock.advance(2 * DAY);
    refused(() => cmd.grant(ids.e4, ids.zwlHall), "CONFLICT", "employmentId");
    refused(() => cmd.revoke(999), "NOT_FOUND", "authorizationId");
    cmd.revoke(ids.z1);
    refused(() => cmd.revoke(ids.z1), "CONFLICT", "authorizationId");
  });
});
