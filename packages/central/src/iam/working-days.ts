import Holidays from "date-holidays";

const DAY_MS = 86_400_000;

/** Dutch working days: Monday to Friday, not a public holiday (date-holidays' NL calendar). */
export class WorkingDays {
  private readonly holidays: Holidays;
  private readonly types: ReadonlySet<string>;
  private readonly zone: string;
  private readonly years = new Map<number, ReadonlySet<string>>();

  /** `extraTypes`: date-holidays types also off besides "public" (e.g. "school" for 5 May). */
  constructor(zone = "Europe/Amsterdam", extraTypes: readonly string[] = []) {
    this.holidays = new Holidays("NL");
    this.types = new Set(["public", ...extraTypes]);
    this.zone = zone;
  }

  /** The local date (YYYY-MM-DD) of an instant in the calendar's zone. */
  localDate(at: number): string {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: this.zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(at);
  }

  isHoliday(date: string): boolean {
    const year = Number(date.slice(0, 4));
    let dates = this.years.get(year);
    if (dates === undefined) {
      dates = new Set(
        this.holidays
          .getHolidays(year)
          .filter((h) => this.types.has(h.type))
          .map((h) => h.date.slice(0, 10)),
      );
      this.years.set(year, dates);
    }
    return dates.has(date);
  }

  isWorkingDay(date: string): boolean {
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !this.isHoliday(date);
  }

  /**
   * The instant `days` working days after `from`: the same local time of day on the
   * `days`-th working day after `from`'s date (a Friday-afternoon submission with 5 days is
   * due the next Friday afternoon, a holiday in between adds one).
   */
  addWorkingDays(from: number, days: number): number {
    let date = this.localDate(from);
    let counted = 0;
    while (counted < days) {
      date = nextDate(date);
      if (this.isWorkingDay(date)) counted++;
    }
    const shift = daysBetween(this.localDate(from), date);
    // Step whole days and correct by the zone's offset change (DST) in between.
    const naive = from + shift * DAY_MS;
    return naive + (this.offsetMs(from) - this.offsetMs(naive));
  }

  /** The instant local midnight starts `date` (YYYY-MM-DD) in the calendar's zone. */
  startOfDay(date: string): number {
    const utcMidnight = Date.parse(`${date}T00:00:00Z`);
    const guess = utcMidnight - this.offsetMs(utcMidnight);
    return utcMidnight - this.offsetMs(guess);
  }

  /** The zone's offset from UTC at `at`, in ms (Amsterdam: +1 h or +2 h). */
  private offsetMs(at: number): number {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: this.zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(at);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const local = Date.UTC(
      get("year"),
      get("month") - 1,
      get("day"),
      get("hour"),
      get("minute"),
      get("second"),
    );
    return local - (at - (at % 1000));
  }
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / DAY_MS);
}
