import { describe, expect, it } from "vitest";
import { WorkingDays } from "../../src/iam/working-days.js";

const ams = (local: string): number => {
  const days = new WorkingDays();
  const [date, time] = local.split("T") as [string, string];
  const [h, m] = time.split(":").map(Number) as [number, number];
  return days.startOfDay(date) + (h * 60 + m) * 60_000;
};

describe("Dutch working days", () => {
  const days = new WorkingDays();

  it("skips the weekend", () => {
    // Friday 6 March 2026 10:00 + 5 working days: Friday 13 March 10:00.
    expect(days.addWorkingDays(ams("2026-03-06T10:00"), 5)).toBe(ams("2026-03-13T10:00"));
  });

  it("skips a public holiday (Koningsdag, Monday 27 April 2026)", () => {
    // Friday 24 April + 5: Mon 27 is Koningsdag; Tue 28 .. Mon 4 May.
    expect(days.addWorkingDays(ams("2026-04-24T15:30"), 5)).toBe(ams("2026-05-04T15:30"));
  });

  it("skips Christmas and counts across the year's end", () => {
    // Friday 18 Dec 2026 + 5: 21-24 Dec, 25 (Kerstmis) off, 28 Dec.
    expect(days.addWorkingDays(ams("2026-12-18T10:00"), 5)).toBe(ams("2026-12-28T10:00"));
  });

  it("keeps the local time across the change to summer time", () => {
    // Thursday 26 March 2026 09:00 CET + 5: Thursday 2 April 09:00 CEST.
    const due = days.addWorkingDays(ams("2026-03-26T09:00"), 5);
    expect(new Date(due).toISOString()).toBe("2026-04-02T07:00:00.000Z");
  });

  it("counts only public holidays unless told otherwise (Bevrijdingsdag)", () => {
    expect(days.isWorkingDay("2026-05-05")).toBe(true);
    expect(new WorkingDays("Europe/Amsterdam", ["school"]).isWorkingDay("2026-05-05")).toBe(false);
    expect(days.isWorkingDay("2026-05-14")).toBe(false); // Hemelvaartsdag
    expect(days.isWorkingDay("2026-03-07")).toBe(false); // Saturday
  });

  it("finds the start of a local day in winter and summer", () => {
    expect(new Date(days.startOfDay("2026-01-15")).toISOString()).toBe("2026-01-14T23:00:00.000Z");
    expect(new Date(days.startOfDay("2026-07-15")).toISOString()).toBe("2026-07-14T22:00:00.000Z");
  });
});
