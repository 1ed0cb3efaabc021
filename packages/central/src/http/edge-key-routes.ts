import { z } from "zod";
import { CentralError } from "../errors.js";
import { type Actor, requireRole } from "../iam/actor.js";
import { appendAudit } from "../iam/audit.js";
import { type IamDb, inTransaction } from "../iam/db.js";
import { type EdgeKeyInfo, type EdgeKeyRegistry, isActive } from "../trust/edge-keys.js";
import { requireActor, signedIn } from "./actor.js";
import { iamCall, iamProblemResponses } from "./iam-problems.js";
import { HttpProblem, PROBLEM_TYPES, validationProblem } from "./problem.js";
import type { ApiServer, ServerContext } from "./server.js";

export interface EdgeKeyRoutesOptions {
  readonly context: ServerContext;
  readonly registry: EdgeKeyRegistry;
  readonly db: IamDb;
  readonly now: () => number;
}

const SITE_ID = /^[a-z0-9_-]{1,64}$/;
const KEY_ID = /^[\x21-\x7e]{1,128}$/;

const EdgeKeySchema = z
  .object({
    keyId: z.string(),
    site: z.string(),
    fingerprint: z.string().describe("First 16 hex digits of SHA-256 over the key's SPKI DER"),
    publicKeyPem: z.string(),
    state: z.enum(["registered", "active", "retiring", "retired"]),
    registeredAt: z.string().describe("ISO-8601 instant, UTC"),
    firstUsedAt: z.string().nullable(),
    retireAt: z.string().nullable().describe("The rotation's overlap ends then"),
    retiredAt: z.string().nullable(),
    retiredReason: z.string().nullable(),
  })
  .meta({ id: "EdgeKey" });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(key: EdgeKeyInfo, now: number): z.output<typeof EdgeKeySchema> {
  const state = !isActive(key, now)
    ? "retired"
    : key.retireAt !== null
      ? "retiring"
      : key.firstUsedAt === null
        ? "registered"
        : "active";
  return {
    keyId: key.keyId,
    site: key.site,
    fingerprint: key.fingerprint,
    publicKeyPem: key.publicKeyPem,
    state,
    registeredAt: new Date(key.registeredAt).toISOString(),
    firstUsedAt: iso(key.firstUsedAt),
    retireAt: iso(key.retireAt),
    retiredAt: iso(
      key.retiredAt ?? (key.retireAt !== null && key.retireAt <= now ? key.retireAt : null),
    ),
    retiredReason: key.retiredReason,
  };
}

/** A registry refusal as the API's problem (the field at fault as a JSON pointer). */
function refusal(error: unknown): never {
  if (!(error instanceof CentralError)) throw error;
  if (error.code === "INVALID")
    throw validationProblem([
      { path: `/${error.field ?? ""}`, in: "body", message: error.message },
    ]);
  if (error.code === "NOT_FOUND")
    throw new HttpProblem(404, { type: PROBLEM_TYPES.notFound, detail: error.message });
  throw new HttpProblem(409, { type: PROBLEM_TYPES.conflict, detail: error.message });
}

/** Only wholesale administrators provision edges. */
async function asAdmin(actor: Actor, what: string): Promise<void> {
  await iamCall(async () => requireRole(actor, ["wholesale-admin"], what));
}

/**
 * The edges' own keys (sync trust): listed for administrators and auditors, registered
 * and retired by administrators, each change audited. An edge's messages count only when
 * signed by an active key of its site.
 */
export function registerEdgeKeyRoutes(
  app: ApiServer,
  { registry, db, now }: EdgeKeyRoutesOptions,
): void {
  app.get(
    "/edge-keys",
    {
      preValidation: signedIn,
      schema: {
        operationId: "listEdgeKeys",
        tags: ["sync"],
        summary: "The edges' signing keys, by site (administrators, auditors)",
        querystring: z.strictObject({
          site: z.string().regex(SITE_ID, "a site id").optional(),
        }),
        response: {
          200: z.object({ items: z.array(EdgeKeySchema) }),
          ...iamProblemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      await iamCall(async () =>
        requireRole(actor, ["wholesale-admin", "auditor"], "list edge keys"),
      );
      const at = now();
      return { items: registry.list(request.query.site).map((k) => view(k, at)) };
    },
  );

  app.post(
    "/edge-keys",
    {
      preValidation: signedIn,
      schema: {
        operationId: "registerEdgeKey",
        tags: ["sync"],
        summary: "Registers an edge's public key for its site (wholesale administrators)",
        body: z.strictObject({
          site: z.string().regex(SITE_ID, "a site id"),
          publicKeyPem: z.string().min(1).max(4096).describe("Ed25519, SPKI PEM"),
          keyId: z.string().regex(KEY_ID, "1..128 printable ASCII characters").optional(),
        }),
        response: { 201: EdgeKeySchema, ...iamProblemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await asAdmin(actor, "register edge keys");
      const { site, publicKeyPem, keyId } = request.body;
      const at = now();
      const key = await inTransaction(db, async (trx) => {
        let registered: EdgeKeyInfo;
        try {
          registered = registry.register(site, publicKeyPem, {
            ...(keyId === undefined ? {} : { keyId }),
            by: actor.accountId,
          });
        } catch (error) {
          refusal(error);
        }
        await appendAudit(trx, {
          actor,
          at,
          action: "register",
          entity: "edge-key",
          entityId: registered.keyId,
          before: null,
          after: { site, fingerprint: registered.fingerprint },
        });
        return registered;
      });
      void reply.code(201);
      return view(key, at);
    },
  );

  app.post(
    "/edge-keys/:keyId/retire",
    {
      preValidation: signedIn,
      schema: {
        operationId: "retireEdgeKey",
        tags: ["sync"],
        summary: "Retires an edge key at once (compromised, edge replaced); refused from now on",
        params: z.strictObject({ keyId: z.string().regex(KEY_ID, "a key id") }),
        body: z.strictObject({ reason: z.string().min(1).max(500) }),
        response: { 200: EdgeKeySchema, ...iamProblemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      await asAdmin(actor, "retire edge keys");
      const at = now();
      const key = await inTransaction(db, async (trx) => {
        let retired: EdgeKeyInfo;
        try {
          retired = registry.retire(request.params.keyId, request.body.reason);
        } catch (error) {
          refusal(error);
        }
        await appendAudit(trx, {
          actor,
          at,
          action: "retire",
          entity: "edge-key",
          entityId: retired.keyId,
          before: null,
          after: { site: retired.site, reason: request.body.reason },
        });
        return retired;
      });
      return view(key, at);
    },
  );
}
