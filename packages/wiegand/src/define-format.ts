import { checkFormat } from "./check-format.js";
import { InvalidFormatError } from "./errors.js";
import type { Format } from "./format.js";

/**
 * Validates a card format from a site configuration (a plain object, as parsed from
 * JSON or YAML) and returns it normalized and deeply frozen.
 *
 * A fixed format:
 * ```json
 * { "name": "SITE40", "bitLength": 40,
 *   "fields": [{ "name": "facility", "start": 1, "length": 16 },
 *              { "name": "card", "start": 17, "length": 22 }],
 *   "parity": [{ "bit": 0, "kind": "even", "mask": "0x7FFFF00000" },
 *              { "bit": 39, "kind": "odd", "covers": [20, 21, 22, …, 38] }] }
 * ```
 * Positions count from 0 = first bit on the wire. A parity bit gives either `covers`
 * (positions) or `mask`: `bitLength` characters '0'/'1' (character p = position p), or
 * hex with a `0x` prefix reading the card as one number, MSB = position 0 (the
 * Proxmark3 convention, so a 26-bit card's position 25 is the lowest bit of the last
 * digit). Parity bits are computed on encode in the listed order, so a bit that covers
 * another parity bit (an overall parity bit) must be listed after it.
 *
 * A raw format: `{ "kind": "raw", "name": "RAW", "minBits": 1, "maxBits": 128 }`.
 *
 * Use the field names `facility` (facility code, company id) and `card` (card number)
 * where they apply, so callers can rely on them across formats.
 *
 * @throws {InvalidFormatError} listing every problem with its path (`fields[1].start`).
 */
export function defineFormat(spec: unknown): Format {
  const result = checkFormat(spec);
  if (result.problems !== undefined) throw new InvalidFormatError(result.problems, result.name);
  return deepFreeze(result.format);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
