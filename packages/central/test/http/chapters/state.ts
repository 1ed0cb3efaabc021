import type { SiteDelta } from "@acs/protocol";
import { actors, type WorkflowFixture } from "../../iam/workflow-support.js";

import { type Api, expectStatus } from "./api.js";

// --- the state the doors get, and the notifications ---

export function lastSeq(f: WorkflowFixture): number {
  const row = f.commands.store.db
    .prepare("SELECT coalesce(max(seq), 0) AS seq FROM delta_outbox")
    .get() as { seq: number };
  return row.seq;
}

export function deltasSince(f: WorkflowFixture, seq: number, site = "ams01"): SiteDelta[] {
  const rows = f.commands.store.db
    .prepare("SELECT delta FROM delta_outbox WHERE site = ? AND seq > ? ORDER BY seq")
    .all(site, seq) as { delta: string }[];
  return rows.map((r) => JSON.parse(r.delta) as SiteDelta);
}

export function stateCardStatus(f: WorkflowFixture, stateCardId: number): string | undefined {
  const row = f.commands.store.db
    .prepare("SELECT status FROM card WHERE id = ?")
    .get(stateCardId) as { status: string } | undefined;
  return row?.status;
}

/** The IAM authorization's status and its state row (the doors' copy). */
export function authorizationState(f: WorkflowFixture, authorizationId: number) {
  return f.commands.store.db
    .prepare(
      `SELECT a.status, a.state_authorization_id AS stateId, s.revoked_at AS revokedAt
         FROM iam_authorization a LEFT JOIN access_authorization s ON s.id = a.state_authorization_id
        WHERE a.id = ?`,
    )
    .get(authorizationId) as { status: string; stateId: number | null; revokedAt: number | null };
}

/** The key handed out with an approved key authorization, as Wholesale finds it to ship. */
export async function keyIssueOf(api: Api, authorizationId: number): Promise<number> {
  const waiting = expectStatus(
    await api.call("GET", "/keys?status=approved&limit=500", { as: actors.admin }),
    200,
  );
  const key = (waiting.items as { id: number; authorizationId: number }[]).find(
    (k) => k.authorizationId === authorizationId,
  );
  if (key === undefined) throw new Error(`no key to ship for authorization ${authorizationId}`);
  return key.id;
}

export interface SentNotification {
  readonly recipient: string;
  readonly channel: string;
  readonly parameters: Record<string, string>;
}

export function notifications(f: WorkflowFixture, template: string): SentNotification[] {
  const rows = f.commands.store.db
    .prepare(
      "SELECT recipient, channel, parameters FROM iam_notification_outbox WHERE template = ? ORDER BY id",
    )
    .all(template) as { recipient: string; channel: string; parameters: string }[];
  return rows.map((r) => ({ ...r, parameters: JSON.parse(r.parameters) }));
}

/** An instant given in Amsterdam local time with its offset, e.g. "2026-04-24T10:00+02:00". */
export const at = (iso: string): number => Date.parse(iso);
