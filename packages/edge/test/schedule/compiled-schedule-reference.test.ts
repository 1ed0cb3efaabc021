import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoWeekdayOf, parseLocalDate } from "../../src/schedule/civil-date.js";
import { compileSchedule } from "../../src/schedule/compiled-schedule.js";
import type { LocalTime } from "../../src/schedule/local-time.js";
import type { Schedule, ScheduleWindow } from "../../src/state/model.js";
import { calendar, schedule } from "./schedule-fixtures.js";

const FIRST_DAY = parseLocalDate("2026-06-01")!;
const SPAN_DAYS = 21;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/**
 * The rule read literally: a window started on day D covers the minutes [from, until) after
 * D's midnight, or [from, until + 24 h) when until <= from; on a holiday the holiday windows
 * start instead of the weekday's.
 */
function referenceIsOpen(s: Schedule, holidays: Set<number>, at: LocalTime): boolean {
  for (const daysBack of [0, 1]) {
    const day = at.dayNumber - daysBack;
    const started: readonly ScheduleWindow[] = holidays.has(day)
      ? s.holidayWindows
      : s.windows.filter((w) => w.days.includes(isoWeekdayOf(day)));
    const minute = at.minuteOfDay + daysBack * 1440;
    for (const w of started) {
      const from = minutes(w.from);
      const until = minutes(w.until) <= from ? minutes(w.until) + 1440 : minutes(w.until);
      if (minute >= from && minute < until) return true;
    }
  }
  return false;
}

const clockText = fc.oneof(
  fc.integer({ min: 0, max: 1439 }).map(hhmm),
  fc.constantFrom("00:00", "24:00", "06:00", "22:00"),
);
const fromText = fc.oneof(
  fc.integer({ min: 0, max: 1439 }).map(hhmm),
  fc.constantFrom("00:00", "22:00"),
);
const windowArb = fc.record({
  days: fc.subarray([1, 2, 3, 4, 5, 6, 7]),
  from: fromText,
  until: clockText,
});
const localArb = fc
  .record({
    day: fc.integer({ min: FIRST_DAY, max: FIRST_DAY + SPAN_DAYS - 1 }),
    minute: fc.integer({ min: 0, max: 1439 }),
  })
  .map(
    ({ day, minute }): LocalTime => ({
      date: "",
      dayNumber: day,
      isoWeekday: isoWeekdayOf(day),
      minuteOfDay: minute,
    }),
  );

describe("compileSchedule agrees with the rule read literally", () => {
  it("on random schedules, holidays and local times", () => {
    fc.assert(
      fc.property(
        fc.array(windowArb, { maxLength: 4 }),
        fc.array(windowArb, { maxLength: 2 }),
        fc.uniqueArray(fc.integer({ min: 0, max: SPAN_DAYS - 1 }), { maxLength: 6 }),
        fc.array(localArb, { minLength: 1, maxLength: 50 }),
        (windows, holidayWindows, holidayOffsets, times) => {
          const s = schedule(windows, holidayWindows, 3);
          const dates = holidayOffsets.map((o) => {
            const date = new Date((FIRST_DAY + o) * 86_400_000).toISOString().slice(0, 10);
            return date;
          });
          const holidays = new Set(holidayOffsets.map((o) => FIRST_DAY + o));
          const compiled = compileSchedule(s, calendar(...dates));
          for (const at of times) {
            expect(compiled.isOpen(at), JSON.stringify(at)).toBe(referenceIsOpen(s, holidays, at));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
