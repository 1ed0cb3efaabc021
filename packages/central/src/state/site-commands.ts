// Sites and what belongs to one site: its policies, areas, holiday calendars and schedules.
import { conflict, invalid } from "../errors.js";
import type { CommandContext } from "./command-context.js";
import {
  type CreateAreaInput,
  type CreateHolidayCalendarInput,
  type CreateScheduleInput,
  type CreateSiteInput,
  inputSchemas,
  type Outcome,
  type SetDoorPolicyInput,
  type SetSitePolicyInput,
} from "./command-inputs.js";
import { parseInput } from "./schemas.js";

export function createSite(
  ctx: CommandContext,
  input: CreateSiteInput,
): Outcome<{ siteId: string }> {
  const v = parseInput(inputSchemas.createSite, input);
  return ctx.command((touched) => {
    if (ctx.one("SELECT 1 FROM site WHERE id = ?", v.id) !== undefined) {
      throw conflict("id", `site "${v.id}" already exists`);
    }
    ctx.store
      .statement(
        "INSERT INTO site (id, name, timezone, fingerprint_required, fingerprint_threshold, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        v.id,
        v.name,
        v.timezone,
        v.fingerprintRequired ? 1 : 0,
        v.fingerprintThreshold,
        ctx.clock.now(),
      );
    touched.push({ kind: "sitePolicy", site: v.id });
    return { siteId: v.id };
  });
}

/** The fingerprint rules of a whole site; a field left out keeps its value. */
export function setSitePolicy(ctx: CommandContext, input: SetSitePolicyInput): Outcome {
  const v = parseInput(inputSchemas.setSitePolicy, input);
  if (v.fingerprintRequired === undefined && v.fingerprintThreshold === undefined) {
    throw invalid("fingerprintRequired", "give fingerprintRequired and/or fingerprintThreshold");
  }
  return ctx.command((touched) => {
    ctx.requireSite(v.siteId);
    ctx.store
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
export function setDoorPolicy(
  ctx: CommandContext,
  input: SetDoorPolicyInput,
): Outcome<{ doorPolicyId: number }> {
  const v = parseInput(inputSchemas.setDoorPolicy, input);
  return ctx.command((touched) => {
    ctx.requireSite(v.siteId);
    if (v.unlockScheduleId !== null) {
      ctx.requireSchedule(v.unlockScheduleId, v.siteId, "unlockScheduleId");
    }
    const doorPolicyId = ctx.store
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

export function createArea(
  ctx: CommandContext,
  input: CreateAreaInput,
): Outcome<{ areaId: number }> {
  const v = parseInput(inputSchemas.createArea, input);
  return ctx.command((touched) => {
    ctx.requireSite(v.siteId);
    const areaId = ctx.insert(
      "INSERT INTO area (site_id, name, required_certificates) VALUES (?, ?, ?)",
      v.siteId,
      v.name,
      JSON.stringify([...new Set(v.requiredCertificates)]),
    );
    touched.push({ kind: "areas", id: areaId });
    return { areaId };
  });
}

export function createHolidayCalendar(
  ctx: CommandContext,
  input: CreateHolidayCalendarInput,
): Outcome<{ holidayCalendarId: number }> {
  const v = parseInput(inputSchemas.createHolidayCalendar, input);
  return ctx.command((touched) => {
    ctx.requireSite(v.siteId);
    const holidayCalendarId = ctx.insert(
      "INSERT INTO holiday_calendar (site_id, name, dates) VALUES (?, ?, ?)",
      v.siteId,
      v.name,
      JSON.stringify([...new Set(v.dates)].sort()),
    );
    touched.push({ kind: "holidayCalendars", id: holidayCalendarId });
    return { holidayCalendarId };
  });
}

export function createSchedule(
  ctx: CommandContext,
  input: CreateScheduleInput,
): Outcome<{ scheduleId: number }> {
  const v = parseInput(inputSchemas.createSchedule, input);
  return ctx.command((touched) => {
    ctx.requireSite(v.siteId);
    if (v.holidayCalendarId !== null) {
      const cal = ctx.requireRow<{ site_id: string }>(
        "holiday_calendar",
        v.holidayCalendarId,
        "holidayCalendarId",
        "holiday calendar",
      );
      if (cal.site_id !== v.siteId) {
        throw invalid("holidayCalendarId", `belongs to site "${cal.site_id}", not "${v.siteId}"`);
      }
    }
    const scheduleId = ctx.insert(
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
