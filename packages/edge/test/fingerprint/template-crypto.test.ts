import { describe, expect, it } from "vitest";
import {
  openTemplate,
  parseTemplateKey,
  sealTemplate,
} from "../../src/fingerprint/template-crypto.js";

const KEY = parseTemplateKey("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
const TEMPLATE = Uint8Array.from({ length: 64 }, (_, i) => i * 3);

describe("fingerprint template sealing", () => {
  it("opens for the person and card it was sealed for, and does not hold the template in clear", () => {
    const sealed = sealTemplate(KEY, 7, 70, TEMPLATE);
    expect(Buffer.from(sealed).includes(Buffer.from(TEMPLATE.subarray(0, 16)))).toBe(false);
    expect(openTemplate(KEY, 7, 70, sealed)).toEqual(Buffer.from(TEMPLATE));
  });

  it("refuses another card (a new card needs a new enrollment), another person, another key", () => {
    const sealed = sealTemplate(KEY, 7, 70, TEMPLATE);
    expect(() => openTemplate(KEY, 7, 71, sealed)).toThrow(
      expect.objectContaining({ code: "TEMPLATE_UNSEALABLE" }),
    );
    expect(() => openTemplate(KEY, 8, 70, sealed)).toThrow(
      expect.objectContaining({ code: "TEMPLATE_UNSEALABLE" }),
    );
    const other = parseTemplateKey("f".repeat(64));
    expect(() => openTemplate(other, 7, 70, sealed)).toThrow(
      expect.objectContaining({ code: "TEMPLATE_UNSEALABLE" }),
    );
  });

  it("refuses a malformed key", () => {
    expect(() => parseTemplateKey("abc")).toThrow(
      expect.objectContaining({ code: "TEMPLATE_UNSEALABLE" }),
    );
  });
});
