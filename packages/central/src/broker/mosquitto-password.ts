import { pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Mosquitto 2's password file: one `username:$7$iterations$salt$hash` line per user, the
 * hash PBKDF2-HMAC-SHA512 (64 bytes) of the password over a 12-byte salt, both base64
 * (with padding), 101 iterations as `mosquitto_passwd` writes them. Written here so
 * central needs no mosquitto tools; the tests check it against the real broker.
 */

const ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

/** The `$7$` hash of `password` (a fresh salt unless given). */
export function hashPassword(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const hash = pbkdf2Sync(password, salt, ITERATIONS, HASH_BYTES, "sha512");
  return `$7$${ITERATIONS}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** Whether `encoded` (a `$7$` hash) is the hash of `password`; false for any other form. */
export function verifyPassword(password: string, encoded: string): boolean {
  const match = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(encoded);
  if (!match) return false;
  const expected = Buffer.from(match[3] as string, "base64");
  const actual = pbkdf2Sync(
    password,
    Buffer.from(match[2] as string, "base64"),
    Number(match[1]),
    expected.length,
    "sha512",
  );
  return expected.length === HASH_BYTES && timingSafeEqual(expected, actual);
}

/** A new random password: 32 characters of base64url (192 bits), no `:` nor line end. */
export function newPassword(): string {
  return randomBytes(24).toString("base64url");
}

/** The `username -> hash` lines of a password file (blank lines and `#` comments skipped). */
export function parsePasswordFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return out;
}
