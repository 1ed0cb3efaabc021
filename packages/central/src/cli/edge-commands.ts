import { readFileSync } from "node:fs";
import { CentralError } from "../errors.js";
import { type EdgeKeyInfo, EdgeKeyRegistry, isActive } from "../trust/edge-keys.js";
import { type Context, need, UsageError } from "./args.js";

/** The subcommands of the edges' own keys: register, list, retire. */

function registry({ store }: Context): EdgeKeyRegistry {
  return new EdgeKeyRegistry(store.db, () => Date.now());
}

function state(key: EdgeKeyInfo, now: number): string {
  if (key.retiredAt !== null) return `retired (${key.retiredReason ?? "retired"})`;
  if (key.retireAt !== null)
    return isActive(key, now)
      ? `retiring at ${new Date(key.retireAt).toISOString()}`
      : `retired (${key.retiredReason ?? "replaced"})`;
  return key.firstUsedAt === null ? "registered, not used yet" : "active";
}

/** `edge register --site ID --public-key FILE [--key-id ID]` */
export function edgeRegister(ctx: Context): number {
  const { values, out } = ctx;
  const site = need(values.site, "site");
  const file = need(values["public-key"], "public-key");
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `--public-key ${file}: ${(err as NodeJS.ErrnoException).code ?? "cannot be read"}`,
    );
  }
  const key = registry(ctx).register(site, pem, {
    ...(values["key-id"] ? { keyId: values["key-id"] } : {}),
    by: process.env.USER ?? "central",
  });
  out(`edge key ${key.keyId} registered for site ${key.site} (fingerprint ${key.fingerprint})`);
  return 0;
}

/** `edge list [--site ID] [--json]` */
export function edgeList(ctx: Context): number {
  const { values, out } = ctx;
  const now = Date.now();
  const keys = registry(ctx).list(values.site);
  if (values.json) {
    for (const key of keys) out(JSON.stringify({ ...key, active: isActive(key, now) }));
    return 0;
  }
  if (keys.length === 0) out(values.site ? `no edge keys for ${values.site}` : "no edge keys");
  for (const key of keys) out(`${key.site}  ${key.keyId}  ${key.fingerprint}  ${state(key, now)}`);
  return 0;
}

/** `edge retire --key-id ID [--reason TEXT]`: refused from now on. */
export function edgeRetire(ctx: Context): number {
  const { values, out } = ctx;
  const keyId = need(values["key-id"], "key-id");
  const key = registry(ctx).retire(keyId, values.reason ?? "retired by an operator");
  if (key.retiredAt === null) throw new CentralError("CONFLICT", "keyId", "not retired");
  out(`edge key ${key.keyId} of site ${key.site} retired`);
  return 0;
}
