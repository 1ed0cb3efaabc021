import { describe, expect, it } from "vitest";
import {
  encode,
  FieldRangeError,
  type FixedFormat,
  H10301,
  H10302,
  InvalidFormatError,
  RAW,
  WiegandError,
} from "../src/index.js";

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error("did not throw");
}

describe("encode field range", () => {
  it.each([
    ["missing", { card: 1 }, "facility", undefined],
    ["negative", { facility: -1, card: 1 }, "facility", -1],
    ["fractional", { facility: 1.5, card: 1 }, "facility", 1.5],
    ["too large", { facility: 256, card: 1 }, "facility", 256],
    ["NaN", { facility: Number.NaN, card: 1 }, "facility", Number.NaN],
    ["Infinity", { facility: 1, card: Number.POSITIVE_INFINITY }, "card", Number.POSITIVE_INFINITY],
    ["a string", { facility: "12", card: 1 }, "facility", "12"],
  ])("rejects a %s value", (_, fields, field, value) => {
    const err = thrown(() => encode(H10301, fields as Record<string, number>));
    expect(err).toBeInstanceOf(FieldRangeError);
    expect(err).toBeInstanceOf(WiegandError);
    expect(err).toMatchObject({
      code: "FIELD_RANGE",
      format: "H10301",
      field,
      value,
      max: field === "facility" ? 255 : 65535,
    });
  });

  it("takes 0 and the maximum", () => {
    expect(encode(H10301, { facility: 0, card: 0 })).toBe("00000000000000000000000001");
    expect(encode(H10301, { facility: 255, card: 65535 })).toBe("01111111111111111111111111");
    expect(encode(H10302, { card: 2 ** 35 - 1 })).toHaveLength(37);
    expect(thrown(() => encode(H10302, { card: 2 ** 35 }))).toMatchObject({ max: 2 ** 35 - 1 });
  });

  it("rejects a field the format does not have", () => {
    const err = thrown(() => encode(H10302, { facility: 5, card: 1 }));
    expect(err).toMatchObject({ code: "FIELD_RANGE", field: "facility", value: 5, max: null });
  });

  it("ignores inherited properties", () => {
    const fields = Object.create({ facility: 1 }) as Record<string, number>;
    fields.card = 1;
    expect(thrown(() => encode(H10301, fields))).toMatchObject({
      field: "facility",
      value: undefined,
    });
  });

  it("rejects a raw format", () => {
    expect(thrown(() => encode(RAW as unknown as FixedFormat, {}))).toBeInstanceOf(
      InvalidFormatError,
    );
  });
});
