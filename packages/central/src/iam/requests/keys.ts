import type { Selectable } from "kysely";
import { z } from "zod";
import { accountDb } from "../accounts/db.js";
import { type Actor, requireRole, seesCompany } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { iamNotFound, ruleRefused } from "../errors.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { parse } from "../validation-common.js";
import { type KeyIssue, toKeyIssue } from "./model.js";
import type { KeyIssueStatus, KeyIssueTable } from "./schema.js";

type KeyRow = Selectable<KeyIssueTable> & {
  employment_id: number;
  company_id: number;
  email: string;
};

const READERS = ["wholesale-admin", "manager", "helpdesk", "auditor", "partner-contact"] as const;

async function findKey(db: IamDb, keyId: number): Promise<KeyRow | undefined> {
  return db
    .selectFrom("iam_key_issue")
    .innerJoin("iam_authorization", "iam_authorization.id", "iam_key_issue.authorization_id")
    .innerJoin("iam_employment", "iam_employment.id", "iam_authorization.employment_id")
    .selectAll("iam_key_issue")
    .select([
      "iam_employment.id as employment_id",
      "iam_employment.company_id",
      "iam_employment.email",
    ])
    .where("iam_key_issue.id", "=", keyId)
    .executeTakeFirst();
}

/**
 * System keys (Sleutels Wholesale, source chapter 7): approved with the request -> shipped
 * to the confirmed address -> issued (the authorization counts as used) -> to-return (when
 * its authorization ends, effects.ts) -> returned. Wholesale admins record each step.
 */
export class KeyService {
  constructor(private readonly ctx: IamContext) {}

  async get(actor: Actor, keyId: number): Promise<KeyIssue> {
    requireRole(actor, READERS, "read keys");
    const row = await findKey(this.ctx.db, keyId);
    if (row === undefined || !seesCompany(actor, row.company_id)) throw iamNotFound("key", keyId);
    return toKeyIssue(row);
  }

  /** Ships an approved key once its address is confirmed; tells the engineer ("key-shipped"). */
  async ship(actor: Actor, keyId: number, input: unknown): Promise<KeyIssue> {
    requireRole(actor, ["wholesale-admin"], "record key hand-overs");
    parse(
      z.strictObject({ addressConfirmed: z.literal(true, "confirm the shipping address") }),
      input,
    );
    return this.step(actor, keyId, "approved", "shipped", async (trx, row, at) => {
      const authorization = await trx
        .selectFrom("iam_authorization")
        .select("status")
        .where("id", "=", row.authorization_id)
        .executeTakeFirstOrThrow();
      if (authorization.status !== "active") {
        throw ruleRefused(
          "AUTHORIZATION_ENDED",
          `key ${keyId}: its authorization is ${authorization.status}`,
        );
      }
      await enqueueNotification(accountDb(trx), at, "key-shipped", row.email, {
        keyId: String(keyId),
        keyType: row.key_type,
      });
      return { shipped_at: at };
    });
  }

  /** The key reached its holder: its authorization counts as used from now. */
  issue(actor: Actor, keyId: number): Promise<KeyIssue> {
    return this.step(actor, keyId, "shipped", "issued", async (trx, row, at) => {
      await trx
        .updateTable("iam_authorization")
        .set({ first_used_at: at })
        .where("id", "=", row.authorization_id)
        .where("first_used_at", "is", null)
        .execute();
      return { issued_at: at };
    });
  }

  /** A key expected back came back. */
  returned(actor: Actor, keyId: number): Promise<KeyIssue> {
    return this.step(actor, keyId, "to-return", "returned", async (_trx, _row, at) => ({
      returned_at: at,
    }));
  }

  /** Keys whose access ended and which are expected back (a partner: its own company's). */
  async toReturn(actor: Actor): Promise<KeyIssue[]> {
    return this.list(actor, "to-return");
  }

  /** Keys in one status of their life (e.g. "approved": to ship); a partner its own only. */
  async list(actor: Actor, status: KeyIssueStatus): Promise<KeyIssue[]> {
    requireRole(actor, READERS, "read keys");
    let query = this.ctx.db
      .selectFrom("iam_key_issue")
      .innerJoin("iam_authorization", "iam_authorization.id", "iam_key_issue.authorization_id")
      .innerJoin("iam_employment", "iam_employment.id", "iam_authorization.employment_id")
      .selectAll("iam_key_issue")
      .select(["iam_employment.id as employment_id", "iam_employment.company_id"])
      .where("iam_key_issue.status", "=", status);
    if (actor.role === "partner-contact")
      query = query.where("iam_employment.company_id", "=", actor.companyId ?? -1);
    return (await query.orderBy("iam_key_issue.id").execute()).map(toKeyIssue);
  }

  private async step(
    actor: Actor,
    keyId: number,
    from: KeyIssueStatus,
    to: KeyIssueStatus,
    change: (trx: IamDb, row: KeyRow, at: number) => Promise<Partial<Selectable<KeyIssueTable>>>,
  ): Promise<KeyIssue> {
    requireRole(actor, ["wholesale-admin"], "record key hand-overs");
    const result = await inTransaction(this.ctx.db, async (trx) => {
      const row = await findKey(trx, keyId);
      if (row === undefined) throw iamNotFound("key", keyId);
      if (row.status !== from) {
        throw ruleRefused(
          "KEY_STATUS",
          `key ${keyId} is ${row.status}: only a key ${from} becomes ${to}`,
        );
      }
      const at = this.ctx.clock.now();
      const columns = await change(trx, row, at);
      await trx
        .updateTable("iam_key_issue")
        .set({ ...columns, status: to })
        .where("id", "=", keyId)
        .execute();
      await appendAudit(trx, {
        actor,
        at,
        action: `key.${to}`,
        entity: "key",
        entityId: keyId,
        before: { status: from },
        after: { status: to },
      });
      const after = await findKey(trx, keyId);
      if (after === undefined) throw iamNotFound("key", keyId);
      return toKeyIssue(after);
    });
    this.ctx.committed();
    return result;
  }
}
