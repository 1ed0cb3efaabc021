import {
  daysFromCivil,
  formatLocalDate,
  isoWeekdayOf,
  MINUTES_PER_DAY,
  MS_PER_DAY,
  MS_PER_MINUTE,
  parseLocalDate,
} from "./civil-date.js";
import { InvalidLocalTimeError, InvalidTimeZoneError } from "./errors.js";
import { intlOffsetProbe, OffsetTable } from "./offset-table.js";

/** An instant as the site's wall clock shows it, to the minute. Returned frozen. */
export interface LocalTime {
  /** "YYYY-MM-DD" local calendar date. */
  readonly date: string;
  /** Local calendar day count since 1970-01-01 (for "previous day" arithmetic). */
  readonly dayNumber: number;
  /** 1 = Monday ... 7 = Sunday. */
  readonly isoWeekday: number;
  /**
   * 0..1439 local wall-clock minute. During the autumn DST repeat the hour occurs twice
   * and both occurrences map to the same minutes (120..179 in Europe/Amsterdam); in the
   * spring gap the skipped minutes never occur.
   */
  readonly minuteOfDay: number;
}

/** Instants `local()` accepts: local dates stay within 0001-01-01..9999-12-31 in any zone. */
const MIN_INSTANT_MS = daysFromCivil(1, 1, 3) * MS_PER_DAY;
const MAX_INSTANT_MS = daysFromCivil(9999, 12, 29) * MS_PER_DAY;
/** Every candidate instant of a local time lies within this distance (offsets are < 26 h). */
const SEARCH_MS = 2 * MS_PER_DAY;

const NEVER: LocalTime = Object.freeze({ date: "", dayNumber: 0, isoWeekday: 1, minuteOfDay: 0 });

/**
 * Converts UTC instants to the wall clock of one IANA zone (default "Europe/Amsterdam")
 * and back, correct across DST and historical offset changes.
 *
 * Intl is used only to learn the zone's offsets, a year at a time, on first use of that
 * year (about 2 ms; `preload()` does it up front). After that `local()` is arithmetic: the
 * last result is cached together with the range of instants that map to the same local
 * minute, so calls within one minute return the same frozen object and allocate nothing;
 * a new minute allocates only the returned object (the date string is cached per day).
 */
export class ZoneClock {
  /** The IANA zone name, as given. */
  readonly zone: string;

  readonly #table: OffsetTable;
  // The run of constant offset used last.
  #segmentStart = 0;
  #segmentEnd = 0;
  #offset = 0;
  // Instants in [#cacheFrom, #cacheTo) map to #cached.
  #cacheFrom = 0;
  #cacheTo = 0;
  #cached: LocalTime = NEVER;
  #dayNumber = Number.NaN;
  #date = "";

  /** @throws InvalidTimeZoneError (code "INVALID_TIME_ZONE") for a zone Intl does not know. */
  constructor(zone = "Europe/Amsterdam") {
    if (typeof zone !== "string") throw new InvalidTimeZoneError(String(zone));
    this.#table = new OffsetTable(intlOffsetProbe(zone));
    this.zone = zone;
  }

  /**
   * The local wall-clock time at a UTC instant (epoch ms).
   * @throws InvalidLocalTimeError for an instant that is not finite or outside years 1..9999.
   */
  local(epochMs: number): LocalTime {
    if (epochMs >= this.#cacheFrom && epochMs < this.#cacheTo) return this.#cached;
    return this.#compute(epochMs);
  }

  /**
   * The UTC epoch ms at which the wall clock shows `minuteOfDay` (0..1439) on local `date`
   * ("YYYY-MM-DD"). A time that occurs twice (autumn) gives its first occurrence; a time
   * skipped by DST (spring) gives the instant the gap ends (02:30 on the last Sunday of
   * March in Europe/Amsterdam gives 03:00 local, 01:00 UTC).
   * @throws InvalidLocalTimeError for a malformed date or minute.
   */
  instant(date: string, minuteOfDay: number): number {
    const dayNumber = parseLocalDate(date);
    if (dayNumber === undefined) {
      throw new InvalidLocalTimeError(`expected a "YYYY-MM-DD" date, got ${JSON.stringify(date)}`);
    }
    if (!Number.isInteger(minuteOfDay) || minuteOfDay < 0 || minuteOfDay >= MINUTES_PER_DAY) {
      throw new InvalidLocalTimeError(`expected a minute of day 0..1439, got ${minuteOfDay}`);
    }
    const wallMs = dayNumber * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
    if (wallMs < MIN_INSTANT_MS || wallMs > MAX_INSTANT_MS) {
      throw new InvalidLocalTimeError(`date ${date} is outside years 0001..9999`);
    }
    const table = this.#table;
    let first = Number.POSITIVE_INFINITY;
    let gapEnd = Number.NaN;
    let previousOffset = Number.NaN;
    for (let t = wallMs - SEARCH_MS; t < wallMs + SEARCH_MS; t = table.segmentEnd) {
      table.locate(t);
      const { segmentStart: start, segmentEnd: end, segmentOffset: offset } = table;
      const candidate = wallMs - offset;
      if (candidate >= start && candidate < end && candidate < first) first = candidate;
      // At a forward jump the wall clock skips [start + previousOffset, start + offset).
      if (start + previousOffset <= wallMs && wallMs < start + offset) gapEnd = start;
      previousOffset = offset;
    }
    if (first !== Number.POSITIVE_INFINITY) return first;
    if (!Number.isNaN(gapEnd)) return gapEnd;
    throw new InvalidLocalTimeError(
      `no instant shows ${date} minute ${minuteOfDay} in ${this.zone}`,
    );
  }

  /** Learns the offsets of [fromMs, untilMs) now, so `local()` there never waits for Intl. */
  preload(fromMs: number, untilMs: number): void {
    const table = this.#table;
    const from = Math.max(fromMs, MIN_INSTANT_MS);
    const until = Math.min(untilMs, MAX_INSTANT_MS);
    for (let t = from; t < until; t = table.segmentEnd) table.locate(t);
  }

  #compute(epochMs: number): LocalTime {
    if (!(epochMs >= MIN_INSTANT_MS && epochMs <= MAX_INSTANT_MS)) {
      throw new InvalidLocalTimeError(`instant ${epochMs} is not within years 0001..9999`);
    }
    if (!(epochMs >= this.#segmentStart && epochMs < this.#segmentEnd)) {
      const table = this.#table;
      table.locate(epochMs);
      this.#segmentStart = table.segmentStart;
      this.#segmentEnd = table.segmentEnd;
      this.#offset = table.segmentOffset;
    }
    const offset = this.#offset;
    const wallMs = epochMs + offset;
    const dayNumber = Math.floor(wallMs / MS_PER_DAY);
    const minuteOfDay = Math.floor((wallMs - dayNumber * MS_PER_DAY) / MS_PER_MINUTE);
    if (dayNumber !== this.#dayNumber) {
      this.#dayNumber = dayNumber;
      this.#date = formatLocalDate(dayNumber);
    }
    const minuteStart = dayNumber * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE - offset;
    this.#cacheFrom = Math.max(minuteStart, this.#segmentStart);
    this.#cacheTo = Math.min(minuteStart + MS_PER_MINUTE, this.#segmentEnd);
    const value: LocalTime = Object.freeze({
      date: this.#date,
      dayNumber,
      isoWeekday: isoWeekdayOf(dayNumber),
      minuteOfDay,
    });
    this.#cached = value;
    return value;
  }
}
