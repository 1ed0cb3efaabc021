import { describe, expect, it } from "vitest";
import {
  C1000_35,
  decode,
  defineFormat,
  FORMATS,
  type Format,
  H10301,
  H10302,
  H10304,
  H10306,
  InvalidBitsError,
  InvalidFormatError,
  longestBits,
  ParityError,
  RAW,
  UnknownLengthError,
  WiegandError,
} from "../src/index.js";
import { flip } from "./vectors.js";

const H10301_CARD = "00001001000110000001110011"; // facility 18, card 12345
const H10304_CARD = "0000001001101001010101000110010011101"; // facility 1234, card 345678

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error("did not throw");
}

describe("H10302 / H10304 priority", () => {
  it("the same 37 bits read as whichever comes first", () => {
    expect(decode(H10304_CARD, [H10304, H10302])).toMatchObject({
      format: "H10304",
      fields: { facility: 1234, card: 345678 },
    });
    expect(decode(H10304_CARD, [H10302, H10304])).toMatchObject({
      format: "H10302",
      fields: { card: 1234 * 2 ** 19 + 345678 },
    });
  });

  it("formats of other lengths in between do not matter", () => {
    expect(decode(H10304_CARD, [H10301, H10304, C1000_35, H10302]).format).toBe("H10304");
  });
});

describe("raw fallback", () => {
  const short = defineFormat({ kind: "raw", name: "SHORT", minBits: 30, maxBits: 40 });

  it("takes a length no fixed format has", () => {
    expect(decode("1".repeat(27), [H10301, RAW])).toMatchObject({ format: "RAW", bitLength: 27 });
  });

  it("never takes a length a fixed format has, even listed first", () => {
    expect(thrown(() => decode(flip(H10301_CARD, 0), [RAW, H10301]))).toBeInstanceOf(ParityError);
    expect(decode(H10301_CARD, [RAW, H10301]).format).toBe("H10301");
  });

  it("only within its minBits..maxBits", () => {
    expect(decode("0".repeat(30), [short]).format).toBe("SHORT");
    expect(decode("0".repeat(40), [short]).format).toBe("SHORT");
    expect(thrown(() => decode("0".repeat(29), [short]))).toBeInstanceOf(UnknownLengthError);
    expect(thrown(() => decode("0".repeat(41), [short]))).toBeInstanceOf(UnknownLengthError);
  });

  it("the first raw format in the list that fits wins", () => {
    expect(decode("0".repeat(35), [short, RAW]).format).toBe("SHORT");
    expect(decode("0".repeat(35), [RAW, short]).format).toBe("RAW");
    expect(decode("0".repeat(50), [short, RAW]).format).toBe("RAW");
  });
});

describe("unknown length", () => {
  it("carries the received length and every accepted length", () => {
    const short = defineFormat({ kind: "raw", name: "SHORT", minBits: 30, maxBits: 32 });
    const err = thrown(() => decode("1".repeat(27), [H10306, H10301, short]));
    expect(err).toBeInstanceOf(UnknownLengthError);
    expect(err).toMatchObject({
      code: "UNKNOWN_LENGTH",
      bitLength: 27,
      acceptedLengths: [26, 30, 31, 32, 34],
      bits: "1".repeat(27),
    });
  });

  it("with no formats at all", () => {
    expect(thrown(() => decode(H10301_CARD, []))).toMatchObject({
      code: "UNKNOWN_LENGTH",
      acceptedLengths: [],
    });
  });
});

describe("invalid bits", () => {
  it.each([
    ["a letter", "0000100100011000000111001a"],
    ["a space", "0000100100011 000000111001"],
    ["a '2'", "2"],
    ["a full-width digit", "０１"],
    ["an empty string", ""],
    ["129 bits", "0".repeat(129)],
    ["a million bits", "1".repeat(1_000_000)],
  ])("rejects %s", (_, bits) => {
    const err = thrown(() => decode(bits, Object.values(FORMATS)));
    expect(err).toBeInstanceOf(InvalidBitsError);
    expect(err).toBeInstanceOf(WiegandError);
    expect(err).toMatchObject({ code: "INVALID_BITS", bits });
  });

  it("rejects a non-string from an untyped caller", () => {
    const err = thrown(() => decode(26 as unknown as string, [H10301]));
    expect(err).toMatchObject({ code: "INVALID_BITS", bits: undefined });
  });

  it("checks the characters before looking at formats", () => {
    expect(thrown(() => decode("0x", []))).toBeInstanceOf(InvalidBitsError);
  });
});

describe("formats not made by defineFormat", () => {
  it("are checked on first use", () => {
    const bad = { name: "BAD", bitLength: 26, fields: [], parity: [] } as Format;
    expect(thrown(() => decode(H10301_CARD, [bad]))).toBeInstanceOf(InvalidFormatError);
  });

  it("work when valid", () => {
    const literal: Format = {
      name: "PLAIN26",
      bitLength: 26,
      fields: [{ name: "card", start: 0, length: 26 }],
      parity: [],
    };
    expect(decode(H10301_CARD, [literal]).fields).toEqual({ card: 0b00001001000110000001110011 });
  });
});

describe("longestBits", () => {
  it("is the longest fixed length or raw maxBits", () => {
    expect(longestBits([H10301])).toBe(26);
    expect(longestBits([H10301, H10302])).toBe(37);
    expect(longestBits([H10301, RAW])).toBe(128);
    expect(
      longestBits([defineFormat({ kind: "raw", name: "R", minBits: 4, maxBits: 40 }), H10302]),
    ).toBe(40);
    expect(longestBits(Object.values(FORMATS).filter((f) => f.kind !== "raw"))).toBe(48);
    expect(longestBits([])).toBe(0);
  });
});
