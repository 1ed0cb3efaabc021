import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import { argon2id, argon2Verify } from "hash-wasm";

/** argon2id cost; memory in KiB. */
export interface Argon2Params {
  readonly memorySize: number;
  readonly iterations: number;
  readonly parallelism: number;
}

/**
 * For a server: OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane) — about 30–60 ms per
 * hash, bounded memory under concurrent logins.
 */
export const DEFAULT_ARGON2: Argon2Params = { memorySize: 19_456, iterations: 2, parallelism: 1 };

/** An argon2id PHC string (`$argon2id$v=19$m=…`) with a fresh 16-byte salt. */
export function hashSecret(secret: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  return argon2id({
    password: secret,
    salt: randomBytes(16),
    ...params,
    hashLength: 32,
    outputType: "encoded",
  });
}

/** Whether `secret` matches an argon2id PHC string; false for a malformed hash. */
export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password: secret, hash });
  } catch {
    return false;
  }
}

/** A bearer token: prefix and 32 random bytes, base64url. */
export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** SHA-256 (hex) of a high-entropy token: how tokens are stored and looked up. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A uniformly random 6-digit code. */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

export const newId = (): string => randomUUID();
