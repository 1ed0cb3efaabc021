/** The wall clock of a zone straight from Intl: the slow path `ZoneClock` must agree with. */
export interface IntlWallClock {
  readonly date: string;
  readonly isoWeekday: number;
  readonly minuteOfDay: number;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const formats = new Map<string, Intl.DateTimeFormat>();

export function intlWallClock(zone: string, epochMs: number): IntlWallClock {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US-u-ca-gregory-nu-latn", {
      timeZone: zone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formats.set(zone, format);
  }
  const part: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(epochMs)) part[type] = value;
  return {
    date: `${part.year?.padStart(4, "0")}-${part.month}-${part.day}`,
    isoWeekday: WEEKDAYS.indexOf(part.weekday ?? "") + 1,
    minuteOfDay: Number(part.hour) * 60 + Number(part.minute),
  };
}
