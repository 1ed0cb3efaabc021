import type { HolidayCalendar, Schedule } from "../state/model.js";
import { MINUTES_PER_DAY, parseLocalDate } from "./civil-date.js";
import { InvalidScheduleError, type ScheduleProblem } from "./errors.js";

/** A window with its times in minutes of the day: `from` 0..1439, `until` 0..1440. */
export interface WindowMinutes {
  /** ISO weekdays the window starts on (empty for holiday windows). */
  readonly days: readonly number[];
  readonly from: number;
  readonly until: number;
}

/** A schedule whose every field was checked, in the form the compiler needs. */
export interface ValidSchedule {
  readonly id: number;
  readonly windows: readonly WindowMinutes[];
  readonly holidayWindows: readonly WindowMinutes[];
  /** Day numbers of the holidays (empty when the schedule uses no calendar). */
  readonly holidays: ReadonlySet<number>;
}

const CLOCK_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since midnight of "HH:MM" (00:00..23:59, and "24:00" where allowed). */
function parseClock(text: unknown, allowEndOfDay: boolean): number | undefined {
  if (allowEndOfDay && text === "24:00") return MINUTES_PER_DAY;
  const match = typeof text === "string" ? CLOCK_PATTERN.exec(text) : null;
  if (match === null) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** Collects problems with their paths; reads input as `unknown` because it came off the wire. */
class ProblemList {
  readonly list: ScheduleProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function checkWindows(
  list: unknown,
  path: string,
  withDays: boolean,
  problems: ProblemList,
): WindowMinutes[] {
  if (!Array.isArray(list)) {
    problems.add(path, "expected an array of windows");
    return [];
  }
  const windows: WindowMinutes[] = [];
  list.forEach((window: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(window)) {
      problems.add(at, "expected a window { days, from, until }");
      return;
    }
    const days = withDays ? checkDays(window.days, `${at}.days`, problems) : [];
    const from = parseClock(window.from, false);
    if (from === undefined) {
      problems.add(`${at}.from`, `expected "HH:MM" from 00:00 to 23:59, got ${show(window.from)}`);
    }
    const until = parseClock(window.until, true);
    if (until === undefined) {
      problems.add(
        `${at}.until`,
        `expected "HH:MM" from 00:00 to 24:00, got ${show(window.until)}`,
      );
    }
    if (days !== undefined && from !== undefined && until !== undefined) {
      windows.push({ days, from, until });
    }
  });
  return windows;
}

function checkDays(days: unknown, path: string, problems: ProblemList): number[] | undefined {
  if (!Array.isArray(days)) {
    problems.add(path, "expected an array of ISO weekdays (1 = Monday ... 7 = Sunday)");
    return undefined;
  }
  let valid = true;
  days.forEach((day: unknown, j) => {
    if (!Number.isInteger(day) || (day as number) < 1 || (day as number) > 7) {
      problems.add(`${path}[${j}]`, `expected an ISO weekday 1..7, got ${show(day)}`);
      valid = false;
    }
  });
  return valid ? (days as number[]) : undefined;
}

function checkCalendar(
  calendarId: unknown,
  calendar: HolidayCalendar | undefined,
  problems: ProblemList,
): Set<number> {
  const holidays = new Set<number>();
  if (calendarId === null) return holidays;
  if (!isId(calendarId)) {
    problems.add(
      "holidayCalendarId",
      `expected null or a positive integer, got ${show(calendarId)}`,
    );
    return holidays;
  }
  if (calendar === undefined) {
    problems.add("holidayCalendarId", `holiday calendar ${calendarId} was not given`);
    return holidays;
  }
  if (calendar.id !== calendarId) {
    problems.add(
      "holidayCalendarId",
      `expected calendar ${calendarId}, got calendar ${show(calendar.id)}`,
    );
    return holidays;
  }
  if (!Array.isArray(calendar.dates)) {
    problems.add("calendar.dates", 'expected an array of "YYYY-MM-DD" dates');
    return holidays;
  }
  calendar.dates.forEach((date: unknown, j) => {
    const day = typeof date === "string" ? parseLocalDate(date) : undefined;
    if (day === undefined) {
      problems.add(`calendar.dates[${j}]`, `expected a real "YYYY-MM-DD" date, got ${show(date)}`);
    } else {
      holidays.add(day);
    }
  });
  return holidays;
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/**
 * Checks a schedule and its holiday calendar and converts times to minutes.
 * @throws InvalidScheduleError (code "INVALID_SCHEDULE") listing every problem with its path.
 */
export function validateSchedule(
  schedule: Schedule,
  calendar: HolidayCalendar | undefined,
): ValidSchedule {
  const problems = new ProblemList();
  const input: unknown = schedule;
  if (!isRecord(input)) {
    throw new InvalidScheduleError(undefined, [{ path: "", message: "expected a schedule" }]);
  }
  if (!isId(input.id)) problems.add("id", `expected a positive integer, got ${show(input.id)}`);
  const windows = checkWindows(input.windows, "windows", true, problems);
  const holidayWindows = checkWindows(input.holidayWindows, "holidayWindows", false, problems);
  const holidays = checkCalendar(input.holidayCalendarId, calendar, problems);
  if (problems.list.length > 0) throw new InvalidScheduleError(input.id, problems.list);
  return { id: input.id as number, windows, holidayWindows, holidays };
}
