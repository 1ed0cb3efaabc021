import type { Area, HolidayCalendar, Schedule, ScheduleWindow } from "../model.js";
import {
  checkClockFrom,
  checkClockUntil,
  checkId,
  checkIsoDay,
  checkLocalDate,
  checkNonEmpty,
} from "../validate.js";
import type { WireReader, WireWriter } from "../wire.js";

/**
 * SiteState and SiteDelta records on the wire: areas, schedules and holiday calendars.
 * Writers write the message body (without tag and length); readers read from the reader's
 * position to `end`.
 */

export function writeArea(w: WireWriter, a: Area): void {
  w.byte(0x08);
  w.id(a.id, "Area.id");
  checkNonEmpty(a.name, "Area.name");
  w.byte(0x12);
  w.string(a.name);
  for (const c of a.requiredCertificates) {
    checkNonEmpty(c, "Area.requiredCertificates");
    w.byte(0x1a);
    w.string(c);
  }
}

function writeWindow(w: WireWriter, x: ScheduleWindow): void {
  if (x.days.length > 0) {
    w.byte(0x0a);
    const start = w.fork();
    for (const d of x.days) {
      checkIsoDay(d, "ScheduleWindow.days");
      w.varint32(d);
    }
    w.ldelim(start);
  }
  checkClockFrom(x.from, "ScheduleWindow.from");
  w.byte(0x12);
  w.string(x.from);
  checkClockUntil(x.until, "ScheduleWindow.until");
  w.byte(0x1a);
  w.string(x.until);
}

export function writeSchedule(w: WireWriter, s: Schedule): void {
  w.byte(0x08);
  w.id(s.id, "Schedule.id");
  checkNonEmpty(s.name, "Schedule.name");
  w.byte(0x12);
  w.string(s.name);
  for (const x of s.windows) {
    w.byte(0x1a);
    const start = w.fork();
    writeWindow(w, x);
    w.ldelim(start);
  }
  if (s.holidayCalendarId != null) {
    w.byte(0x20);
    w.id(s.holidayCalendarId, "Schedule.holidayCalendarId");
  }
  for (const x of s.holidayWindows) {
    w.byte(0x2a);
    const start = w.fork();
    writeWindow(w, x);
    w.ldelim(start);
  }
}

export function writeHolidayCalendar(w: WireWriter, h: HolidayCalendar): void {
  w.byte(0x08);
  w.id(h.id, "HolidayCalendar.id");
  checkNonEmpty(h.name, "HolidayCalendar.name");
  w.byte(0x12);
  w.string(h.name);
  for (const d of h.dates) {
    checkLocalDate(d, "HolidayCalendar.dates");
    w.byte(0x1a);
    w.string(d);
  }
}

export function readArea(r: WireReader, end: number): Area {
  let id = 0;
  let name = "";
  const requiredCertificates: string[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x12:
        name = r.string();
        break;
      case 0x1a: {
        const c = r.token();
        checkNonEmpty(c, "Area.requiredCertificates");
        requiredCertificates.push(c);
        break;
      }
      default:
        r.unknown(tag, 3, "Area");
    }
  }
  r.end(end, "Area");
  checkId(id, "Area.id");
  checkNonEmpty(name, "Area.name");
  return { id, name, requiredCertificates };
}

function readWindow(r: WireReader, end: number): ScheduleWindow {
  const days: number[] = [];
  let from = "";
  let until = "";
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: {
        const packedEnd = r.message();
        while (r.pos < packedEnd) days.push(r.varint32());
        r.end(packedEnd, "ScheduleWindow.days");
        break;
      }
      case 0x08:
        days.push(r.varint32());
        break;
      case 0x12:
        from = r.string();
        break;
      case 0x1a:
        until = r.string();
        break;
      default:
        r.unknown(tag, 3, "ScheduleWindow");
    }
  }
  r.end(end, "ScheduleWindow");
  for (const d of days) checkIsoDay(d, "ScheduleWindow.days");
  checkClockFrom(from, "ScheduleWindow.from");
  checkClockUntil(until, "ScheduleWindow.until");
  return { days, from, until };
}

export function readSchedule(r: WireReader, end: number): Schedule {
  let id = 0;
  let name = "";
  const windows: ScheduleWindow[] = [];
  let holidayCalendarId: number | null = null;
  const holidayWindows: ScheduleWindow[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x12:
        name = r.string();
        break;
      case 0x1a:
        windows.push(readWindow(r, r.message()));
        break;
      case 0x20:
        holidayCalendarId = r.uint53();
        break;
      case 0x2a:
        holidayWindows.push(readWindow(r, r.message()));
        break;
      default:
        r.unknown(tag, 5, "Schedule");
    }
  }
  r.end(end, "Schedule");
  checkId(id, "Schedule.id");
  checkNonEmpty(name, "Schedule.name");
  if (holidayCalendarId !== null) checkId(holidayCalendarId, "Schedule.holidayCalendarId");
  return { id, name, windows, holidayCalendarId, holidayWindows };
}

export function readHolidayCalendar(r: WireReader, end: number): HolidayCalendar {
  let id = 0;
  let name = "";
  const dates: string[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x12:
        name = r.string();
        break;
      case 0x1a: {
        const d = r.string();
        checkLocalDate(d, "HolidayCalendar.dates");
        dates.push(d);
        break;
      }
      default:
        r.unknown(tag, 3, "HolidayCalendar");
    }
  }
  r.end(end, "HolidayCalendar");
  checkId(id, "HolidayCalendar.id");
  checkNonEmpty(name, "HolidayCalendar.name");
  return { id, name, dates };
}
