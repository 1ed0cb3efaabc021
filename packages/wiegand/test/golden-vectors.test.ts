import { describe, expect, it } from "vitest";
import { decode, encode, FORMATS, RAW } from "../src/index.js";
import { GOLDEN } from "./vectors.js";

describe("golden vectors (annotated in vectors.ts)", () => {
  it("cover every fixed built-in format", () => {
    const covered = new Set(GOLDEN.map((v) => v.format.name));
    const fixed = Object.values(FORMATS).filter((f) => f.kind !== "raw");
    expect([...covered].sort()).toEqual(fixed.map((f) => f.name).sort());
  });

  describe.each(GOLDEN)("$format.name $fields ($source)", (v) => {
    it("decodes", () => {
      expect(decode(v.bits, [v.format])).toEqual({
        format: v.format.name,
        bitLength: v.format.bitLength,
        bits: v.bits,
        fields: v.fields,
      });
    });

    it("encodes", () => {
      expect(encode(v.format, v.fields)).toBe(v.bits);
    });

    it("decodes through the whole built-in list by length", () => {
      // H10302 comes before H10304 in FORMATS, so an H10304 card reads as H10302 there.
      const card = decode(v.bits, Object.values(FORMATS));
      expect(card.format).toBe(v.format.name === "H10304" ? "H10302" : v.format.name);
    });
  });

  it("raw: an 8-bit card is kept as it came", () => {
    expect(decode("10110011", [RAW])).toEqual({
      format: "RAW",
      bitLength: 8,
      bits: "10110011",
      fields: {},
    });
  });

  it("raw: a 128-bit card is kept as it came", () => {
    const bits = "10".repeat(64);
    expect(decode(bits, [RAW])).toMatchObject({ format: "RAW", bitLength: 128, bits });
  });
});
