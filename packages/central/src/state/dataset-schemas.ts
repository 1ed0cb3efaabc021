import type { CardStatus, DoorMode } from "@acs/protocol";
import { z } from "zod";
import { invalid } from "../errors.js";
import {
  certificateType,
  DOOR_MODE_VALUES,
  doorId,
  holidayWindow,
  localDate,
  name,
  SITE_ID_PATTERN,
  timezone,
  weeklyWindow,
} from "./schemas.js";

/** Epoch ms, or an ISO-8601 date-time with an offset ("2026-01-01T00:00:00+01:00"). */
export type DatasetInstant = number | string;

export interface DatasetSite {
  readonly id: string;
  readonly name: string;
  readonly timezone?: string;
  readonly fingerprintRequired?: boolean;
  readonly fingerprintThreshold?: number;
}
export interface DatasetCompany {
  readonly id: number;
  readonly name: string;
}
export interface DatasetPerson {
  readonly id: number;
  readonly displayName: string;
}
export interface DatasetEmployment {
  readonly id: number;
  readonly personId: number;
  readonly companyId: number;
  readonly start: DatasetInstant;
  readonly end?: DatasetInstant | null;
}
export interface DatasetCard {
  readonly id: number;
  readonly personId: number;
  readonly format: string;
  readonly facility?: number | null;
  readonly number?: number | null;
  readonly rawBits?: string | null;
  readonly status: CardStatus;
  readonly statusReason?: string | null;
  readonly activatedAt?: DatasetInstant | null;
  readonly validFrom?: DatasetInstant | null;
  readonly validUntil?: DatasetInstant | null;
}
export interface DatasetArea {
  readonly id: number;
  readonly siteId: string;
  readonly name: string;
  readonly requiredCertificates?: readonly string[];
}
export interface DatasetWindow {
  readonly days?: readonly number[];
  readonly from: string;
  readonly until: string;
}
export interface DatasetHolidayCalendar {
  readonly id: number;
  readonly siteId: string;
  readonly name: string;
  readonly dates: readonly string[];
}
export interface DatasetSchedule {
  readonly id: number;
  readonly siteId: string;
  readonly name: string;
  readonly windows: readonly DatasetWindow[];
  readonly holidayCalendarId?: number | null;
  readonly holidayWindows?: readonly DatasetWindow[];
}
export interface DatasetAuthorization {
  readonly id: number;
  readonly employmentId: number;
  readonly areaId: number;
  readonly validFrom?: DatasetInstant | null;
  readonly validUntil?: DatasetInstant | null;
  readonly scheduleId?: number | null;
}
export interface DatasetCertificate {
  readonly id: number;
  readonly personId: number;
  readonly type: string;
  readonly validFrom?: DatasetInstant | null;
  readonly validUntil?: DatasetInstant | null;
}
export interface DatasetDoorPolicy {
  readonly siteId: string;
  readonly doorId: string;
  readonly mode: DoorMode;
  readonly unlockScheduleId?: number | null;
}

/**
 * Plain JSON for demos and benchmarks: new records with their ids (ids already in the store
 * are refused). References may point into the dataset or to records already stored. Every
 * list may be left out.
 */
export interface Dataset {
  readonly sites?: readonly DatasetSite[];
  readonly companies?: readonly DatasetCompany[];
  readonly persons?: readonly DatasetPerson[];
  readonly employments?: readonly DatasetEmployment[];
  readonly cards?: readonly DatasetCard[];
  readonly holidayCalendars?: readonly DatasetHolidayCalendar[];
  readonly schedules?: readonly DatasetSchedule[];
  readonly areas?: readonly DatasetArea[];
  readonly authorizations?: readonly DatasetAuthorization[];
  readonly certificates?: readonly DatasetCertificate[];
  readonly doorPolicies?: readonly DatasetDoorPolicy[];
}

export const DATASET_KEYS = [
  "sites",
  "companies",
  "persons",
  "employments",
  "cards",
  "holidayCalendars",
  "schedules",
  "areas",
  "authorizations",
  "certificates",
  "doorPolicies",
] as const;
export type DatasetKey = (typeof DATASET_KEYS)[number];

export interface LoadResult {
  /** Records inserted per list. */
  readonly rows: Readonly<Record<DatasetKey, number>>;
  /** Sites whose state changed: marked to get a snapshot next (no deltas were made). */
  readonly sitesMarked: readonly string[];
  /** The whole load, and the part of it spent checking the records before the transaction. */
  readonly ms: number;
  readonly checkMs: number;
  /** Milliseconds per list inserted (with its indexes rebuilt), and for the commit. */
  readonly insertMs: Readonly<Partial<Record<DatasetKey | "commit", number>>>;
}

// --- zod for the small lists (sites, schedules, ...) ---

export const siteSchema = z.strictObject({
  id: z.string().regex(SITE_ID_PATTERN, "a site id is 1..64 characters of a-z, 0-9, _ and -"),
  name,
  timezone: timezone.default("Europe/Amsterdam"),
  fingerprintRequired: z.boolean().default(false),
  fingerprintThreshold: z.number().int().min(0).max(100).default(60),
});
export const companySchema = z.strictObject({ id: z.number().int().positive(), name });
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const areaSchema = z.strictObject({
  id: idSchema,
  siteId: z.string(),
  name,
  requiredCertificates: z.array(certificateType).default([]),
});
export const calendarSchema = z.strictObject({
  id: idSchema,
  siteId: z.string(),
  name,
  dates: z.array(localDate),
});
export const scheduleSchema = z.strictObject({
  id: idSchema,
  siteId: z.string(),
  name,
  windows: z.array(weeklyWindow),
  holidayCalendarId: idSchema.nullable().default(null),
  holidayWindows: z.array(holidayWindow).default([]),
});
export const doorPolicySchema = z.strictObject({
  siteId: z.string(),
  doorId,
  mode: z.enum(DOOR_MODE_VALUES),
  unlockScheduleId: idSchema.nullable().default(null),
});

export function parseList<S extends z.ZodType>(
  schema: S,
  list: readonly unknown[] | undefined,
  key: string,
): z.output<S>[] {
  return (list ?? []).map((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    const path = [key, i, ...(issue?.path ?? [])]
      .map((p, j) => (typeof p === "number" ? `[${p}]` : j === 0 ? String(p) : `.${String(p)}`))
      .join("");
    throw invalid(path, issue?.message ?? "invalid");
  });
}
