import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeDelta,
  decodeDeltaUnlimited,
  decodeSiteState,
  encodeDelta,
  encodeSiteState,
  MAX_MESSAGE_BYTES,
  ProtocolError,
  type SiteDelta,
  type SiteState,
} from "../src/index.js";
import { CODECS, expectProtocolError, hex, smallState } from "./codec-support.js";

describe.each(CODECS)("$name", ({ arb: values, encode, decode, canonical }) => {
  it("decodes what it encodes, and encodes it again to the same bytes", () => {
    fc.assert(
      fc.property(values, (value) => {
        const bytes = encode(value);
        expect(bytes).toBeInstanceOf(Uint8Array);
        const decoded = decode(bytes);
        expect(decoded).toStrictEqual(canonical ? canonical(value) : value);
        expect(hex(encode(decoded))).toBe(hex(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it("throws nothing but ProtocolError MALFORMED on garbage", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          expect((error as ProtocolError).code).toBe("MALFORMED");
        }
      }),
      { numRuns: 400 },
    );
  });

  it("throws nothing but ProtocolError MALFORMED on a valid message cut short or with a byte changed", () => {
    fc.assert(
      fc.property(values, fc.nat(), fc.nat(255), (value, at, byte) => {
        const bytes = encode(value);
        for (const broken of [
          bytes.subarray(0, at % (bytes.length + 1)),
          bytes.map((b, i) => (i === at % bytes.length ? byte : b)),
        ]) {
          try {
            decode(broken);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
            expect((error as ProtocolError).code).toBe("MALFORMED");
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("refuses what is not bytes with MALFORMED", () => {
    for (const input of [undefined, null, "0a01", 42, [1, 2], {}]) {
      expectProtocolError(() => decode(input as unknown as Uint8Array));
    }
  });
});

describe("size limit", () => {
  const big = new Uint8Array(MAX_MESSAGE_BYTES + 1);
  it.each(CODECS.filter((c) => c.name !== "SiteState"))(
    "decode of $name refuses more than MAX_MESSAGE_BYTES with OVERSIZED",
    ({ decode }) => {
      expectProtocolError(() => decode(big), "OVERSIZED");
    },
  );

  it("decodeSiteState takes a state of any size", () => {
    const persons = Array.from({ length: 20_000 }, (_, i) => ({
      id: i + 1,
      displayName: `Person number ${i + 1}`,
    }));
    const state: SiteState = { ...smallState(), persons };
    const bytes = encodeSiteState(state);
    expect(bytes.length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(decodeSiteState(bytes)).toStrictEqual(state);
  });

  it("decodeDeltaUnlimited takes a delta of any size, decodeDelta refuses it", () => {
    const persons = Array.from({ length: 20_000 }, (_, i) => ({
      id: i + 1,
      displayName: `Person number ${i + 1}`,
    }));
    const delta: SiteDelta = { site: "s1", version: 3, upsert: { persons }, delete: {} };
    const bytes = encodeDelta(delta);
    expect(decodeDeltaUnlimited(bytes)).toStrictEqual(delta);
    expectProtocolError(() => decodeDelta(bytes), "OVERSIZED");
  });
});
