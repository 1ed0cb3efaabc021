/** Stable codes of everything that can go wrong with local time and schedules. */
export type ScheduleErrorCode = "INVALID_TIME_ZONE" | "INVALID_LOCAL_TIME" | "INVALID_SCHEDULE";

/** One problem in a schedule, with the path of the bad field (`windows[2].from`). */
export interface ScheduleProblem {
  readonly path: string;
  readonly message: string;
}

/** Base of every error of the schedule module; `code` is stable. */
export class ScheduleError extends Error {
  readonly code: ScheduleErrorCode;
  constructor(code: ScheduleErrorCode, message: string) {
    super(message);
    this.name = "ScheduleError";
    this.code = code;
  }
}

/** The zone is not an IANA time zone this runtime's Intl knows. */
export class InvalidTimeZoneError extends ScheduleError {
  readonly zone: string;
  constructor(zone: string) {
    super("INVALID_TIME_ZONE", `unknown time zone ${JSON.stringify(zone)}`);
    this.name = "InvalidTimeZoneError";
    this.zone = zone;
  }
}

/** An instant or a local date/minute outside what the zone clock accepts. */
export class InvalidLocalTimeError extends ScheduleError {
  constructor(message: string) {
    super("INVALID_LOCAL_TIME", message);
    this.name = "InvalidLocalTimeError";
  }
}

/** A schedule (or its holiday calendar) that cannot be compiled; lists every problem found. */
export class InvalidScheduleError extends ScheduleError {
  readonly scheduleId: unknown;
  readonly problems: readonly ScheduleProblem[];
  constructor(scheduleId: unknown, problems: readonly ScheduleProblem[]) {
    const list = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
    super("INVALID_SCHEDULE", `invalid schedule ${String(scheduleId)}: ${list}`);
    this.name = "InvalidScheduleError";
    this.scheduleId = scheduleId;
    this.problems = problems;
  }
}
