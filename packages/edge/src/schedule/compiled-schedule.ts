import type { HolidayCalendar, Schedule } from "../state/model.js";
import { MINUTES_PER_DAY } from "./civil-date.js";
import type { LocalTime } from "./local-time.js";
import { validateSchedule, type WindowMinutes } from "./schedule-validation.js";

/** A schedule ready for the decision: `isOpen` is two array reads and a compare. */
export interface CompiledSchedule {
  readonly id: number;
  /** Whether the schedule is open at a local wall-clock minute (see `compileSchedule`). */
  isOpen(at: LocalTime): boolean;
}

// One byte per (weekday, minute) holds four layers, so any day's answer is one read.
/** A regular window started this weekday covers the minute. */
const OWN = 1;
/** A regular overnight window started the weekday before covers the minute. */
const SPILL = 2;
/** A holiday window started this day covers the minute (used when this day is a holiday). */
const HOLIDAY_OWN = 4;
/** A holiday overnight window started the day before covers it (used after a holiday). */
const HOLIDAY_SPILL = 8;

const ALL_WEEKDAYS: readonly number[] = [1, 2, 3, 4, 5, 6, 7];

/**
 * Compiles a schedule (and its holiday calendar) into a weekly minute table.
 *
 * Semantics, all in local wall-clock time (`LocalTime` from `ZoneClock`):
 * - A window starts on each of its ISO weekdays at `from` (inclusive) and ends at `until`
 *   (exclusive). When `until` is at or before `from` it runs past midnight into the next
 *   day: "22:00"-"06:00" on Friday covers Fri 22:00-24:00 and Sat 00:00-06:00, and a
 *   Sunday window spills into Monday. "00:00"-"24:00" is the whole day; `from` = `until`
 *   is a full 24 h starting at `from`.
 * - Holidays: on a date of the schedule's calendar, the windows that start that day are
 *   replaced by `holidayWindows` (their `days` ignored); no `holidayWindows` means nothing
 *   starts that day. This is the rule for overnight windows: what a window started the
 *   day before spills into a holiday's early hours still applies (a Thursday 22:00-06:00
 *   window opens Friday 00:00-06:00 even when Friday is a holiday), and an overnight
 *   holiday window spills into the next day whether or not that day is a holiday.
 * - DST: minutes are wall-clock minutes. On the spring-forward day the skipped hour never
 *   occurs (a 22:00-06:00 window that night is open 7 real hours); on the fall-back day
 *   the repeated hour is open or closed twice alike (that window is open 9 real hours).
 *
 * The calendar is used when its id is the schedule's `holidayCalendarId`; a schedule with
 * a `holidayCalendarId` but no such calendar is invalid (closing on holidays must not
 * silently stop).
 *
 * @throws InvalidScheduleError (code "INVALID_SCHEDULE") listing every problem with its
 *   path (`windows[2].from`, `windows[0].days[1]`, `calendar.dates[3]`, ...).
 */
export function compileSchedule(
  schedule: Schedule,
  calendar: HolidayCalendar | undefined,
): CompiledSchedule {
  const valid = validateSchedule(schedule, calendar);
  const table = new Uint8Array(7 * MINUTES_PER_DAY);
  for (const window of valid.windows) paint(table, window, window.days, OWN, SPILL);
  for (const window of valid.holidayWindows) {
    paint(table, window, ALL_WEEKDAYS, HOLIDAY_OWN, HOLIDAY_SPILL);
  }
  return new WeekTable(valid.id, table, valid.holidays);
}

/** Marks a window's minutes on each start day (`own`) and its spill into the next (`spill`). */
function paint(
  table: Uint8Array,
  window: WindowMinutes,
  days: readonly number[],
  own: number,
  spill: number,
): void {
  const overnight = window.until <= window.from;
  const ownEnd = overnight ? MINUTES_PER_DAY : window.until;
  for (const day of days) {
    const row = (day - 1) * MINUTES_PER_DAY;
    for (let m = window.from; m < ownEnd; m++) table[row + m]! |= own;
    if (!overnight) continue;
    const nextRow = (day % 7) * MINUTES_PER_DAY;
    for (let m = 0; m < window.until; m++) table[nextRow + m]! |= spill;
  }
}

class WeekTable implements CompiledSchedule {
  readonly id: number;
  readonly #table: Uint8Array;
  readonly #holidays: ReadonlySet<number>;
  // Which layers count on #day: two Set lookups once per local day, not per call.
  #day = Number.NaN;
  #mask = OWN | SPILL;

  constructor(id: number, table: Uint8Array, holidays: ReadonlySet<number>) {
    this.id = id;
    this.#table = table;
    this.#holidays = holidays;
  }

  isOpen(at: LocalTime): boolean {
    const day = at.dayNumber;
    if (day !== this.#day) {
      const holidays = this.#holidays;
      this.#mask =
        (holidays.has(day) ? HOLIDAY_OWN : OWN) | (holidays.has(day - 1) ? HOLIDAY_SPILL : SPILL);
      this.#day = day;
    }
    const cell = this.#table[(at.isoWeekday - 1) * MINUTES_PER_DAY + at.minuteOfDay];
    return cell !== undefined && (cell & this.#mask) !== 0;
  }
}
