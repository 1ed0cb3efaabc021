import { describe, expect, it } from "vitest";
import {
  CAPABILITY,
  COMMAND_CODES,
  commandKindOf,
  describeNak,
  NAK_CODES,
  REPLY_CODES,
  replyKindOf,
} from "../src/messages/index.js";

describe("command and reply codes", () => {
  it("no two kinds share a code", () => {
    const commandCodes = Object.values(COMMAND_CODES);
    const replyCodes = Object.values(REPLY_CODES);
    expect(new Set(commandCodes).size).toBe(commandCodes.length);
    expect(new Set(replyCodes).size).toBe(replyCodes.length);
  });

  it("reverse lookups invert the tables", () => {
    for (const [kind, code] of Object.entries(COMMAND_CODES))
      expect(commandKindOf(code)).toBe(kind);
    for (const [kind, code] of Object.entries(REPLY_CODES)) expect(replyKindOf(code)).toBe(kind);
  });

  it("codes v2.2 deprecated or does not define have no kind", () => {
    // osdp_DIAG, osdp_TDSET, v2.1 osdp_ABORT, osdp_XWR, osdp_PIVDATA.
    for (const code of [0x63, 0x6d, 0x7a, 0xa1, 0xa3]) expect(commandKindOf(code)).toBeUndefined();
    // osdp_PRES, osdp_SCREP, osdp_PIVDATAR, osdp_XRD.
    for (const code of [0x52, 0x55, 0x80, 0xb1]) expect(replyKindOf(code)).toBeUndefined();
  });

  it("a command and a reply may share a code (CHLNG/CCRYPT 0x76)", () => {
    expect(commandKindOf(0x76)).toBe("chlng");
    expect(replyKindOf(0x76)).toBe("ccrypt");
  });
});

describe("NAK codes", () => {
  it("have the values of the specification's NAK table", () => {
    expect(NAK_CODES).toEqual({
      NONE: 0x00,
      CHECK_CHARACTER: 0x01,
      COMMAND_LENGTH: 0x02,
      UNKNOWN_COMMAND: 0x03,
      SEQUENCE: 0x04,
      SECURITY: 0x05,
      ENCRYPTION_REQUIRED: 0x06,
      BIO_TYPE: 0x07,
      BIO_FORMAT: 0x08,
      UNABLE_TO_PROCESS: 0x09,
    });
  });

  it("describe themselves for logs, reserved ones too", () => {
    expect(describeNak(0x03)).toBe("unknown command code (0x03)");
    expect(describeNak(0x06)).toBe("encrypted communication required (0x06)");
    expect(describeNak(0x42)).toBe("reserved NAK code (0x42)");
  });
});

describe("capability function codes", () => {
  it("number the PDCAP functions 1..16 in the specification's order", () => {
    expect(Object.values(CAPABILITY)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(CAPABILITY.COMMUNICATION_SECURITY).toBe(9);
    expect(CAPABILITY.OSDP_VERSION).toBe(16);
  });
});
