import { describe, expect, it } from "vitest";
import { InvalidLocalTimeError, InvalidTimeZoneError } from "../../src/schedule/errors.js";
import { type LocalTime, ZoneClock } from "../../src/schedule/local-time.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const clock = new ZoneClock();

function wall(at: LocalTime): string {
  const hh = String(Math.floor(at.minuteOfDay / 60)).padStart(2, "0");
  const mm = String(at.minuteOfDay % 60).padStart(2, "0");
  return `${at.date} ${hh}:${mm} (${at.isoWeekday})`;
}

/** Local minutes of day of every UTC minute in [from, from + count minutes). */
function minutesFrom(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => clock.local(from + i * MINUTE).minuteOfDay);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe("ZoneClock.local in Europe/Amsterdam", () => {
  it.each([
    ["2026 spring", Date.UTC(2026, 2, 29, 1), "2026-03-29"],
    ["2027 spring", Date.UTC(2027, 2, 28, 1), "2027-03-28"],
  ])("%s: 02:00 never happens, 01:59 is followed by 03:00", (_, switchAt, date) => {
    // UTC 00:00..01:59 around the switch at 01:00 UTC, minute by minute.
    expect(minutesFrom(switchAt - HOUR, 2 * 60)).toEqual([...range(60, 120), ...range(180, 240)]);
    expect(wall(clock.local(switchAt - 1))).toBe(`${date} 01:59 (7)`);
    expect(wall(clock.local(switchAt))).toBe(`${date} 03:00 (7)`);
    expect(clock.local(switchAt - 1).dayNumber).toBe(Date.parse(date) / DAY);
  });

  it.each([
    ["2026 autumn", Date.UTC(2026, 9, 25, 1), "2026-10-25"],
    ["2027 autumn", Date.UTC(2027, 9, 31, 1), "2027-10-31"],
  ])("%s: 02:00..02:59 happens twice", (_, switchAt, date) => {
    expect(minutesFrom(switchAt - HOUR, 2 * 60)).toEqual([...range(120, 180), ...range(120, 180)]);
    expect(wall(clock.local(switchAt - HOUR - 1))).toBe(`${date} 01:59 (7)`);
    expect(wall(clock.local(switchAt - 1))).toBe(`${date} 02:59 (7)`);
    expect(wall(clock.local(switchAt))).toBe(`${date} 02:00 (7)`);
    expect(wall(clock.local(switchAt + HOUR))).toBe(`${date} 03:00 (7)`);
  });

  it("counts local days across a DST night: 23 h in spring, 25 h in autumn", () => {
    const spring = clock.local(Date.UTC(2026, 2, 28, 23));
    const autumn = clock.local(Date.UTC(2026, 9, 24, 22));
    expect(wall(spring)).toBe("2026-03-29 00:00 (7)");
    expect(wall(clock.local(Date.UTC(2026, 2, 29, 22) - 1))).toBe("2026-03-29 23:59 (7)");
    expect(wall(clock.local(Date.UTC(2026, 2, 29, 22)))).toBe("2026-03-30 00:00 (1)");
    expect(wall(autumn)).toBe("2026-10-25 00:00 (7)");
    expect(wall(clock.local(Date.UTC(2026, 9, 25, 23) - 1))).toBe("2026-10-25 23:59 (7)");
    expect(wall(clock.local(Date.UTC(2026, 9, 25, 23)))).toBe("2026-10-26 00:00 (1)");
  });

  it("handles leap days", () => {
    expect(wall(clock.local(Date.UTC(2028, 1, 28, 22, 59)))).toBe("2028-02-28 23:59 (1)");
    expect(wall(clock.local(Date.UTC(2028, 1, 28, 23)))).toBe("2028-02-29 00:00 (2)");
    expect(wall(clock.local(Date.UTC(2028, 1, 29, 22, 59)))).toBe("2028-02-29 23:59 (2)");
    expect(wall(clock.local(Date.UTC(2028, 1, 29, 23)))).toBe("2028-03-01 00:00 (3)");
    expect(wall(clock.local(Date.UTC(2027, 1, 28, 23)))).toBe("2027-03-01 00:00 (1)");
    expect(clock.local(Date.UTC(2028, 1, 29, 12)).dayNumber).toBe(Date.UTC(2028, 1, 29) / DAY);
  });

  it("handles the year end", () => {
    expect(wall(clock.local(Date.UTC(2026, 11, 31, 22, 59, 59, 999)))).toBe("2026-12-31 23:59 (4)");
    const newYear = clock.local(Date.UTC(2026, 11, 31, 23));
    expect(wall(newYear)).toBe("2027-01-01 00:00 (5)");
    expect(newYear.dayNumber).toBe(Date.UTC(2027, 0, 1) / DAY);
    expect(wall(clock.local(Date.UTC(2027, 11, 31, 23)))).toBe("2028-01-01 00:00 (6)");
  });

  it("returns the same frozen object for every instant within one minute", () => {
    const start = Date.UTC(2026, 5, 10, 8, 15);
    const first = clock.local(start);
    expect(Object.isFrozen(first)).toBe(true);
    expect(clock.local(start + 1)).toBe(first);
    expect(clock.local(start + 59_999)).toBe(first);
    const next = clock.local(start + MINUTE);
    expect(next).not.toBe(first);
    expect(next.minuteOfDay).toBe(first.minuteOfDay + 1);
    expect(clock.local(start + MINUTE + 30_000)).toBe(next);
  });

  it("does not reuse a minute across the autumn switch", () => {
    const switchAt = Date.UTC(2026, 9, 25, 1);
    const before = clock.local(switchAt - 1);
    const after = clock.local(switchAt);
    expect(before.minuteOfDay).toBe(179);
    expect(after.minuteOfDay).toBe(120);
  });

  it("rejects instants it cannot express", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -8.64e15, 8.64e15]) {
      expect(() => clock.local(bad)).toThrow(InvalidLocalTimeError);
    }
  });
});

describe("ZoneClock.instant", () => {
  it("maps each minute of the spring-forward day, the gap to its end", () => {
    const midnight = Date.UTC(2026, 2, 28, 23);
    const switchAt = Date.UTC(2026, 2, 29, 1);
    for (let m = 0; m < 1440; m++) {
      const expected =
        m < 120 ? midnight + m * MINUTE : m < 180 ? switchAt : midnight + (m - 60) * MINUTE;
      expect(clock.instant("2026-03-29", m), `minute ${m}`).toBe(expected);
    }
  });

  it("maps each minute of the fall-back day, the repeated hour to its first occurrence", () => {
    const midnight = Date.UTC(2026, 9, 24, 22);
    for (let m = 0; m < 1440; m++) {
      const expected = m < 180 ? midnight + m * MINUTE : midnight + (m + 60) * MINUTE;
      expect(clock.instant("2026-10-25", m), `minute ${m}`).toBe(expected);
    }
  });

  it("round-trips with local() on ordinary, leap and DST days", () => {
    for (const date of ["2027-03-28", "2027-10-31", "2028-02-29", "2026-12-31", "2027-01-01"]) {
      for (let m = 0; m < 1440; m += 7) {
        const at = clock.local(clock.instant(date, m));
        const skipped = date === "2027-03-28" && m >= 120 && m < 180;
        expect(at.date).toBe(date);
        expect(at.minuteOfDay).toBe(skipped ? 180 : m);
      }
    }
  });

  it("rejects malformed dates and minutes", () => {
    for (const date of ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-00", ""]) {
      expect(() => clock.instant(date, 0), date).toThrow(InvalidLocalTimeError);
    }
    for (const minute of [-1, 1440, 1.5, Number.NaN]) {
      expect(() => clock.instant("2026-01-01", minute)).toThrow(InvalidLocalTimeError);
    }
    expect(() => clock.instant("2026-02-30", 0)).toThrow(
      expect.objectContaining({ code: "INVALID_LOCAL_TIME" }),
    );
  });
});

describe("ZoneClock zones", () => {
  it("defaults to Europe/Amsterdam", () => {
    expect(new ZoneClock().zone).toBe("Europe/Amsterdam");
  });

  it("rejects an unknown zone with a typed error", () => {
    for (const zone of ["Mars/Olympus_Mons", "", "Europe/Amsterdamm"]) {
      expect(() => new ZoneClock(zone)).toThrow(InvalidTimeZoneError);
    }
    expect(() => new ZoneClock("Nowhere/Town")).toThrow(
      expect.objectContaining({ code: "INVALID_TIME_ZONE", zone: "Nowhere/Town" }),
    );
  });

  it("follows half-hour and 45-minute offsets and a skipped calendar day", () => {
    const lordHowe = new ZoneClock("Australia/Lord_Howe");
    // DST ends 2026-04-05 02:00 (+11:00) -> 01:30 (+10:30), at 15:00 UTC the day before.
    expect(wall(lordHowe.local(Date.UTC(2026, 3, 4, 15) - 1))).toBe("2026-04-05 01:59 (7)");
    expect(wall(lordHowe.local(Date.UTC(2026, 3, 4, 15)))).toBe("2026-04-05 01:30 (7)");
    const chatham = new ZoneClock("Pacific/Chatham");
    expect(wall(chatham.local(Date.UTC(2026, 5, 1)))).toBe("2026-06-01 12:45 (1)");
    // Samoa skipped Friday 2011-12-30 entirely.
    const apia = new ZoneClock("Pacific/Apia");
    expect(wall(apia.local(Date.UTC(2011, 11, 30, 10) - 1))).toBe("2011-12-29 23:59 (4)");
    expect(wall(apia.local(Date.UTC(2011, 11, 30, 10)))).toBe("2011-12-31 00:00 (6)");
    expect(apia.instant("2011-12-30", 600)).toBe(Date.UTC(2011, 11, 30, 10));
  });
});
