import { describe, expect, it } from "vitest";
import { compileSchedule } from "../../src/schedule/compiled-schedule.js";
import { calendar, localAt, schedule, window } from "./schedule-fixtures.js";

// June 2026: Mon 1, Thu 4, Fri 5, Sat 6, Sun 7, Mon 8.
const WEEKDAYS = [1, 2, 3, 4, 5];

/** The schedule's answer at each "date HH:MM". */
function answers(compiled: { isOpen: (at: ReturnType<typeof localAt>) => boolean }, at: string[]) {
  return Object.fromEntries(
    at.map((text) => {
      const [date, hhmm] = text.split(" ");
      return [text, compiled.isOpen(localAt(date!, hhmm!))];
    }),
  );
}

describe("compileSchedule: weekly windows", () => {
  it("opens a weekday window from its start (inclusive) to its end (exclusive)", () => {
    const compiled = compileSchedule(schedule([window(WEEKDAYS, "08:00", "18:00")]), undefined);
    expect(compiled.id).toBe(7);
    expect(
      answers(compiled, [
        "2026-06-05 07:59",
        "2026-06-05 08:00",
        "2026-06-05 17:59",
        "2026-06-05 18:00",
        "2026-06-06 10:00",
        "2026-06-08 08:00",
      ]),
    ).toEqual({
      "2026-06-05 07:59": false,
      "2026-06-05 08:00": true,
      "2026-06-05 17:59": true,
      "2026-06-05 18:00": false,
      "2026-06-06 10:00": false,
      "2026-06-08 08:00": true,
    });
  });

  it("runs an overnight window past midnight into the next day", () => {
    const compiled = compileSchedule(schedule([window([5], "22:00", "06:00")]), undefined);
    expect(
      answers(compiled, [
        "2026-06-05 03:00",
        "2026-06-05 21:59",
        "2026-06-05 22:00",
        "2026-06-05 23:59",
        "2026-06-06 00:00",
        "2026-06-06 05:59",
        "2026-06-06 06:00",
        "2026-06-06 22:00",
      ]),
    ).toEqual({
      "2026-06-05 03:00": false,
      "2026-06-05 21:59": false,
      "2026-06-05 22:00": true,
      "2026-06-05 23:59": true,
      "2026-06-06 00:00": true,
      "2026-06-06 05:59": true,
      "2026-06-06 06:00": false,
      "2026-06-06 22:00": false,
    });
  });

  it("runs a Sunday overnight window into Monday", () => {
    const compiled = compileSchedule(schedule([window([7], "22:00", "06:00")]), undefined);
    expect(
      answers(compiled, [
        "2026-06-06 23:00",
        "2026-06-07 03:00",
        "2026-06-07 23:00",
        "2026-06-08 05:59",
        "2026-06-08 06:00",
      ]),
    ).toEqual({
      "2026-06-06 23:00": false,
      "2026-06-07 03:00": false,
      "2026-06-07 23:00": true,
      "2026-06-08 05:59": true,
      "2026-06-08 06:00": false,
    });
  });

  it("covers the whole day with 00:00-24:00 and with 00:00-00:00", () => {
    for (const until of ["24:00", "00:00"]) {
      const compiled = compileSchedule(schedule([window([3], "00:00", until)]), undefined);
      expect(
        answers(compiled, [
          "2026-06-02 23:59",
          "2026-06-03 00:00",
          "2026-06-03 23:59",
          "2026-06-04 00:00",
        ]),
        until,
      ).toEqual({
        "2026-06-02 23:59": false,
        "2026-06-03 00:00": true,
        "2026-06-03 23:59": true,
        "2026-06-04 00:00": false,
      });
    }
  });

  it("takes from = until as a full 24 h from `from`", () => {
    const compiled = compileSchedule(schedule([window([1], "08:00", "08:00")]), undefined);
    expect(
      answers(compiled, [
        "2026-06-01 07:59",
        "2026-06-01 08:00",
        "2026-06-02 07:59",
        "2026-06-02 08:00",
      ]),
    ).toEqual({
      "2026-06-01 07:59": false,
      "2026-06-01 08:00": true,
      "2026-06-02 07:59": true,
      "2026-06-02 08:00": false,
    });
  });

  it("ends a window at midnight with until 00:00 or 24:00", () => {
    for (const until of ["00:00", "24:00"]) {
      const compiled = compileSchedule(schedule([window([1], "22:00", until)]), undefined);
      expect(compiled.isOpen(localAt("2026-06-01", "23:59")), until).toBe(true);
      expect(compiled.isOpen(localAt("2026-06-02", "00:00")), until).toBe(false);
    }
  });

  it("is open where any window is open", () => {
    const compiled = compileSchedule(
      schedule([window([1], "08:00", "10:00"), window([1, 2], "09:00", "12:00")]),
      undefined,
    );
    expect(
      answers(compiled, [
        "2026-06-01 08:30",
        "2026-06-01 11:30",
        "2026-06-02 08:30",
        "2026-06-02 11:30",
      ]),
    ).toEqual({
      "2026-06-01 08:30": true,
      "2026-06-01 11:30": true,
      "2026-06-02 08:30": false,
      "2026-06-02 11:30": true,
    });
  });

  it("is never open without windows", () => {
    const compiled = compileSchedule(schedule([]), undefined);
    expect(compiled.isOpen(localAt("2026-06-01", "12:00"))).toBe(false);
  });
});

describe("compileSchedule: holidays", () => {
  const OFFICE = window(WEEKDAYS, "08:00", "18:00");

  it("is closed all day on a holiday without holiday windows", () => {
    const compiled = compileSchedule(schedule([OFFICE], [], 3), calendar("2026-06-05"));
    expect(
      answers(compiled, [
        "2026-06-04 10:00",
        "2026-06-05 10:00",
        "2026-06-08 10:00",
        "2027-06-04 10:00",
      ]),
    ).toEqual({
      "2026-06-04 10:00": true,
      "2026-06-05 10:00": false,
      "2026-06-08 10:00": true,
      "2027-06-04 10:00": true,
    });
  });

  it("opens the holiday windows instead, whatever the weekday and their days", () => {
    const compiled = compileSchedule(
      schedule([OFFICE], [window([1], "10:00", "14:00")], 3),
      calendar("2026-06-05", "2026-06-06"),
    );
    expect(
      answers(compiled, [
        "2026-06-05 09:00",
        "2026-06-05 10:00",
        "2026-06-05 13:59",
        "2026-06-05 14:00",
        "2026-06-06 12:00",
        "2026-06-08 09:00",
        "2026-06-08 15:00",
      ]),
    ).toEqual({
      "2026-06-05 09:00": false,
      "2026-06-05 10:00": true,
      "2026-06-05 13:59": true,
      "2026-06-05 14:00": false,
      "2026-06-06 12:00": true,
      "2026-06-08 09:00": true,
      "2026-06-08 15:00": true,
    });
  });

  it("keeps the spill-over of the day before's overnight window on a holiday morning", () => {
    const compiled = compileSchedule(
      schedule([window([4, 5], "22:00", "06:00")], [], 3),
      calendar("2026-06-05"),
    );
    expect(
      answers(compiled, [
        "2026-06-04 23:00",
        "2026-06-05 05:59",
        "2026-06-05 06:00",
        "2026-06-05 23:00",
        "2026-06-06 03:00",
      ]),
    ).toEqual({
      "2026-06-04 23:00": true,
      "2026-06-05 05:59": true,
      "2026-06-05 06:00": false,
      "2026-06-05 23:00": false,
      "2026-06-06 03:00": false,
    });
  });

  it("spills an overnight holiday window into the next day, holiday or not", () => {
    const compiled = compileSchedule(
      schedule([window([6], "08:00", "12:00")], [window([], "20:00", "02:00")], 3),
      calendar("2026-06-05", "2026-06-07"),
    );
    expect(
      answers(compiled, [
        "2026-06-05 19:59",
        "2026-06-05 20:00",
        "2026-06-06 01:59",
        "2026-06-06 02:00",
        "2026-06-06 09:00",
        "2026-06-06 21:00",
        "2026-06-07 21:00",
        "2026-06-08 01:00",
        "2026-06-08 02:00",
      ]),
    ).toEqual({
      "2026-06-05 19:59": false,
      "2026-06-05 20:00": true,
      "2026-06-06 01:59": true,
      "2026-06-06 02:00": false,
      "2026-06-06 09:00": true,
      "2026-06-06 21:00": false,
      "2026-06-07 21:00": true,
      "2026-06-08 01:00": true,
      "2026-06-08 02:00": false,
    });
  });

  it("does not spill a replaced overnight window out of a holiday", () => {
    const compiled = compileSchedule(
      schedule([window([4], "22:00", "06:00")], [], 3),
      calendar("2026-06-04"),
    );
    expect(compiled.isOpen(localAt("2026-06-04", "23:00"))).toBe(false);
    expect(compiled.isOpen(localAt("2026-06-05", "03:00"))).toBe(false);
    expect(compiled.isOpen(localAt("2026-06-11", "23:00"))).toBe(true);
    expect(compiled.isOpen(localAt("2026-06-12", "03:00"))).toBe(true);
  });

  it("ignores a calendar the schedule does not use", () => {
    const compiled = compileSchedule(schedule([OFFICE]), calendar("2026-06-05"));
    expect(compiled.isOpen(localAt("2026-06-05", "10:00"))).toBe(true);
  });

  it("answers alike in any order of days (the per-day holiday memo)", () => {
    const compiled = compileSchedule(schedule([OFFICE], [], 3), calendar("2026-06-05"));
    const times = ["2026-06-05 10:00", "2026-06-04 10:00", "2026-06-05 10:00", "2026-06-08 10:00"];
    expect(
      times.map((t) => compiled.isOpen(localAt(...(t.split(" ") as [string, string])))),
    ).toEqual([false, true, false, true]);
  });
});
