import { compiled } from "./compiled-format.js";
import { FieldRangeError, InvalidFormatError } from "./errors.js";
import type { Bits, FixedFormat } from "./format.js";
import { maskedParity, unpackBits, writeField } from "./words.js";

/**
 * Builds the bits of a card from its field values, computing the parity bits in the
 * format's listed order (so an overall parity bit, listed last, covers the others).
 *
 * @throws {FieldRangeError} for a missing, negative, fractional or too large value, or
 *   a value for a field the format does not have.
 * @throws {InvalidFormatError} when `format` is not a valid fixed format.
 */
export function encode(format: FixedFormat, fields: Readonly<Record<string, number>>): Bits {
  const c = compiled(format);
  if (c.kind !== "fixed") {
    throw new InvalidFormatError(
      [{ path: "kind", message: "a raw format has no fields to encode; its bits are the card" }],
      c.name,
    );
  }
  const given: Readonly<Record<string, unknown>> =
    typeof fields === "object" && fields !== null ? fields : {};
  for (const key of Object.keys(given)) {
    if (!c.fieldNames.includes(key)) throw new FieldRangeError(c.name, key, given[key], null);
  }
  const words = new Int32Array(c.wordCount);
  c.fieldNames.forEach((name, i) => {
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    const max = c.fieldMax[i]!;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
      throw new FieldRangeError(c.name, name, value, max);
    }
    writeField(c, i, value, words);
  });
  c.parityBits.forEach((bit, p) => {
    // The bit is still 0 here, so the masked parity is that of the covered bits alone.
    if (maskedParity(c, p, words) !== c.parityExpected[p]) {
      words[bit >>> 5] = words[bit >>> 5]! | (1 << (31 - (bit & 31)));
    }
  });
  return unpackBits(words, c.bitLength);
}
