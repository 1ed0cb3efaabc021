import type { CardStatus, DoorMode, SiteDelta } from "@acs/protocol";
import Database from "better-sqlite3";
import { z } from "zod";
import type { Clock } from "../clock.js";
import { compileDeltas, type TouchedRecord } from "../compiler/deltas.js";
import { conflict, invalid, notFound } from "../errors.js";
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
  ordered,
  parseInput,
  rawBits,
  siteId,
  timezone,
  weeklyWindow,
} from "./schemas.js";
import type { CentralStore } from "./store.js";

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

const schemas = {
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

/**
 * The state-changing commands. Each validates its input, refuses with a CentralError
 * (NOT_FOUND, INVALID, CONFLICT, naming the field), and otherwise makes its change and
 * compiles its site deltas in ONE transaction: a refused or failed command changes nothing
 * and announces nothing. Time comes from the injected clock only.
 */
export class CentralCommands {
  readonly store: CentralStore;
  private readonly clock: Clock;

  constructor(store: CentralStore, clock: Clock = store.clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Runs `change` and compiles the deltas of what it touched, in one transaction. */
  private command<T extends object>(change: (touched: TouchedRecord[]) => T): Outcome<T> {
    return this.store.transaction(() => {
      const touched: TouchedRecord[] = [];
      const value = change(touched);
      const deltas = compileDeltas(this.store, touched);
      return { ...value, deltas };
    });
  }

  private one<R>(sql: string, ...params: unknown[]): R | undefined {
    return this.store.statement<R>(sql).get(...params);
  }

  private requireSite(site: string, field = "siteId"): void {
    if (this.one("SELECT 1 FROM site WHERE id = ?", site) === undefined) {
      throw notFound(field, "site", site);
    }
  }

  private requireRow<R>(table: string, key: number, field: string, what: string): R {
    const row = this.one<R>(`SELECT * FROM ${table} WHERE id = ?`, key);
    if (row === undefined) throw notFound(field, what, key);
    return row;
  }

  /** A schedule of `site` (refused when it belongs to another site). */
  private requireSchedule(scheduleId: number, site: string, field: string): void {
    const row = this.requireRow<{ site_id: string }>("schedule", scheduleId, field, "schedule");
    if (row.site_id !== site) {
      throw invalid(
        field,
        `schedule ${scheduleId} belongs to site "${row.site_id}", not "${site}"`,
      );
    }
  }

  // --- sites ---

  createSite(input: CreateSiteInput): Outcome<{ siteId: string }> {
    const v = parseInput(schemas.createSite, input);
    return this.command((touched) => {
      if (this.one("SELECT 1 FROM site WHERE id = ?", v.id) !== undefined) {
        throw conflict("id", `site "${v.id}" already exists`);
      }
      this.store
        .statement(
          "INSERT INTO site (id, name, timezone, fingerprint_required, fingerprint_threshold, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(
          v.id,
          v.name,
          v.timezone,
          v.fingerprintRequired ? 1 : 0,
          v.fingerprintThreshold,
          this.clock.now(),
        );
      touched.push({ kind: "sitePolicy", site: v.id });
      return { siteId: v.id };
    });
  }

  /** The fingerprint rules of a whole site; a field left out keeps its value. */
  setSitePolicy(input: SetSitePolicyInput): Outcome {
    const v = parseInput(schemas.setSitePolicy, input);
    if (v.fingerprintRequired === undefined && v.fingerprintThreshold === undefined) {
      throw invalid("fingerprintRequired", "give fingerprintRequired and/or fingerprintThreshold");
    }
    return this.command((touched) => {
      this.requireSite(v.siteId);
      this.store
        .statement(
          "UPDATE site SET fingerprint_required = coalesce(?, fingerprint_required), fingerprint_threshold = coalesce(?, fingerprint_threshold) WHERE id = ?",
        )
        .run(
          v.fingerprintRequired === undefined ? null : v.fingerprintRequired ? 1 : 0,
          v.fingerprintThreshold ?? null,
          v.siteId,
        );
      touched.push({ kind: "sitePolicy", site: v.siteId });
      return {};
    });
  }

  /** A door's mode and unlock schedule (a schedule of the same site). */
  setDoorPolicy(input: SetDoorPolicyInput): Outcome<{ doorPolicyId: number }> {
    const v = parseInput(schemas.setDoorPolicy, input);
    return this.command((touched) => {
      this.requireSite(v.siteId);
      if (v.unlockScheduleId !== null) {
        this.requireSchedule(v.unlockScheduleId, v.siteId, "unlockScheduleId");
      }
      const doorPolicyId = this.store
        .statement(
          `INSERT INTO door_policy (site_id, door_id, mode, unlock_schedule_id) VALUES (?, ?, ?, ?)
           ON CONFLICT (site_id, door_id) DO UPDATE SET mode = excluded.mode, unlock_schedule_id = excluded.unlock_schedule_id
           RETURNING id`,
        )
        .pluck()
        .get(v.siteId, v.doorId, v.mode, v.unlockScheduleId) as number;
      touched.push({ kind: "doorPolicies", id: doorPolicyId });
      return { doorPolicyId };
    });
  }

  createArea(input: CreateAreaInput): Outcome<{ areaId: number }> {
    const v = parseInput(schemas.createArea, input);
    return this.command((touched) => {
      this.requireSite(v.siteId);
      const areaId = this.insert(
        "INSERT INTO area (site_id, name, required_certificates) VALUES (?, ?, ?)",
        v.siteId,
        v.name,
        JSON.stringify([...new Set(v.requiredCertificates)]),
      );
      touched.push({ kind: "areas", id: areaId });
      return { areaId };
    });
  }

  createHolidayCalendar(input: CreateHolidayCalendarInput): Outcome<{ holidayCalendarId: number }> {
    const v = parseInput(schemas.createHolidayCalendar, input);
    return this.command((touched) => {
      this.requireSite(v.siteId);
      const holidayCalendarId = this.insert(
        "INSERT INTO holiday_calendar (site_id, name, dates) VALUES (?, ?, ?)",
        v.siteId,
        v.name,
        JSON.stringify([...new Set(v.dates)].sort()),
      );
      touched.push({ kind: "holidayCalendars", id: holidayCalendarId });
      return { holidayCalendarId };
    });
  }

  createSchedule(input: CreateScheduleInput): Outcome<{ scheduleId: number }> {
    const v = parseInput(schemas.createSchedule, input);
    return this.command((touched) => {
      this.requireSite(v.siteId);
      if (v.holidayCalendarId !== null) {
        const cal = this.requireRow<{ site_id: string }>(
          "holiday_calendar",
          v.holidayCalendarId,
          "holidayCalendarId",
          "holiday calendar",
        );
        if (cal.site_id !== v.siteId) {
          throw invalid("holidayCalendarId", `belongs to site "${cal.site_id}", not "${v.siteId}"`);
        }
      }
      const scheduleId = this.insert(
        "INSERT INTO schedule (site_id, name, windows, holiday_calendar_id, holiday_windows) VALUES (?, ?, ?, ?, ?)",
        v.siteId,
        v.name,
        JSON.stringify(v.windows),
        v.holidayCalendarId,
        JSON.stringify(v.holidayWindows),
      );
      touched.push({ kind: "schedules", id: scheduleId });
      return { scheduleId };
    });
  }

  // --- companies, persons, employments ---

  upsertCompany(input: UpsertCompanyInput): Outcome<{ companyId: number; created: boolean }> {
    const v = parseInput(schemas.upsertCompany, input);
    // Companies do not travel to the edges (employments carry the id): no deltas.
    return this.command(() => {
      if (v.id === undefined) {
        return {
          companyId: this.insert("INSERT INTO company (name) VALUES (?)", v.name),
          created: true,
        };
      }
      this.requireRow("company", v.id, "id", "company");
      this.store.statement("UPDATE company SET name = ? WHERE id = ?").run(v.name, v.id);
      return { companyId: v.id, created: false };
    });
  }

  createPerson(input: CreatePersonInput): Outcome<{ personId: number }> {
    const v = parseInput(schemas.createPerson, input);
    return this.command((touched) => {
      const personId = this.insert("INSERT INTO person (display_name) VALUES (?)", v.displayName);
      touched.push({ kind: "persons", id: personId });
      return { personId };
    });
  }

  /** Links a person to a company; the same pair never gets two employments (CONFLICT). */
  createEmployment(input: CreateEmploymentInput): Outcome<{ employmentId: number }> {
    const v = parseInput(schemas.createEmployment, input);
    return this.command((touched) => {
      this.requireRow("person", v.personId, "personId", "person");
      this.requireRow("company", v.companyId, "companyId", "company");
      const start = v.start ?? this.clock.now();
      ordered(start, v.end, "end");
      const existing = this.one<{ id: number }>(
        "SELECT id FROM employment WHERE person_id = ? AND company_id = ?",
        v.personId,
        v.companyId,
      );
      if (existing !== undefined) {
        throw conflict(
          "companyId",
          `person ${v.personId} already has employment ${existing.id} with company ${v.companyId}`,
        );
      }
      const employmentId = this.insert(
        "INSERT INTO employment (person_id, company_id, start_at, end_at) VALUES (?, ?, ?, ?)",
        v.personId,
        v.companyId,
        start,
        v.end,
      );
      touched.push({ kind: "employments", id: employmentId });
      return { employmentId };
    });
  }

  /**
   * "Uit dienst": from `at` (now by default) the employment grants nothing, anywhere. The
   * end travels to every site with an authorization through it. Refused (CONFLICT) when
   * the employment has already ended; `at` may move a future end.
   */
  endEmployment(employmentId: number, at?: number): Outcome<{ end: number }> {
    const v = parseInput(schemas.endEmployment, { employmentId, at });
    return this.command((touched) => {
      const row = this.requireRow<{ start_at: number; end_at: number | null }>(
        "employment",
        v.employmentId,
        "employmentId",
        "employment",
      );
      const now = this.clock.now();
      if (row.end_at !== null && row.end_at <= now) {
        throw conflict(
          "employmentId",
          `employment ${v.employmentId} already ended at ${new Date(row.end_at).toISOString()}`,
        );
      }
      const end = v.at ?? now;
      if (end < row.start_at) {
        throw invalid(
          "at",
          `lies before the employment's start ${new Date(row.start_at).toISOString()}`,
        );
      }
      this.store
        .statement("UPDATE employment SET end_at = ? WHERE id = ?")
        .run(end, v.employmentId);
      touched.push({ kind: "employments", id: v.employmentId });
      return { end };
    });
  }

  // --- cards and certificates ---

  /**
   * Issues a card to a person. One card per credential (CONFLICT `number` / `rawBits`); a
   * person has at most one active card (CONFLICT `status`).
   */
  issueCard(input: IssueCardInput): Outcome<{ cardId: number }> {
    const v = parseInput(schemas.issueCard, input);
    if (v.number === null && v.rawBits === null) {
      throw invalid("number", "a card needs a number or raw bits");
    }
    ordered(v.validFrom, v.validUntil, "validUntil");
    return this.command((touched) => {
      this.requireRow("person", v.personId, "personId", "person");
      if (v.status === "active") this.requireNoOtherActiveCard(v.personId, null);
      const now = this.clock.now();
      let cardId: number;
      try {
        cardId = this.insert(
          `INSERT INTO card (person_id, format, facility, number, raw_bits, status, status_reason, activated_at, valid_from, valid_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          v.personId,
          v.format,
          v.facility,
          v.number,
          v.rawBits,
          v.status,
          v.statusReason,
          v.status === "active" ? now : null,
          v.validFrom,
          v.validUntil,
        );
      } catch (error) {
        if (error instanceof Database.SqliteError && error.code === "SQLITE_CONSTRAINT_UNIQUE") {
          const field = error.message.includes("raw_bits") ? "rawBits" : "number";
          throw conflict(field, "another card has this credential");
        }
        throw error;
      }
      touched.push({ kind: "cards", id: cardId });
      return { cardId };
    });
  }

  /**
   * Sets a card's status (lost, stolen, defective, ... take effect at every site of its
   * holder with the next delta). Activating records `activatedAt` and needs the holder to
   * have no other active card.
   */
  setCardStatus(cardId: number, status: CardStatus, reason?: string): Outcome {
    const v = parseInput(schemas.setCardStatus, { cardId, status, reason });
    return this.command((touched) => {
      const card = this.requireRow<{ person_id: number; activated_at: number | null }>(
        "card",
        v.cardId,
        "cardId",
        "card",
      );
      if (v.status === "active") this.requireNoOtherActiveCard(card.person_id, v.cardId);
      const activatedAt =
        v.status === "active" && card.activated_at === null ? this.clock.now() : card.activated_at;
      this.store
        .statement("UPDATE card SET status = ?, status_reason = ?, activated_at = ? WHERE id = ?")
        .run(v.status, v.reason ?? null, activatedAt, v.cardId);
      touched.push({ kind: "cards", id: v.cardId });
      return {};
    });
  }

  private requireNoOtherActiveCard(personId: number, except: number | null): void {
    const other = this.one<{ id: number }>(
      "SELECT id FROM card WHERE person_id = ? AND status = 'active' AND id IS NOT ?",
      personId,
      except,
    );
    if (other !== undefined) {
      throw conflict("status", `person ${personId} already has an active card (${other.id})`);
    }
  }

  addCertificate(input: AddCertificateInput): Outcome<{ certificateId: number }> {
    const v = parseInput(schemas.addCertificate, input);
    ordered(v.validFrom, v.validUntil, "validUntil");
    return this.command((touched) => {
      this.requireRow("person", v.personId, "personId", "person");
      const certificateId = this.insert(
        "INSERT INTO certificate (person_id, type, valid_from, valid_until) VALUES (?, ?, ?, ?)",
        v.personId,
        v.type,
        v.validFrom,
        v.validUntil,
      );
      touched.push({ kind: "certificates", id: certificateId });
      return { certificateId };
    });
  }

  // --- authorizations ---

  /**
   * Authorizes an employment for an area (at the area's site), optionally within
   * [validFrom, validUntil) and a schedule of that site. Refused (CONFLICT) for an
   * employment that has ended.
   */
  grant(
    employmentId: number,
    areaId: number,
    options: GrantOptions = {},
  ): Outcome<{ authorizationId: number }> {
    const v = parseInput(schemas.grant, { employmentId, areaId, ...options });
    ordered(v.validFrom, v.validUntil, "validUntil");
    return this.command((touched) => {
      const employment = this.requireRow<{ end_at: number | null }>(
        "employment",
        v.employmentId,
        "employmentId",
        "employment",
      );
      if (employment.end_at !== null && employment.end_at <= this.clock.now()) {
        throw conflict("employmentId", `employment ${v.employmentId} has ended`);
      }
      const area = this.requireRow<{ site_id: string }>("area", v.areaId, "areaId", "area");
      if (v.scheduleId !== null) this.requireSchedule(v.scheduleId, area.site_id, "scheduleId");
      const authorizationId = this.insert(
        `INSERT INTO access_authorization (employment_id, area_id, valid_from, valid_until, schedule_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        v.employmentId,
        v.areaId,
        v.validFrom,
        v.validUntil,
        v.scheduleId,
        this.clock.now(),
      );
      touched.push({ kind: "authorizations", id: authorizationId });
      return { authorizationId };
    });
  }

  /** Revokes an authorization: it travels nowhere any more (kept, marked, for the record). */
  revoke(authorizationId: number): Outcome {
    const v = parseInput(schemas.revoke, { authorizationId });
    return this.command((touched) => {
      const row = this.requireRow<{ revoked_at: number | null }>(
        "access_authorization",
        v.authorizationId,
        "authorizationId",
        "authorization",
      );
      if (row.revoked_at !== null) {
        throw conflict("authorizationId", `authorization ${v.authorizationId} is already revoked`);
      }
      this.store
        .statement("UPDATE access_authorization SET revoked_at = ? WHERE id = ?")
        .run(this.clock.now(), v.authorizationId);
      touched.push({ kind: "authorizations", id: v.authorizationId });
      return {};
    });
  }

  private insert(sql: string, ...params: unknown[]): number {
    return Number(this.store.statement(sql).run(...params).lastInsertRowid);
  }
}
