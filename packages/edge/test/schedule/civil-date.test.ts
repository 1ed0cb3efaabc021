import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  daysFromCivil,
  formatLocalDate,
  isoWeekdayOf,
  parseLocalDate,
} from "../../src/schedule/civil-date.js";

const DAY = 86_400_000;

describe("civil dates", () => {
  it("agree with Date on every day of years 0001..9999 (sampled)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: daysFromCivil(1, 1, 1), max: daysFromCivil(9999, 12, 31) }),
        (day) => {
          const date = new Date(day * DAY);
          const iso = date.toISOString().slice(0, 10);
          expect(formatLocalDate(day)).toBe(iso);
          expect(parseLocalDate(iso)).toBe(day);
          expect(isoWeekdayOf(day)).toBe(date.getUTCDay() === 0 ? 7 : date.getUTCDay());
          expect(
            daysFromCivil(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()),
          ).toBe(day);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("know 1970-01-01 was a Thursday and leap years", () => {
    expect(parseLocalDate("1970-01-01")).toBe(0);
    expect(isoWeekdayOf(0)).toBe(4);
    expect(isoWeekdayOf(-1)).toBe(3);
    expect(parseLocalDate("2028-02-29")).toBe(Date.UTC(2028, 1, 29) / DAY);
    expect(parseLocalDate("2000-02-29")).toBe(Date.UTC(2000, 1, 29) / DAY);
    expect(parseLocalDate("2100-02-29")).toBeUndefined();
    expect(parseLocalDate("2026-02-29")).toBeUndefined();
  });

  it("reject anything but a real YYYY-MM-DD", () => {
    for (const text of [
      "2026-04-31",
      "2026-00-01",
      "2026-13-01",
      "2026-1-01",
      "2026-01-1",
      " 2026-01-01",
      "2026/01/01",
      "",
    ]) {
      expect(parseLocalDate(text), text).toBeUndefined();
    }
  });
});
