import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decode, FORMATS, H10301, RAW, WiegandError } from "../src/index.js";

const READERS = [Object.values(FORMATS), [H10301], [H10301, RAW], []];

// Mostly near-misses (0/1 strings of plausible lengths, with the odd stray character),
// plus arbitrary text, since a bridge board or a test harness can send anything.
const input = fc.oneof(
  fc.array(fc.constantFrom("0", "1"), { maxLength: 140 }).map((a) => a.join("")),
  fc
    .tuple(fc.array(fc.constantFrom("0", "1"), { maxLength: 60 }), fc.string({ maxLength: 2 }))
    .map(([a, junk]) => a.join("") + junk),
  fc.string({ maxLength: 200, unit: "binary" }),
);

describe("random input", () => {
  it("10,000 random strings never throw anything but a WiegandError", () => {
    fc.assert(
      fc.property(input, fc.constantFrom(...READERS), (bits, accepted) => {
        try {
          const card = decode(bits, accepted);
          expect(card.bits).toBe(bits);
        } catch (err) {
          expect(err).toBeInstanceOf(WiegandError);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
