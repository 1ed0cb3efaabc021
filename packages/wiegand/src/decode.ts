import { type CompiledFixed, compiled } from "./compiled-format.js";
import { ParityError, UnknownLengthError } from "./errors.js";
import type { DecodedCard, Format } from "./format.js";
import { acceptedLengths } from "./reader-lengths.js";
import { failingParity, packBits, readField } from "./words.js";

// Decode runs to its end without calling out to anything that decodes, so one scratch
// buffer serves every call and the hot path allocates nothing but the result.
const words = new Int32Array(4);
const NO_FIELDS: Readonly<Record<string, number>> = Object.freeze({});

/**
 * Reads a card through the formats a reader accepts, in priority order.
 *
 * Among the fixed formats of the card's exact length the first whose parity bits all
 * check wins, so formats with the same length and parity (H10302, H10304) are told
 * apart by their order in `accepted`. A raw format takes the card only when no fixed
 * accepted format has its length, and only within its `minBits..maxBits`: a 26-bit
 * card with bad parity is a parity error, not a raw card.
 *
 * @throws {InvalidBitsError} when `bits` is not 1..128 characters '0'/'1'.
 * @throws {ParityError} when formats of this length exist but none checks; it names
 *   the first candidate and its first failing parity bit.
 * @throws {UnknownLengthError} when no accepted format takes this bit count.
 * @throws {InvalidFormatError} when a format in `accepted` is not valid.
 */
export function decode(bits: string, accepted: readonly Format[]): DecodedCard {
  const n = packBits(bits, words);
  let first: CompiledFixed | undefined;
  let firstFailure = -1;
  for (let i = 0; i < accepted.length; i++) {
    const format = compiled(accepted[i]!);
    if (format.kind !== "fixed" || format.bitLength !== n) continue;
    const failure = failingParity(format, words);
    if (failure < 0) return readCard(format, bits);
    if (first === undefined) {
      first = format;
      firstFailure = failure;
    }
  }
  if (first !== undefined) throw new ParityError(bits, first.name, firstFailure);
  for (let i = 0; i < accepted.length; i++) {
    const format = compiled(accepted[i]!);
    if (format.kind === "raw" && n >= format.minBits && n <= format.maxBits) {
      return { format: format.name, bitLength: n, bits, fields: NO_FIELDS };
    }
  }
  throw new UnknownLengthError(bits, acceptedLengths(accepted));
}

function readCard(format: CompiledFixed, bits: string): DecodedCard {
  const fields: Record<string, number> = {};
  const names = format.fieldNames;
  for (let i = 0; i < names.length; i++) fields[names[i]!] = readField(format, i, words);
  return { format: format.name, bitLength: format.bitLength, bits, fields };
}
