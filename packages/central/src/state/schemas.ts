import type { CardStatus, DoorMode } from "@acs/protocol";
import { z } from "zod";
import { CentralError } from "../errors.js";

/** The model's card statuses (checked against @acs/protocol's CardStatus at compile time). */
export const CARD_STATUS_VALUES = [
  "active",
  "not-activated",
  "lost",
  "stolen",
  "defective",
  "replaced",
  "expired",
  "inactive",
] as const satisfies readonly CardStatus[];
const allStatuses: Exclude<CardStatus, (typeof CARD_STATUS_VALUES)[number]> extends never
  ? true
  : never = true;

/** The model's door modes (checked against @acs/protocol's DoorMode at compile time). */
export const DOOR_MODE_VALUES = [
  "card",
  "card-and-fingerprint",
  "unlocked",
  "locked",
  "lockdown",
] as const satisfies readonly DoorMode[];
const allModes: Exclude<DoorMode, (typeof DOOR_MODE_VALUES)[number]> extends never ? true : never =
  true;
void allStatuses;
void allModes;

export const SITE_ID_PATTERN = /^[a-z0-9_-]{1,64}$/;

export const siteId = z
  .string()
  .regex(SITE_ID_PATTERN, "a site id is 1..64 characters of a-z, 0-9, _ and -");
/** Central's integer ids: positive, below 2^53. */
export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const optionalId = id.nullable().default(null);
/** Epoch ms (UTC). */
export const instant = z.number().int().min(-8.64e15).max(8.64e15);
export const optionalInstant = instant.nullable().default(null);
export const name = z.string().trim().min(1).max(200);

export const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "unknown IANA time zone");

const hhmm = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const hhmmEnd = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const isoDay = z.number().int().min(1).max(7);
const windowTimes = {
  from: z.string().regex(hhmm, "expected local time HH:MM (00:00..23:59)"),
  until: z.string().regex(hhmmEnd, "expected local time HH:MM (00:00..24:00)"),
};
export const weeklyWindow = z.strictObject({ days: z.array(isoDay).min(1), ...windowTimes });
/** On a holiday the weekday does not matter: `days` may be left out. */
export const holidayWindow = z.strictObject({ days: z.array(isoDay).default([]), ...windowTimes });

export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().startsWith(d);
  }, "no such date");

export const certificateType = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, "a certificate type is 1..32 of A-Z, a-z, 0-9, _ and -");

export const cardStatus = z.enum(CARD_STATUS_VALUES);
export const doorMode = z.enum(DOOR_MODE_VALUES);
export const doorId = z.string().min(1).max(64);
export const cardFormat = z.string().min(1).max(32);
export const rawBits = z.string().regex(/^[01]{1,128}$/, "expected 1..128 bits of 0 and 1");

/** `until` before `from` is an error (equal is an empty interval). */
export function ordered(
  from: number | null | undefined,
  until: number | null | undefined,
  field: string,
): void {
  if (typeof from === "number" && typeof until === "number" && until < from) {
    throw new CentralError("INVALID", field, "lies before the start of the interval");
  }
}

/**
 * Parses a command's input; refuses with INVALID naming the first field at fault
 * (`field` is the zod path joined with dots, e.g. `windows.0.from`).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path: PropertyKey[] = [...(issue?.path ?? [])];
  let message = issue?.message ?? "invalid input";
  if (issue?.code === "unrecognized_keys") {
    path.push(issue.keys[0] ?? "");
    message = "unknown field";
  }
  const field = path.length === 0 ? null : path.map(String).join(".");
  throw new CentralError("INVALID", field, message, { cause: result.error });
}
