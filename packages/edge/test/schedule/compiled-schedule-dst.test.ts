import { describe, expect, it } from "vitest";
import { compileSchedule } from "../../src/schedule/compiled-schedule.js";
import { ZoneClock } from "../../src/schedule/local-time.js";
import { schedule, window } from "./schedule-fixtures.js";

const MINUTE = 60_000;
const clock = new ZoneClock("Europe/Amsterdam");

/** The UTC minutes in [from, until) at which the schedule is open, as ISO strings of runs. */
function openRuns(windows: Parameters<typeof schedule>[0], from: number, until: number) {
  const compiled = compileSchedule(schedule(windows), undefined);
  const runs: string[] = [];
  let runStart: number | undefined;
  let minutes = 0;
  for (let t = from; t <= until; t += MINUTE) {
    const open = t < until && compiled.isOpen(clock.local(t));
    if (open) minutes++;
    if (open && runStart === undefined) runStart = t;
    if (!open && runStart !== undefined) {
      runs.push(`${new Date(runStart).toISOString()}..${new Date(t).toISOString()}`);
      runStart = undefined;
    }
  }
  return { runs, minutes };
}

describe("schedules on DST days in Europe/Amsterdam", () => {
  it("opens a 07:00-19:00 Sunday window at 05:00-17:00 UTC on the spring-forward Sunday", () => {
    const result = openRuns(
      [window([7], "07:00", "19:00")],
      Date.UTC(2026, 2, 28, 12),
      Date.UTC(2026, 2, 30, 12),
    );
    expect(result.runs).toEqual(["2026-03-29T05:00:00.000Z..2026-03-29T17:00:00.000Z"]);
    expect(result.minutes).toBe(12 * 60);
  });

  it("opens a 07:00-19:00 Sunday window at 06:00-18:00 UTC on the fall-back Sunday", () => {
    const result = openRuns(
      [window([7], "07:00", "19:00")],
      Date.UTC(2026, 9, 24, 12),
      Date.UTC(2026, 9, 26, 12),
    );
    expect(result.runs).toEqual(["2026-10-25T06:00:00.000Z..2026-10-25T18:00:00.000Z"]);
  });

  it("agrees with ZoneClock.instant at the window's edges on both 2027 switch days", () => {
    const compiled = compileSchedule(schedule([window([7], "07:00", "19:00")]), undefined);
    for (const date of ["2027-03-28", "2027-10-31"]) {
      const opens = clock.instant(date, 7 * 60);
      const closes = clock.instant(date, 19 * 60);
      expect(compiled.isOpen(clock.local(opens - 1))).toBe(false);
      expect(compiled.isOpen(clock.local(opens))).toBe(true);
      expect(compiled.isOpen(clock.local(closes - 1))).toBe(true);
      expect(compiled.isOpen(clock.local(closes))).toBe(false);
      expect(closes - opens).toBe(12 * 60 * MINUTE);
    }
  });

  it("keeps a Saturday 22:00-06:00 window open 7 real hours over the spring-forward night", () => {
    const result = openRuns(
      [window([6], "22:00", "06:00")],
      Date.UTC(2026, 2, 28, 12),
      Date.UTC(2026, 2, 29, 12),
    );
    expect(result.runs).toEqual(["2026-03-28T21:00:00.000Z..2026-03-29T04:00:00.000Z"]);
    expect(result.minutes).toBe(7 * 60);
  });

  it("keeps a Saturday 22:00-06:00 window open 9 real hours over the fall-back night", () => {
    const result = openRuns(
      [window([6], "22:00", "06:00")],
      Date.UTC(2026, 9, 24, 12),
      Date.UTC(2026, 9, 25, 12),
    );
    expect(result.runs).toEqual(["2026-10-24T20:00:00.000Z..2026-10-25T05:00:00.000Z"]);
    expect(result.minutes).toBe(9 * 60);
  });

  it("never opens a window inside the skipped hour and opens it twice in the repeated hour", () => {
    const hour = [window([7], "02:00", "03:00")];
    expect(openRuns(hour, Date.UTC(2026, 2, 28, 12), Date.UTC(2026, 2, 29, 12)).minutes).toBe(0);
    expect(openRuns(hour, Date.UTC(2026, 9, 24, 12), Date.UTC(2026, 9, 25, 12)).runs).toEqual([
      "2026-10-25T00:00:00.000Z..2026-10-25T02:00:00.000Z",
    ]);
  });
});
