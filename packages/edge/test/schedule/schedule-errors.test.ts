import { describe, expect, it } from "vitest";
import { compileSchedule } from "../../src/schedule/compiled-schedule.js";
import { InvalidScheduleError, ScheduleError } from "../../src/schedule/errors.js";
import type { Schedule } from "../../src/state/model.js";
import { calendar, schedule, window } from "./schedule-fixtures.js";

function problemsOf(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidScheduleError);
    expect(err).toBeInstanceOf(ScheduleError);
    expect((err as InvalidScheduleError).code).toBe("INVALID_SCHEDULE");
    return [...(err as InvalidScheduleError).problems];
  }
  throw new Error("expected compileSchedule to throw");
}

describe("compileSchedule errors", () => {
  it("reports every problem with its path", () => {
    const bad = schedule(
      [
        window([1], "08:00", "18:00"),
        window([0, 3, 8], "8:00", "24:01"),
        window([1.5], "24:00", "25:00"),
        { days: "Mon", from: 800, until: "12:60" } as never,
        null as never,
      ],
      [window([99], "07:00", "x"), { days: [], until: "10:00" } as never],
      3,
    );
    const problems = problemsOf(() =>
      compileSchedule(bad, calendar("2026-12-25", "2026-02-29", "25-12-2026", 20261225 as never)),
    );
    expect(problems.map((p) => p.path)).toEqual([
      "windows[1].days[0]",
      "windows[1].days[2]",
      "windows[1].from",
      "windows[1].until",
      "windows[2].days[0]",
      "windows[2].from",
      "windows[2].until",
      "windows[3].days",
      "windows[3].from",
      "windows[3].until",
      "windows[4]",
      "holidayWindows[0].until",
      "holidayWindows[1].from",
      "calendar.dates[1]",
      "calendar.dates[2]",
      "calendar.dates[3]",
    ]);
    expect(problems[0]).toEqual({
      path: "windows[1].days[0]",
      message: "expected an ISO weekday 1..7, got 0",
    });
    expect(problems[3]?.message).toBe('expected "HH:MM" from 00:00 to 24:00, got "24:01"');
    expect(problems[5]?.message).toBe('expected "HH:MM" from 00:00 to 23:59, got "24:00"');
    expect(problems[12]?.message).toBe('expected "HH:MM" from 00:00 to 23:59, got nothing');
    expect(problems[14]?.message).toBe('expected a real "YYYY-MM-DD" date, got "25-12-2026"');
  });

  it("puts the schedule id and every path in the message", () => {
    const bad = schedule([window([9], "08:00", "18:00")], [window([], "7", "08:00")]);
    expect(() => compileSchedule(bad, undefined)).toThrow(
      "invalid schedule 7: windows[0].days[0]: expected an ISO weekday 1..7, got 9; " +
        'holidayWindows[0].from: expected "HH:MM" from 00:00 to 23:59, got "7"',
    );
  });

  it("reports a bad id and windows that are not arrays", () => {
    const bad = {
      id: -1,
      name: "x",
      windows: {},
      holidayWindows: undefined,
    } as unknown as Schedule;
    expect(problemsOf(() => compileSchedule(bad, undefined)).map((p) => p.path)).toEqual([
      "id",
      "windows",
      "holidayWindows",
      "holidayCalendarId",
    ]);
  });

  it("requires the calendar the schedule names", () => {
    const uses3 = schedule([window([1], "08:00", "18:00")], [], 3);
    expect(problemsOf(() => compileSchedule(uses3, undefined))).toEqual([
      { path: "holidayCalendarId", message: "holiday calendar 3 was not given" },
    ]);
    expect(problemsOf(() => compileSchedule(uses3, { id: 4, name: "BE", dates: [] }))).toEqual([
      { path: "holidayCalendarId", message: "expected calendar 3, got calendar 4" },
    ]);
  });

  it("accepts 24:00 as an end and an empty day list", () => {
    expect(() =>
      compileSchedule(
        schedule([window([], "00:00", "24:00"), window([7], "23:59", "00:00")]),
        undefined,
      ),
    ).not.toThrow();
  });
});
