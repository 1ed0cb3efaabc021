// Access authorizations: an employment's access to an area.
import { conflict } from "../errors.js";
import type { CommandContext } from "./command-context.js";
import { type GrantOptions, inputSchemas, type Outcome } from "./command-inputs.js";
import { ordered, parseInput } from "./schemas.js";

/**
 * Authorizes an employment for an area (at the area's site), optionally within
 * [validFrom, validUntil) and a schedule of that site. Refused (CONFLICT) for an
 * employment that has ended.
 */
export function grant(
  ctx: CommandContext,
  employmentId: number,
  areaId: number,
  options: GrantOptions = {},
): Outcome<{ authorizationId: number }> {
  const v = parseInput(inputSchemas.grant, { employmentId, areaId, ...options });
  ordered(v.validFrom, v.validUntil, "validUntil");
  return ctx.command((touched) => {
    const employment = ctx.requireRow<{ end_at: number | null }>(
      "employment",
      v.employmentId,
      "employmentId",
      "employment",
    );
    if (employment.end_at !== null && employment.end_at <= ctx.clock.now()) {
      throw conflict("employmentId", `employment ${v.employmentId} has ended`);
    }
    const area = ctx.requireRow<{ site_id: string }>("area", v.areaId, "areaId", "area");
    if (v.scheduleId !== null) ctx.requireSchedule(v.scheduleId, area.site_id, "scheduleId");
    const authorizationId = ctx.insert(
      `INSERT INTO access_authorization (employment_id, area_id, valid_from, valid_until, schedule_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      v.employmentId,
      v.areaId,
      v.validFrom,
      v.validUntil,
      v.scheduleId,
      ctx.clock.now(),
    );
    touched.push({ kind: "authorizations", id: authorizationId });
    return { authorizationId };
  });
}

/** Revokes an authorization: it travels nowhere any more (kept, marked, for the record). */
export function revoke(ctx: CommandContext, authorizationId: number): Outcome {
  const v = parseInput(inputSchemas.revoke, { authorizationId });
  return ctx.command((touched) => {
    const row = ctx.requireRow<{ revoked_at: number | null }>(
      "access_authorization",
      v.authorizationId,
      "authorizationId",
      "authorization",
    );
    if (row.revoked_at !== null) {
      throw conflict("authorizationId", `authorization ${v.authorizationId} is already revoked`);
    }
    ctx.store
      .statement("UPDATE access_authorization SET revoked_at = ? WHERE id = ?")
      .run(ctx.clock.now(), v.authorizationId);
    touched.push({ kind: "authorizations", id: v.authorizationId });
    return {};
  });
}
