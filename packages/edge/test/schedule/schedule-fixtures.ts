import { isoWeekdayOf, parseLocalDate } from "../../src/schedule/civil-date.js";
import type { LocalTime } from "../../src/schedule/local-time.js";
import type { HolidayCalendar, Schedule, ScheduleWindow } from "../../src/state/model.js";

/** A local time straight from a date and "HH:MM", without a zone. */
export function localAt(date: string, hhmm: string): LocalTime {
  const dayNumber = parseLocalDate(date);
  if (dayNumber === undefined) throw new Error(`bad test date ${date}`);
  const [hours, minutes] = hhmm.split(":").map(Number);
  return {
    date,
    dayNumber,
    isoWeekday: isoWeekdayOf(dayNumber),
    minuteOfDay: hours! * 60 + minutes!,
  };
}

export function window(days: number[], from: string, until: string): ScheduleWindow {
  return { days, from, until };
}

export function schedule(
  windows: ScheduleWindow[],
  holidayWindows: ScheduleWindow[] = [],
  holidayCalendarId: number | null = null,
): Schedule {
  return { id: 7, name: "test", windows, holidayCalendarId, holidayWindows };
}

export function calendar(...dates: string[]): HolidayCalendar {
  return { id: 3, name: "NL", dates };
}
