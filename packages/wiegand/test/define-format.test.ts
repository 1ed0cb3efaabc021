import { describe, expect, it } from "vitest";
import {
  C1000_35,
  C1000_48,
  decode,
  defineFormat,
  encode,
  type FixedFormat,
  FORMATS,
  H10301,
  InvalidFormatError,
  isRawFormat,
  type ParitySpec,
} from "../src/index.js";

function problemsOf(spec: unknown): { path: string; message: string }[] {
  try {
    defineFormat(spec);
  } catch (err) {
    if (err instanceof InvalidFormatError) return [...err.problems];
    throw err;
  }
  throw new Error("defineFormat accepted it");
}

function asFixed(spec: unknown): FixedFormat {
  const format = defineFormat(spec);
  if (isRawFormat(format)) throw new Error("expected a fixed format");
  return format;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// A site's 40-bit format as its config file would carry it: facility 16 bits, card 22
// bits, even parity over the first half given as a binary mask, odd over the second
// half given as a hex mask (positions 20..38 = the number's bits 19..1 = 0xFFFFE).
const SITE40_JSON = `{
  "name": "SITE40",
  "description": "ACME 40-bit",
  "bitLength": 40,
  "fields": [
    { "name": "facility", "start": 1, "length": 16 },
    { "name": "card", "start": 17, "length": 22 }
  ],
  "parity": [
    { "bit": 0, "kind": "even", "mask": "0111111111111111111100000000000000000000" },
    { "bit": 39, "kind": "odd", "mask": "0xFFFFE" }
  ]
}`;

describe("defineFormat: a custom site format", () => {
  const site40 = asFixed(JSON.parse(SITE40_JSON));

  it("normalizes masks into covers", () => {
    expect(site40.parity).toEqual([
      { bit: 0, kind: "even", covers: range(1, 19) },
      { bit: 39, kind: "odd", covers: range(20, 38) },
    ]);
    expect(site40.description).toBe("ACME 40-bit");
  });

  it("encodes and decodes a card", () => {
    // facility 4660 = 0x1234 = 0001001000110100 (1..16); card 1000000 = 0x0F4240 =
    // 0011110100001001000000 (17..38).
    // bit 0  even over 1..19  = 0001001000110100 001 -> 6 ones -> 0
    // bit 39 odd  over 20..38 = 1110100001001000000  -> 6 ones -> 1
    const bits = "0000100100011010000111101000010010000001";
    expect(encode(site40, { facility: 4660, card: 1_000_000 })).toBe(bits);
    expect(decode(bits, [H10301, site40])).toMatchObject({
      format: "SITE40",
      fields: { facility: 4660, card: 1_000_000 },
    });
  });

  it("is frozen, down to the covers", () => {
    expect(Object.isFrozen(site40)).toBe(true);
    expect(Object.isFrozen(site40.parity[0]!.covers)).toBe(true);
    expect(Object.isFrozen(H10301.fields[0])).toBe(true);
  });

  it("accepts covers given in any order and hex masks without leading zeros", () => {
    const f = asFixed({
      name: "T8",
      bitLength: 8,
      fields: [{ name: "card", start: 1, length: 6 }],
      parity: [
        { bit: 0, kind: "odd", covers: [3, 1, 2] },
        { bit: 7, kind: "even", mask: "0x6" },
      ],
    });
    expect(f.parity.map((p) => p.covers)).toEqual([
      [1, 2, 3],
      [5, 6],
    ]);
  });

  it("accepts a raw format", () => {
    const raw = defineFormat({ kind: "raw", name: "R32", minBits: 32, maxBits: 32 });
    expect(isRawFormat(raw)).toBe(true);
    expect(decode("1".repeat(32), [raw]).format).toBe("R32");
  });
});

describe("defineFormat: problems are all reported, with paths", () => {
  it("lists every problem of a bad fixed format", () => {
    const problems = problemsOf({
      name: "BAD",
      bitLength: 30,
      colour: "blue",
      fields: [
        { name: "facility", start: 1, length: 8 },
        { name: "card", start: 5, length: 20 }, // overlaps facility
        { name: "big", start: 0, length: 60 }, // wider than 52
        { name: "tail", start: 25, length: 8 }, // runs past bit 29
        { name: "facility", start: 26, length: 1 }, // duplicate name
        { name: "9lives", start: 29, length: 1 },
      ],
      parity: [
        { bit: 3, kind: "even", covers: [1, 2] }, // inside facility
        { bit: 0, kind: "odd", covers: [0, 1] }, // covers itself
        { bit: 30, kind: "even", covers: [1] }, // out of range
        { bit: 27, kind: "parity", covers: [1, 1, 31] }, // bad kind, duplicate, out of range
        { bit: 28, kind: "even", covers: [1], mask: "0x1" }, // both
        { bit: 28, kind: "even" }, // neither
        { bit: 27, kind: "odd", mask: "0101" }, // wrong mask length
        { bit: 26, kind: "odd", mask: "0xFFFFFFFFF" }, // bits beyond 30
        { bit: 25, kind: "odd", mask: "0xZZ" },
        { bit: 29, kind: "odd", covers: [] },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      "colour",
      "fields[1]",
      "fields[2].length",
      "fields[3].length",
      "fields[4].name",
      "fields[5].name",
      "parity[1].covers",
      "parity[2].bit",
      "parity[3].kind",
      "parity[3].covers[1]",
      "parity[3].covers[2]",
      "parity[4]",
      "parity[5]",
      "parity[6].mask",
      "parity[7].mask",
      "parity[8].mask",
      "parity[9].covers",
      "parity[0].bit",
    ]);
    expect(problems.find((p) => p.path === "fields[1]")?.message).toMatch(
      /overlap field "facility"/,
    );
    expect(problems.find((p) => p.path === "parity[0].bit")?.message).toMatch(
      /inside field "facility"/,
    );
    expect(problems.find((p) => p.path === "parity[1].covers")?.message).toMatch(
      /parity bit itself/,
    );
  });

  it("puts every problem in the error message too", () => {
    expect(() => defineFormat({ name: "", bitLength: 0, fields: [], parity: {} })).toThrow(
      /name: .*; bitLength: .*; fields: .*; parity: /,
    );
  });

  it("rejects a parity bit covering one that is computed after it", () => {
    const problems = problemsOf({
      name: "ORDER",
      bitLength: 10,
      fields: [{ name: "card", start: 2, length: 7 }],
      parity: [
        { bit: 0, kind: "odd", covers: range(1, 9) }, // overall bit listed first
        { bit: 1, kind: "even", covers: range(2, 8) },
        { bit: 9, kind: "odd", covers: range(2, 8) },
      ],
    });
    expect(problems).toEqual([
      { path: "parity[0].covers", message: expect.stringMatching(/parity bit 1 \(parity\[1\]\)/) },
      { path: "parity[0].covers", message: expect.stringMatching(/parity bit 9 \(parity\[2\]\)/) },
    ]);
  });

  it("rejects duplicate parity bits", () => {
    const problems = problemsOf({
      name: "TWICE",
      bitLength: 10,
      fields: [{ name: "card", start: 1, length: 8 }],
      parity: [
        { bit: 0, kind: "odd", covers: [1] },
        { bit: 0, kind: "even", covers: [2] },
      ],
    });
    expect(problems).toEqual([{ path: "parity[1].bit", message: "bit 0 is parity[0] too" }]);
  });

  it("rejects bad raw formats", () => {
    expect(problemsOf({ kind: "raw", name: "R", minBits: 40, maxBits: 30 })).toEqual([
      { path: "maxBits", message: "must be at least minBits (40), got 30" },
    ]);
    expect(problemsOf({ kind: "raw", name: "R", minBits: 0, maxBits: 129, fields: [] })).toEqual([
      { path: "fields", message: "is not a known property" },
      { path: "minBits", message: "must be 1..128, got 0" },
      { path: "maxBits", message: "must be 1..128, got 129" },
    ]);
  });

  it("rejects what is not a format at all", () => {
    expect(problemsOf(null)).toEqual([{ path: "", message: "must be an object, got null" }]);
    expect(problemsOf([])).toEqual([{ path: "", message: "must be an object, got an array" }]);
    expect(problemsOf({ kind: "weird", name: "W" })).toEqual([
      { path: "kind", message: 'must be "fixed" or "raw", got "weird"' },
    ]);
  });

  it("InvalidFormatError has a stable code and names the format", () => {
    expect(() => defineFormat({ name: "X", bitLength: 300, fields: [], parity: [] })).toThrow(
      expect.objectContaining({ code: "INVALID_FORMAT", message: expect.stringMatching(/"X"/) }),
    );
  });
});

describe("built-in formats", () => {
  it("are keyed by their names", () => {
    for (const [key, format] of Object.entries(FORMATS)) expect(format.name).toBe(key);
    expect(Object.keys(FORMATS)).toEqual([
      "H10301",
      "H10306",
      "H10302",
      "H10304",
      "C1000_35",
      "C1000_48",
      "RAW",
    ]);
  });

  it("name their fields facility and card", () => {
    for (const format of Object.values(FORMATS)) {
      if (isRawFormat(format)) continue;
      const names = format.fields.map((f) => f.name);
      expect(names.every((n) => n === "facility" || n === "card")).toBe(true);
      expect(names).toContain("card");
    }
  });
});

// Corporate 1000's parity as a rule: bit 1 (0-based) even over two of every three bits,
// the last bit odd over the other interleaving, bit 0 odd over all. Written out here
// independently of the hex masks the formats are defined with (Proxmark3's).
describe("Corporate 1000 parity masks", () => {
  const cover = (p: ParitySpec | undefined) => p?.covers;
  const every = (from: number, to: number, skip: number) =>
    range(from, to).filter((p) => p % 3 !== skip);

  it("35-bit", () => {
    const [even, odd, overall] = C1000_35.parity;
    expect(even).toMatchObject({ bit: 1, kind: "even" });
    expect(cover(even)).toEqual(every(2, 33, 1)); // 2,3,5,6,..,32,33
    expect(odd).toMatchObject({ bit: 34, kind: "odd" });
    expect(cover(odd)).toEqual(every(1, 32, 0)); // 1,2,4,5,..,31,32 (includes bit 1)
    expect(overall).toMatchObject({ bit: 0, kind: "odd" });
    expect(cover(overall)).toEqual(range(1, 34));
  });

  it("48-bit", () => {
    const [even, odd, overall] = C1000_48.parity;
    expect(even).toMatchObject({ bit: 1, kind: "even" });
    expect(cover(even)).toEqual(every(3, 46, 2)); // 3,4,6,7,..,45,46
    expect(odd).toMatchObject({ bit: 47, kind: "odd" });
    expect(cover(odd)).toEqual(every(2, 45, 1)); // 2,3,5,6,..,44,45
    expect(overall).toMatchObject({ bit: 0, kind: "odd" });
    expect(cover(overall)).toEqual(range(1, 47));
  });
});
