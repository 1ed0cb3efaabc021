import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LocalTime, ZoneClock } from "../../src/schedule/local-time.js";
import { intlWallClock } from "./intl-reference.js";

const DAY = 86_400_000;

function fields(at: LocalTime) {
  return { date: at.date, isoWeekday: at.isoWeekday, minuteOfDay: at.minuteOfDay };
}

describe("ZoneClock agrees with Intl.DateTimeFormat", () => {
  it("on 100,000 random instants 2020..2035 in Europe/Amsterdam", () => {
    const clock = new ZoneClock("Europe/Amsterdam");
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2036, 0, 1) - 1 }),
        (epochMs) => {
          const at = clock.local(epochMs);
          expect(fields(at)).toEqual(intlWallClock("Europe/Amsterdam", epochMs));
          expect(at.dayNumber).toBe(Date.parse(at.date) / DAY);
        },
      ),
      { numRuns: 100_000 },
    );
  });

  it("within a minute of every Amsterdam DST switch 2020..2035 (to the millisecond)", () => {
    const clock = new ZoneClock("Europe/Amsterdam");
    for (let year = 2020; year <= 2035; year++) {
      for (const month of [2, 9]) {
        // The last Sunday of March / October, 01:00 UTC.
        const lastDay = new Date(Date.UTC(year, month + 1, 0));
        const switchAt = Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
        for (let t = switchAt - 61_000; t <= switchAt + 61_000; t += 997) {
          expect(fields(clock.local(t)), new Date(t).toISOString()).toEqual(
            intlWallClock("Europe/Amsterdam", t),
          );
        }
      }
    }
  });

  it("on random instants 1990..2040 in zones with odd offsets and rules", () => {
    const zones = [
      "America/New_York",
      "America/St_Johns",
      "America/Santiago",
      "Australia/Lord_Howe",
      "Pacific/Chatham",
      "Pacific/Apia",
      "Asia/Kathmandu",
      "Africa/Casablanca",
      "Europe/Dublin",
      "Antarctica/Troll",
      "UTC",
    ];
    const clocks = new Map(zones.map((zone) => [zone, new ZoneClock(zone)]));
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
        (zone, epochMs) => {
          const at = clocks.get(zone)!.local(epochMs);
          expect(fields(at)).toEqual(intlWallClock(zone, epochMs));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("in every zone Intl knows, through 2026", () => {
    const start = Date.UTC(2026, 0, 1);
    for (const zone of Intl.supportedValuesOf("timeZone")) {
      const clock = new ZoneClock(zone);
      for (let t = start; t < start + 365 * DAY; t += 29 * 3_600_000 + 13 * 60_001) {
        const at = clock.local(t);
        const expected = intlWallClock(zone, t);
        if (
          at.minuteOfDay !== expected.minuteOfDay ||
          at.date !== expected.date ||
          at.isoWeekday !== expected.isoWeekday
        ) {
          expect(fields(at), `${zone} ${new Date(t).toISOString()}`).toEqual(expected);
        }
      }
    }
  });

  it("round-trips local minutes through instant() on random instants", () => {
    const clock = new ZoneClock("Europe/Amsterdam");
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2036, 0, 1) - 1 }),
        (epochMs) => {
          const at = clock.local(epochMs);
          const instant = clock.instant(at.date, at.minuteOfDay);
          const minuteStart = epochMs - (epochMs % 60_000);
          // The repeated autumn hour maps back to its first occurrence, an hour earlier.
          expect([minuteStart, minuteStart - 3_600_000]).toContain(instant);
          expect(clock.local(instant)).toEqual(at);
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
