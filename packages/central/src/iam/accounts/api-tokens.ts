import { z } from "zod";
import type { Actor } from "../actor.js";
import { forbidden, iamNotFound } from "../errors.js";
import { type AccountContext, auditAccount, findAccount } from "./context.js";
import { inAccountTransaction } from "./db.js";
import { API_TOKEN_PREFIX, type IssuedApiToken, parse } from "./model.js";
import { newId, newToken, tokenHash } from "./secrets.js";

/** A new API token of the actor's own account; the token is in the answer only. */
export async function createApiToken(
  ctx: AccountContext,
  actor: Actor,
  name: unknown,
): Promise<IssuedApiToken> {
  const label = parse(z.string().trim().min(1).max(100), name);
  const token = newToken(API_TOKEN_PREFIX);
  const at = ctx.clock.now();
  const row = {
    id: newId(),
    token_hash: tokenHash(token),
    account_id: actor.accountId,
    name: label,
    created_at: at,
    revoked_at: null,
  };
  await inAccountTransaction(ctx.db, async (trx) => {
    if ((await findAccount(trx, actor.accountId)) === undefined) {
      throw forbidden("only accounts hold API tokens", "NO_ACCOUNT");
    }
    await trx.insertInto("iam_api_token").values(row).execute();
    await auditAccount(trx, actor, at, "api-token.created", "api-token", row.id, null, {
      name: label,
      accountId: actor.accountId,
    });
  });
  ctx.log?.info({ accountId: actor.accountId, apiTokenId: row.id }, "api token created");
  return { id: row.id, name: label, token, createdAt: at };
}

/** Revokes one of the actor's own API tokens (another's: NOT_FOUND). */
export async function revokeApiToken(ctx: AccountContext, actor: Actor, id: string): Promise<void> {
  const at = ctx.clock.now();
  await inAccountTransaction(ctx.db, async (trx) => {
    const row = await trx
      .selectFrom("iam_api_token")
      .select(["id", "name", "revoked_at"])
      .where("id", "=", id)
      .where("account_id", "=", actor.accountId)
      .executeTakeFirst();
    if (row === undefined) throw iamNotFound("API token", id);
    if (row.revoked_at !== null) return;
    await trx.updateTable("iam_api_token").set({ revoked_at: at }).where("id", "=", id).execute();
    await auditAccount(
      trx,
      actor,
      at,
      "api-token.revoked",
      "api-token",
      id,
      { name: row.name, revokedAt: null },
      { name: row.name, revokedAt: at },
    );
  });
  ctx.log?.info({ accountId: actor.accountId, apiTokenId: id }, "api token revoked");
}
