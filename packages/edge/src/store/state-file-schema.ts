import { z } from "zod";
import { CARD_STATUSES, DOOR_MODES, type SiteState } from "../state/model.js";

export { CARD_STATUSES, DOOR_MODES };

const id = z.number().int().positive();
const optionalId = id.nullable().default(null);

/** Epoch ms, or an ISO-8601 date-time with seconds and an offset ("Z" or "+01:00"). */
const instant = z
  .union(
    [
      z.number().int().nonnegative(),
      z.iso.datetime({
        offset: true,
        error: "expected an ISO-8601 date-time with offset, e.g. 2026-01-01T00:00:00+01:00",
      }),
    ],
    {
      error: (issue) =>
        issue.input === undefined
          ? "required"
          : "expected epoch ms (an integer >= 0) or an ISO-8601 date-time with offset",
    },
  )
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const optionalInstant = instant.nullable().default(null);

const clock = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const windowTimes = {
  from: z.string().regex(clock, "expected local time HH:MM (00:00..23:59)"),
  until: z
    .string()
    .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, "expected local time HH:MM (00:00..24:00)"),
};
const isoDay = z.number().int().min(1).max(7);
const weeklyWindow = z.strictObject({ days: z.array(isoDay).min(1), ...windowTimes });
/** On a holiday the weekday does not matter: `days` may be left out. */
const holidayWindow = z.strictObject({ days: z.array(isoDay).default([]), ...windowTimes });

/** `validUntil` before `validFrom` (or `end` before `start`) is an error; equal is empty. */
function ordered<T>(from: (v: T) => number | null, until: (v: T) => number | null, key: string) {
  return (value: T, ctx: z.RefinementCtx): void => {
    const a = from(value);
    const b = until(value);
    // Also called when a field failed (zod runs refinements on the raw value then).
    if (typeof a === "number" && typeof b === "number" && b < a) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: "lies before the start of the interval",
      });
    }
  };
}

const person = z.strictObject({ id, displayName: z.string().min(1) });

const card = z
  .strictObject({
    id,
    personId: id,
    format: z.string().min(1),
    facility: z.number().int().nonnegative().nullable().default(null),
    number: z.number().int().nonnegative().nullable().default(null),
    rawBits: z
      .string()
      .regex(/^[01]{1,128}$/, "expected 1..128 characters 0 and 1")
      .nullable()
      .default(null),
    status: z.enum(CARD_STATUSES),
    statusReason: z.string().nullable().default(null),
    activatedAt: optionalInstant,
    validFrom: optionalInstant,
    validUntil: optionalInstant,
  })
  .superRefine((c, ctx) => {
    if (c.number === null && c.rawBits === null) {
      ctx.addIssue({
        code: "custom",
        path: ["number"],
        message: "a card needs a number (with a facility if its format has one) or rawBits",
      });
    }
  })
  .superRefine(
    ordered(
      (c) => c.validFrom,
      (c) => c.validUntil,
      "validUntil",
    ),
  );

const employment = z
  .strictObject({ id, personId: id, companyId: id, start: instant, end: optionalInstant })
  .superRefine(
    ordered(
      (e) => e.start,
      (e) => e.end,
      "end",
    ),
  );

const area = z.strictObject({
  id,
  name: z.string().min(1),
  requiredCertificates: z.array(z.string().min(1)).default([]),
});

const authorization = z
  .strictObject({
    id,
    employmentId: id,
    areaId: id,
    validFrom: optionalInstant,
    validUntil: optionalInstant,
    scheduleId: optionalId,
  })
  .superRefine(
    ordered(
      (a) => a.validFrom,
      (a) => a.validUntil,
      "validUntil",
    ),
  );

const schedule = z.strictObject({
  id,
  name: z.string().min(1),
  windows: z.array(weeklyWindow),
  holidayCalendarId: optionalId,
  holidayWindows: z.array(holidayWindow).default([]),
});

const holidayCalendar = z.strictObject({
  id,
  name: z.string().min(1),
  dates: z.array(z.iso.date("expected a date YYYY-MM-DD")),
});

const certificate = z
  .strictObject({
    id,
    personId: id,
    type: z.string().min(1),
    validFrom: optionalInstant,
    validUntil: optionalInstant,
  })
  .superRefine(
    ordered(
      (c) => c.validFrom,
      (c) => c.validUntil,
      "validUntil",
    ),
  );

const sitePolicy = z.strictObject({
  fingerprintRequired: z.boolean(),
  fingerprintThreshold: z.number().int().min(0).max(100),
});

const doorPolicy = z.strictObject({
  doorId: z.string().min(1),
  mode: z.enum(DOOR_MODES),
  unlockScheduleId: optionalId,
});

/**
 * The state file (docs/state-file.md): a SiteState in JSON with readable instants.
 * Every list is required (`[]` for none), so that a forgotten key cannot empty a table.
 */
export const stateFileSchema = z.strictObject({
  site: z.string().min(1),
  version: id,
  sitePolicy,
  doorPolicies: z.array(doorPolicy),
  persons: z.array(person),
  cards: z.array(card),
  employments: z.array(employment),
  areas: z.array(area),
  authorizations: z.array(authorization),
  schedules: z.array(schedule),
  holidayCalendars: z.array(holidayCalendar),
  certificates: z.array(certificate),
}) satisfies z.ZodType<SiteState>;
