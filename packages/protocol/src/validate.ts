import { malformed } from "./wire.js";

/** A site id: one MQTT topic level of this protocol. */
export const SITE_ID_PATTERN = /^[a-z0-9_-]{1,64}$/;
/** "HH:MM" local start of a window. */
const CLOCK_FROM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
/** "HH:MM" local end of a window; "24:00" = end of day. */
const CLOCK_UNTIL = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const LOCAL_DATE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;
const RAW_BITS = /^[01]{1,128}$/;

export function checkSite(site: string, what: string): void {
  if (!SITE_ID_PATTERN.test(site)) {
    throw malformed(`${what}: site ${JSON.stringify(site)} is not a site id [a-z0-9_-]{1,64}`);
  }
}

export function checkNonEmpty(s: string, what: string): void {
  if (typeof s !== "string" || s.length === 0)
    throw malformed(`${what}: must be a non-empty string`);
}

export function checkString(s: string, what: string): void {
  if (typeof s !== "string") throw malformed(`${what}: must be a string`);
}

export function checkId(v: number, what: string): void {
  if (!(Number.isSafeInteger(v) && v > 0)) {
    throw malformed(`${what}: ${String(v)} is not a positive integer below 2^53`);
  }
}

export function checkCount(v: number, what: string): void {
  if (!(Number.isSafeInteger(v) && v >= 0)) {
    throw malformed(`${what}: ${String(v)} is not a non-negative integer below 2^53`);
  }
}

export function checkInstant(v: number, what: string): void {
  if (!Number.isSafeInteger(v)) throw malformed(`${what}: ${String(v)} is not an integer epoch ms`);
}

export function checkUint32(v: number, what: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
    throw malformed(`${what}: ${String(v)} is not a uint32`);
  }
}

export function checkBool(v: boolean, what: string): void {
  if (typeof v !== "boolean") throw malformed(`${what}: must be a boolean`);
}

export function checkClockFrom(s: string, what: string): void {
  if (typeof s !== "string" || !CLOCK_FROM.test(s)) {
    throw malformed(`${what}: ${JSON.stringify(s)} is not a local time HH:MM (00:00..23:59)`);
  }
}

export function checkClockUntil(s: string, what: string): void {
  if (typeof s !== "string" || !CLOCK_UNTIL.test(s)) {
    throw malformed(`${what}: ${JSON.stringify(s)} is not a local time HH:MM (00:00..24:00)`);
  }
}

export function checkLocalDate(s: string, what: string): void {
  if (typeof s !== "string" || !LOCAL_DATE.test(s)) {
    throw malformed(`${what}: ${JSON.stringify(s)} is not a local date YYYY-MM-DD`);
  }
}

export function checkRawBits(s: string, what: string): void {
  if (typeof s !== "string" || !RAW_BITS.test(s)) {
    throw malformed(`${what}: rawBits must be 1..128 characters 0 and 1`);
  }
}

export function checkIsoDay(v: number, what: string): void {
  if (!(Number.isInteger(v) && v >= 1 && v <= 7)) {
    throw malformed(`${what}: ${String(v)} is not an ISO weekday 1..7`);
  }
}

export function checkBytes(v: Uint8Array, what: string): void {
  if (!(v instanceof Uint8Array)) throw malformed(`${what}: must be bytes`);
}

/** Index of `value` in `values` plus one (the protobuf enum number), or MALFORMED. */
export function enumCode(codes: ReadonlyMap<string, number>, value: string, what: string): number {
  const code = codes.get(value);
  if (code === undefined) throw malformed(`${what}: unknown value ${JSON.stringify(value)}`);
  return code;
}

/** The model's string for protobuf enum number `code` (1-based into `values`), or MALFORMED. */
export function enumValue<T extends string>(values: readonly T[], code: number, what: string): T {
  const value = code >= 1 ? values[code - 1] : undefined;
  if (value === undefined) throw malformed(`${what}: unknown enum number ${code}`);
  return value;
}

export function enumCodes(values: readonly string[]): ReadonlyMap<string, number> {
  return new Map(values.map((v, i) => [v, i + 1]));
}

/** An outbox epoch: 1..64 characters of [A-Za-z0-9_-] (a random id, base64url). */
export const EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function checkEpoch(s: string, what: string): void {
  if (typeof s !== "string" || !EPOCH_PATTERN.test(s)) {
    throw malformed(
      `${what}: an epoch is 1..64 characters [A-Za-z0-9_-], got ${JSON.stringify(s)}`,
    );
  }
}

/** A key id: printable ASCII without spaces, 1..128 characters (envelope.ts). */
export const KEY_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function checkKeyId(s: string, what: string): void {
  if (typeof s !== "string" || !KEY_ID_PATTERN.test(s)) {
    throw malformed(`${what}: a key id is 1..128 printable ASCII characters, no spaces`);
  }
}
