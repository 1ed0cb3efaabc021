import type { Actor } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { inTransaction } from "../db.js";
import { iamNotFound, ruleRefused } from "../errors.js";
import { parse } from "../validation-common.js";
import { findDoor } from "./doors.js";
import { remoteOpenInput } from "./validation.js";

/**
 * Sends a signed remote-open command to a site's edge (the composition wires it to
 * CentralService.command); resolves with the edge's result, or undefined when none came.
 */
export interface RemoteOpener {
  open(
    site: string,
    doorId: string,
    reason: string,
    operator: string,
  ): Promise<{ outcome: string; reason: string | null } | undefined>;
}

/** A remote opening as recorded: who, when, why, and what the edge answered. */
export interface RemoteOpening {
  readonly id: number;
  readonly siteId: string;
  readonly doorId: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: number;
  /** The edge's outcome; "no-answer" when none came in time, "failed" when sending failed. */
  readonly outcome: string | null;
  readonly outcomeReason: string | null;
}

/**
 * Records the opening (and its audit) BEFORE sending, so an opening is never unrecorded even
 * when central stops mid-way, then sends it outside any transaction (no network I/O holds the
 * store's write lock) and records the outcome. Refuses RULE `REMOTE_OPEN_UNAVAILABLE` when no
 * opener is wired (no sync link), NOT_FOUND for a door central does not know.
 */
export async function remoteOpen(
  ctx: IamContext,
  opener: RemoteOpener | undefined,
  actor: Actor,
  input: unknown,
): Promise<RemoteOpening> {
  const data = parse(remoteOpenInput, input);
  if (opener === undefined) {
    throw ruleRefused(
      "REMOTE_OPEN_UNAVAILABLE",
      "remote opening is not available: central has no link to the sites",
    );
  }
  const requested = await inTransaction(ctx.db, async (trx) => {
    if ((await findDoor(trx, data.siteId, data.doorId)) === undefined) {
      throw iamNotFound("door", `${data.siteId}/${data.doorId}`);
    }
    const at = ctx.clock.now();
    const row = await trx
      .insertInto("iam_remote_open")
      .values({
        site_id: data.siteId,
        door_id: data.doorId,
        reason: data.reason,
        requested_by: actor.accountId,
        requested_at: at,
        outcome: null,
        outcome_reason: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const opening: RemoteOpening = {
      id: row.id,
      siteId: data.siteId,
      doorId: data.doorId,
      reason: data.reason,
      requestedBy: actor.accountId,
      requestedAt: at,
      outcome: null,
      outcomeReason: null,
    };
    await appendAudit(trx, {
      actor,
      at,
      action: "remote-open.requested",
      entity: "remote-open",
      entityId: row.id,
      before: null,
      after: opening,
    });
    return opening;
  });
  ctx.committed();
  let outcome: string;
  let outcomeReason: string | null;
  try {
    const result = await opener.open(data.siteId, data.doorId, data.reason, actor.accountId);
    outcome = result?.outcome ?? "no-answer";
    outcomeReason = result?.reason ?? null;
  } catch (error) {
    outcome = "failed";
    outcomeReason = error instanceof Error ? error.message.slice(0, 200) : "sending failed";
  }
  const done: RemoteOpening = { ...requested, outcome, outcomeReason };
  await inTransaction(ctx.db, async (trx) => {
    await trx
      .updateTable("iam_remote_open")
      .set({ outcome, outcome_reason: outcomeReason })
      .where("id", "=", requested.id)
      .execute();
    await appendAudit(trx, {
      actor,
      at: ctx.clock.now(),
      action: "remote-open.answered",
      entity: "remote-open",
      entityId: requested.id,
      before: { outcome: null },
      after: { outcome, outcomeReason },
    });
  });
  ctx.committed();
  ctx.log?.info(
    { remoteOpen: requested.id, site: data.siteId, door: data.doorId, outcome },
    "remote open",
  );
  return done;
}
