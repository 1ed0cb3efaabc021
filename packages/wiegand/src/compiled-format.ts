import { checkFormat } from "./check-format.js";
import { InvalidFormatError } from "./errors.js";
import type { FixedFormat, Format, RawFormat } from "./format.js";

/**
 * A fixed format turned into word masks once, so decode does no per-card planning.
 * A card is held as 32-bit words, position p in word p >>> 5 at bit 31 - (p & 31).
 */
export interface CompiledFixed {
  readonly kind: "fixed";
  readonly name: string;
  readonly bitLength: number;
  readonly wordCount: number;
  readonly fieldNames: readonly string[];
  /** Per field, flat triples [word, offset from the word's MSB, width], MSB part first. */
  readonly fieldSegments: readonly Int32Array[];
  /** Per field, its largest value. */
  readonly fieldMax: readonly number[];
  readonly parityBits: Int32Array;
  /** Per parity bit, `wordCount` masks of the covered bits plus the parity bit itself. */
  readonly parityMasks: Int32Array;
  /** Per parity bit, 0 when bit + covered bits hold an even count of ones, 1 for odd. */
  readonly parityExpected: Uint8Array;
}

export interface CompiledRaw {
  readonly kind: "raw";
  readonly name: string;
  readonly minBits: number;
  readonly maxBits: number;
}

export type Compiled = CompiledFixed | CompiledRaw;

// Keyed by the caller's object, so a format literal never passed through defineFormat
// is still checked (once) before use. Formats are treated as immutable.
const cache = new WeakMap<object, Compiled>();

/** The compiled form of a format, checked and built on first use. */
export function compiled(format: Format): Compiled {
  const hit = cache.get(format);
  if (hit !== undefined) return hit;
  const result = checkFormat(format);
  if (result.problems !== undefined) throw new InvalidFormatError(result.problems, result.name);
  const built =
    result.format.kind === "raw" ? compileRaw(result.format) : compileFixed(result.format);
  cache.set(format, built);
  return built;
}

function compileRaw(format: RawFormat): CompiledRaw {
  return { kind: "raw", name: format.name, minBits: format.minBits, maxBits: format.maxBits };
}

function compileFixed(format: FixedFormat): CompiledFixed {
  const wordCount = (format.bitLength + 31) >>> 5;
  const parityMasks = new Int32Array(format.parity.length * wordCount);
  format.parity.forEach((p, i) => {
    for (const position of [...p.covers, p.bit]) {
      const k = i * wordCount + (position >>> 5);
      parityMasks[k] = parityMasks[k]! | (1 << (31 - (position & 31)));
    }
  });
  return {
    kind: "fixed",
    name: format.name,
    bitLength: format.bitLength,
    wordCount,
    fieldNames: format.fields.map((f) => f.name),
    fieldSegments: format.fields.map((f) => segments(f.start, f.length)),
    fieldMax: format.fields.map((f) => 2 ** f.length - 1),
    parityBits: Int32Array.from(format.parity, (p) => p.bit),
    parityMasks,
    parityExpected: Uint8Array.from(format.parity, (p) => (p.kind === "odd" ? 1 : 0)),
  };
}

/** Splits a field at word boundaries. */
function segments(start: number, length: number): Int32Array {
  const out: number[] = [];
  let position = start;
  const end = start + length;
  while (position < end) {
    const offset = position & 31;
    const width = Math.min(32 - offset, end - position);
    out.push(position >>> 5, offset, width);
    position += width;
  }
  return Int32Array.from(out);
}
