import type { CardStatus, DoorMode, SiteDelta } from "@acs/protocol";
import { z } from "zod";
import {
  cardFormat,
  cardStatus,
  certificateType,
  doorId,
  doorMode,
  holidayWindow,
  id,
  instant,
  localDate,
  name,
  optionalId,
  optionalInstant,
  rawBits,
  siteId,
  timezone,
  weeklyWindow,
} from "./schemas.js";

/** A command's own result and the site deltas it committed with (version-ordered per site). */
export type Outcome<T extends object = object> = T & { readonly deltas: readonly SiteDelta[] };

export interface CreateSiteInput {
  readonly id: string;
  readonly name: string;
  /** IANA zone of the site's schedules; Europe/Amsterdam by default. */
  readonly timezone?: string;
  readonly fingerprintRequired?: boolean;
  /** 0..100; 60 by default. */
  readonly fingerprintThreshold?: number;
}
export interface UpsertCompanyInput {
  /** Given: rename this company. Left out: a new company. */
  readonly id?: number;
  readonly name: string;
}
export interface CreatePersonInput {
  /** What travels to the edges and a support desk may see, e.g. "J. de Vries". */
  readonly displayName: string;
}
export interface CreateEmploymentInput {
  readonly personId: number;
  readonly companyId: number;
  /** Epoch ms; now by default. */
  readonly start?: number;
  readonly end?: number | null;
}
export interface IssueCardInput {
  readonly personId: number;
  readonly format: string;
  readonly facility?: number | null;
  readonly number?: number | null;
  readonly rawBits?: string | null;
  /** "not-activated" by default; "active" records the activation now. */
  readonly status?: CardStatus;
  readonly statusReason?: string | null;
  readonly validFrom?: number | null;
  readonly validUntil?: number | null;
}
export interface CreateAreaInput {
  readonly siteId: string;
  readonly name: string;
  /** Certificate types a person needs, valid, to enter (e.g. "KVD"). */
  readonly requiredCertificates?: readonly string[];
}
export interface CreateHolidayCalendarInput {
  readonly siteId: string;
  readonly name: string;
  /** Local dates "YYYY-MM-DD". */
  readonly dates: readonly string[];
}
export interface ScheduleWindowInput {
  readonly days?: readonly number[];
  readonly from: string;
  readonly until: string;
}
export interface CreateScheduleInput {
  readonly siteId: string;
  readonly name: string;
  readonly windows: readonly ScheduleWindowInput[];
  readonly holidayCalendarId?: number | null;
  readonly holidayWindows?: readonly ScheduleWindowInput[];
}
export interface GrantOptions {
  readonly validFrom?: number | null;
  readonly validUntil?: number | null;
  /** Null or left out: at any time. Must be a schedule of the area's site. */
  readonly scheduleId?: number | null;
}
export interface AddCertificateInput {
  readonly personId: number;
  readonly type: string;
  readonly validFrom?: number | null;
  readonly validUntil?: number | null;
}
export interface SetDoorPolicyInput {
  readonly siteId: string;
  readonly doorId: string;
  readonly mode: DoorMode;
  readonly unlockScheduleId?: number | null;
}
export interface SetSitePolicyInput {
  readonly siteId: string;
  readonly fingerprintRequired?: boolean;
  readonly fingerprintThreshold?: number;
}

const threshold = z.number().int().min(0).max(100);
const reason = z.string().trim().min(1).max(500);
const window = {
  weekly: z.array(weeklyWindow).max(64),
  holiday: z.array(holidayWindow).max(64).default([]),
};

/** The zod schemas of the commands' inputs, by command. */
export const inputSchemas = {
  createSite: z.strictObject({
    id: siteId,
    name,
    timezone: timezone.default("Europe/Amsterdam"),
    fingerprintRequired: z.boolean().default(false),
    fingerprintThreshold: threshold.default(60),
  }),
  upsertCompany: z.strictObject({ id: id.optional(), name }),
  createPerson: z.strictObject({ displayName: z.string().trim().min(1).max(100) }),
  createEmployment: z.strictObject({
    personId: id,
    companyId: id,
    start: instant.optional(),
    end: optionalInstant,
  }),
  endEmployment: z.strictObject({ employmentId: id, at: instant.optional() }),
  issueCard: z.strictObject({
    personId: id,
    format: cardFormat,
    facility: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
    number: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
    rawBits: rawBits.nullable().default(null),
    status: cardStatus.default("not-activated"),
    statusReason: reason.nullable().default(null),
    validFrom: optionalInstant,
    validUntil: optionalInstant,
  }),
  setCardStatus: z.strictObject({ cardId: id, status: cardStatus, reason: reason.optional() }),
  createArea: z.strictObject({
    siteId,
    name,
    requiredCertificates: z.array(certificateType).max(16).default([]),
  }),
  createHolidayCalendar: z.strictObject({ siteId, name, dates: z.array(localDate).max(400) }),
  createSchedule: z.strictObject({
    siteId,
    name,
    windows: window.weekly,
    holidayCalendarId: optionalId,
    holidayWindows: window.holiday,
  }),
  grant: z.strictObject({
    employmentId: id,
    areaId: id,
    validFrom: optionalInstant,
    validUntil: optionalInstant,
    scheduleId: optionalId,
  }),
  revoke: z.strictObject({ authorizationId: id }),
  addCertificate: z.strictObject({
    personId: id,
    type: certificateType,
    validFrom: optionalInstant,
    validUntil: optionalInstant,
  }),
  setDoorPolicy: z.strictObject({ siteId, doorId, mode: doorMode, unlockScheduleId: optionalId }),
  setSitePolicy: z.strictObject({
    siteId,
    fingerprintRequired: z.boolean().optional(),
    fingerprintThreshold: threshold.optional(),
  }),
};
