import { describe, expect, it } from "vitest";
import {
  decode,
  type FixedFormat,
  type Format,
  H10301,
  H10302,
  H10304,
  ParityError,
  RAW,
  WiegandError,
} from "../src/index.js";
import { flip, GOLDEN } from "./vectors.js";

// One vector per format; the H10301 published ones add nothing here.
const VECTORS = GOLDEN.filter((v, i) => GOLDEN.findIndex((w) => w.format === v.format) === i);

/** The parity bit decode must name: the first listed one that counts `position`. */
function namedBy(format: FixedFormat, position: number): number | undefined {
  return format.parity.find((p) => p.bit === position || p.covers.includes(position))?.bit;
}

function parityErrorOf(bits: string, accepted: readonly Format[]): ParityError {
  try {
    decode(bits, accepted);
  } catch (err) {
    if (err instanceof ParityError) return err;
    throw err;
  }
  throw new Error(`decoded ${bits} without a parity error`);
}

describe.each(VECTORS)("$format.name parity", ({ format, bits }) => {
  it.each(format.parity.map((p) => p.bit))("flipping parity bit %i is named", (bit) => {
    const err = parityErrorOf(flip(bits, bit), [format]);
    expect(err.parityBit).toBe(bit);
    expect(err.format).toBe(format.name);
    expect(err.code).toBe("PARITY");
    expect(err.bits).toBe(flip(bits, bit));
  });

  it.each(format.parity.map((p, i) => [p.bit, i] as const))(
    "flipping a data bit covered by parity bit %i is caught",
    (bit, i) => {
      const parityBits = format.parity.map((p) => p.bit);
      const covered = format.parity[i]!.covers.filter((c) => !parityBits.includes(c));
      // Prefer a bit no earlier parity bit counts, so this one is named; Corporate 1000's
      // overall bit (listed last) has none: every data bit is also under bit 1 or the last.
      const first = covered.find((c) => namedBy(format, c) === bit) ?? covered[0]!;
      const err = parityErrorOf(flip(bits, first), [format]);
      expect(err.parityBit).toBe(namedBy(format, first));
    },
  );

  it("every single-bit flip anywhere is caught and named by the first parity counting it", () => {
    for (let position = 0; position < format.bitLength; position++) {
      const expected = namedBy(format, position);
      expect(expected, `position ${position} is covered`).toBeDefined();
      expect(parityErrorOf(flip(bits, position), [format]).parityBit).toBe(expected);
    }
  });

  it("a parity error stays a parity error with RAW accepted too", () => {
    const err = parityErrorOf(flip(bits, format.parity[0]!.bit), [RAW, format]);
    expect(err).toBeInstanceOf(WiegandError);
  });
});

describe("parity error with several candidates", () => {
  const bad = flip("0000001001101001010101000110010011101", 36); // H10304 vector, last bit flipped

  it("names the first candidate in priority order", () => {
    expect(parityErrorOf(bad, [H10302, H10304]).format).toBe("H10302");
    expect(parityErrorOf(bad, [H10304, H10302]).format).toBe("H10304");
  });

  it("names the first failing bit of that candidate", () => {
    expect(parityErrorOf(flip("00001001000110000001110011", 3), [H10301]).parityBit).toBe(0);
    expect(parityErrorOf(flip("00001001000110000001110011", 20), [H10301]).parityBit).toBe(25);
  });
});
