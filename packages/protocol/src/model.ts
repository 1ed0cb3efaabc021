/**
 * The state a site decides on, as central sends it (full state or delta) and as the
 * edge stores it. Ids are central's integer ids (positive, below 2^53). Instants are
 * epoch milliseconds (UTC); an absent `validFrom` means "since always", an absent
 * `validUntil`/`end` means "open ended". Every interval is half-open: [from, until).
 */

/** Why a card does not open anything, or "active" when it may. */
export const CARD_STATUSES = [
  "active",
  "not-activated",
  "lost",
  "stolen",
  "defective",
  "replaced",
  "expired",
  "inactive",
] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

export interface Card {
  readonly id: number;
  readonly personId: number;
  /** Wiegand format name the card is encoded in (H10301, C1000_35, ... or a site format). */
  readonly format: string;
  /** Facility code / company id; null for formats without one (H10302) and raw cards. */
  readonly facility: number | null;
  /** Card number; null for raw cards, which are known by their bits. */
  readonly number: number | null;
  /** The full bit string, for raw-format cards only. */
  readonly rawBits: string | null;
  readonly status: CardStatus;
  /** Free text from central (e.g. the replacement request), for the support desk only. */
  readonly statusReason: string | null;
  readonly activatedAt: number | null;
  readonly validFrom: number | null;
  readonly validUntil: number | null;
}

export interface Person {
  readonly id: number;
  /** What a support desk may see: e.g. "J. de Vries". No birth date, no ID number. */
  readonly displayName: string;
}

export interface Employment {
  readonly id: number;
  readonly personId: number;
  readonly companyId: number;
  readonly start: number;
  /** End of employment ("uit dienst"): from this instant it grants nothing. */
  readonly end: number | null;
}

export interface Area {
  readonly id: number;
  readonly name: string;
  /** Certificate types (e.g. "KVD", "TTG") a person needs, valid, to enter. */
  readonly requiredCertificates: readonly string[];
}

export interface Authorization {
  readonly id: number;
  readonly employmentId: number;
  readonly areaId: number;
  readonly validFrom: number | null;
  readonly validUntil: number | null;
  /** Null: at any time. */
  readonly scheduleId: number | null;
}

/** A weekly window in the site's local time (Europe/Amsterdam). */
export interface ScheduleWindow {
  /** ISO weekdays the window starts on: 1 = Monday ... 7 = Sunday. */
  readonly days: readonly number[];
  /** "HH:MM" local start. */
  readonly from: string;
  /** "HH:MM" local end; at or before `from` the window runs past midnight into the next day. "24:00" = end of day. */
  readonly until: string;
}

export interface Schedule {
  readonly id: number;
  readonly name: string;
  readonly windows: readonly ScheduleWindow[];
  /** Public holidays of this calendar are closed for the schedule, unless `holidayWindows` says otherwise. */
  readonly holidayCalendarId: number | null;
  /** Windows that apply on a holiday instead of the weekday's (days ignored). Empty: closed. */
  readonly holidayWindows: readonly ScheduleWindow[];
}

export interface HolidayCalendar {
  readonly id: number;
  readonly name: string;
  /** Local dates "YYYY-MM-DD". */
  readonly dates: readonly string[];
}

export interface Certificate {
  readonly id: number;
  readonly personId: number;
  readonly type: string;
  readonly validFrom: number | null;
  readonly validUntil: number | null;
}

export type AntiPassbackMode = "off" | "soft" | "hard";

/** Rules of the whole site, set centrally. */
export interface SitePolicy {
  /** A card grant is followed by a fingerprint check at every door (the four exchanges). */
  readonly fingerprintRequired: boolean;
  /** Minimum match score (0..100) a fingerprint must reach. */
  readonly fingerprintThreshold: number;
}

export const DOOR_MODES = [
  "card",
  "card-and-fingerprint",
  "unlocked",
  "locked",
  "lockdown",
] as const;
export type DoorMode = (typeof DOOR_MODES)[number];

/** Central's say on one door: its mode, and when it stands unlocked by schedule. */
export interface DoorPolicy {
  readonly doorId: string;
  readonly mode: DoorMode;
  /** In "card" or "card-and-fingerprint" mode: the door stands unlocked inside this schedule. */
  readonly unlockScheduleId: number | null;
}

/** A complete site state with its version (the sync issue's snapshot). */
export interface SiteState {
  readonly site: string;
  readonly version: number;
  readonly sitePolicy: SitePolicy;
  readonly doorPolicies: readonly DoorPolicy[];
  readonly persons: readonly Person[];
  readonly cards: readonly Card[];
  readonly employments: readonly Employment[];
  readonly areas: readonly Area[];
  readonly authorizations: readonly Authorization[];
  readonly schedules: readonly Schedule[];
  readonly holidayCalendars: readonly HolidayCalendar[];
  readonly certificates: readonly Certificate[];
}

/** Upserts and deletes (by id) of each kind, taking the state from `version - 1` to `version`. */
export interface SiteDelta {
  readonly site: string;
  readonly version: number;
  /**
   * More deltas of the same change follow: apply, but act on the change only after the
   * last one (central splits a change too big for one message).
   */
  readonly partial?: boolean;
  readonly sitePolicy?: SitePolicy;
  readonly upsert: {
    readonly doorPolicies?: readonly DoorPolicy[];
    readonly persons?: readonly Person[];
    readonly cards?: readonly Card[];
    readonly employments?: readonly Employment[];
    readonly areas?: readonly Area[];
    readonly authorizations?: readonly Authorization[];
    readonly schedules?: readonly Schedule[];
    readonly holidayCalendars?: readonly HolidayCalendar[];
    readonly certificates?: readonly Certificate[];
  };
  readonly delete: {
    readonly doorPolicies?: readonly string[];
    readonly persons?: readonly number[];
    readonly cards?: readonly number[];
    readonly employments?: readonly number[];
    readonly areas?: readonly number[];
    readonly authorizations?: readonly number[];
    readonly schedules?: readonly number[];
    readonly holidayCalendars?: readonly number[];
    readonly certificates?: readonly number[];
  };
}

/** A fingerprint enrolled on site: bound to the person and to the card it was enrolled with. */
export interface FingerprintEnrollment {
  readonly personId: number;
  readonly cardId: number;
  readonly enrolledAt: number;
  /** The template encrypted at rest (AES-256-GCM, see fingerprint/template-crypto). */
  readonly sealedTemplate: Uint8Array;
}
