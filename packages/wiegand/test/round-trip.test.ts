import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decode, encode, type FixedFormat, FORMATS, ParityError, RAW } from "../src/index.js";

const FIXED = Object.values(FORMATS).filter((f): f is FixedFormat => f.kind !== "raw");

function fieldValues(format: FixedFormat): fc.Arbitrary<Record<string, number>> {
  const entries = format.fields.map((f) => [
    f.name,
    fc.oneof(
      fc.constantFrom(0, 2 ** f.length - 1),
      fc.bigInt({ min: 0n, max: 2n ** BigInt(f.length) - 1n }).map(Number),
    ),
  ]);
  return fc.record(Object.fromEntries(entries) as Record<string, fc.Arbitrary<number>>);
}

function bitStrings(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom("0", "1"), { minLength, maxLength }).map((bits) => bits.join(""));
}

describe.each(FIXED)("$name round trip", (format) => {
  it("encode then decode gives the same fields", () => {
    fc.assert(
      fc.property(fieldValues(format), (fields) => {
        const bits = encode(format, fields);
        expect(bits).toHaveLength(format.bitLength);
        expect(decode(bits, [format]).fields).toEqual(fields);
      }),
      { numRuns: 500 },
    );
  });

  it("any card of its length either decodes and re-encodes to itself or fails parity", () => {
    fc.assert(
      fc.property(bitStrings(format.bitLength, format.bitLength), (bits) => {
        let fields: Readonly<Record<string, number>>;
        try {
          fields = decode(bits, [format]).fields;
        } catch (err) {
          expect(err).toBeInstanceOf(ParityError);
          return;
        }
        expect(encode(format, fields)).toBe(bits);
      }),
      { numRuns: 500 },
    );
  });
});

describe("RAW round trip", () => {
  it("keeps any 1..128-bit card as bits", () => {
    fc.assert(
      fc.property(bitStrings(1, 128), (bits) => {
        expect(decode(bits, [RAW])).toEqual({
          format: "RAW",
          bitLength: bits.length,
          bits,
          fields: {},
        });
      }),
      { numRuns: 1000 },
    );
  });
});
