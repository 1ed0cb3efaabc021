import type { CompiledFixed } from "./compiled-format.js";
import { InvalidBitsError } from "./errors.js";
import { MAX_BITS } from "./format.js";

const POW2 = Float64Array.from({ length: 33 }, (_, i) => 2 ** i);

/** 1 when x holds an odd number of ones. */
export function parity32(x: number): number {
  let y = x ^ (x >>> 16);
  y ^= y >>> 8;
  y ^= y >>> 4;
  return (0x6996 >>> (y & 15)) & 1;
}

/**
 * Checks `bits` and packs it into `words` (position p in word p >>> 5 at bit
 * 31 - (p & 31)); one pass, no regex, no allocation. Words past the card stay as
 * they were: nothing reads them.
 *
 * @throws {InvalidBitsError} for a non-string, an empty or over-long string, or a
 *   character other than '0' and '1'.
 */
export function packBits(bits: unknown, words: Int32Array): number {
  if (typeof bits !== "string")
    throw new InvalidBitsError(`bits must be a string, got ${typeof bits}`);
  const n = bits.length;
  if (n === 0 || n > MAX_BITS) {
    throw new InvalidBitsError(`a card has 1..${MAX_BITS} bits, got ${n}`, bits);
  }
  let word = 0;
  for (let i = 0; i < n; i++) {
    const c = bits.charCodeAt(i);
    if (c === 49) word |= 1 << (31 - (i & 31));
    else if (c !== 48) throw new InvalidBitsError(`character ${i} is not '0' or '1'`, bits);
    if ((i & 31) === 31) {
      words[i >>> 5] = word;
      word = 0;
    }
  }
  if ((n & 31) !== 0) words[n >>> 5] = word;
  return n;
}

/** 1 when parity bit `p` and the bits it covers hold an odd number of ones. */
export function maskedParity(format: CompiledFixed, p: number, words: Int32Array): number {
  const { parityMasks, wordCount } = format;
  let x = 0;
  for (let w = 0, k = p * wordCount; w < wordCount; w++, k++) x ^= words[w]! & parityMasks[k]!;
  return parity32(x);
}

/** The first parity bit (in listed order) that does not check, or -1. */
export function failingParity(format: CompiledFixed, words: Int32Array): number {
  const { parityExpected, parityBits } = format;
  for (let p = 0; p < parityBits.length; p++) {
    if (maskedParity(format, p, words) !== parityExpected[p]) return parityBits[p]!;
  }
  return -1;
}

/** The value of field `i` (at most 52 bits, so the multiply stays exact). */
export function readField(format: CompiledFixed, i: number, words: Int32Array): number {
  const segments = format.fieldSegments[i]!;
  let value = 0;
  for (let s = 0; s < segments.length; s += 3) {
    const width = segments[s + 2]!;
    value = value * POW2[width]! + ((words[segments[s]!]! << segments[s + 1]!) >>> (32 - width));
  }
  return value;
}

/** Writes `value` (already range-checked) into field `i`. */
export function writeField(
  format: CompiledFixed,
  i: number,
  value: number,
  words: Int32Array,
): void {
  const segments = format.fieldSegments[i]!;
  let rest = value;
  for (let s = segments.length - 3; s >= 0; s -= 3) {
    const width = segments[s + 2]!;
    const part = rest % 2 ** width;
    rest = (rest - part) / 2 ** width;
    words[segments[s]!] = words[segments[s]!]! | (part << (32 - segments[s + 1]! - width));
  }
}

/** The card as '0'/'1' characters. */
export function unpackBits(words: Int32Array, bitLength: number): string {
  let bits = "";
  for (let i = 0; i < bitLength; i++) bits += (words[i >>> 5]! >>> (31 - (i & 31))) & 1 ? "1" : "0";
  return bits;
}
