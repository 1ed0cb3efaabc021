import { describe, expect, it } from "vitest";
import { decodeReply, encodeReply, REPLY_CODES, type Reply } from "../src/messages/index.js";
import { expectBadPayload, expectUnknownCode, hex } from "./support/payloads.js";

interface Golden {
  readonly name: string;
  readonly code: number;
  readonly data: Uint8Array;
  readonly reply: Reply;
}

/**
 * OSDP.Net DeviceCapabilitiesTest: the PDCAP of a Brivo keypad, [function code,
 * compliance, number of] x 11. Receive buffer size (10) is 0x01C2 = 450 bytes.
 */
const BRIVO_PDCAP = [
  [3, 1, 1],
  [4, 4, 1],
  [5, 2, 1],
  [6, 0, 0],
  [7, 0, 0],
  [8, 1, 0],
  [9, 1, 1],
  [10, 194, 1],
  [14, 0, 0],
  [15, 0, 0],
  [16, 1, 0],
] as const;

const GOLDEN: readonly Golden[] = [
  // osdp_ACK: no data.
  { name: "ACK", code: 0x40, data: hex(""), reply: { kind: "ack" } },
  {
    // osdp_NAK: error code 0x03 (unknown command code), as libosdp sends it.
    name: "NAK",
    code: 0x41,
    data: hex("03"),
    reply: { kind: "nak", errorCode: 0x03, data: hex("") },
  },
  {
    // osdp_NAK: error code then error data, kept as is.
    name: "NAK with data",
    code: 0x41,
    data: hex("05 01"),
    reply: { kind: "nak", errorCode: 0x05, data: hex("01") },
  },
  {
    // osdp_PDID: vendor code (3), model, version, serial u32 LSB first, firmware major,
    // minor, build.
    name: "PDID",
    code: 0x45,
    data: hex("0A 00 17  01  02  78 56 34 12  03 04 05"),
    reply: {
      kind: "pdid",
      vendorCode: hex("0A 00 17"),
      model: 1,
      version: 2,
      serialNumber: 0x12345678,
      firmware: { major: 3, minor: 4, build: 5 },
    },
  },
  {
    // osdp_PDCAP: [function code, compliance, number of] x n. OSDP.Net DeviceCapabilitiesTest.
    name: "PDCAP",
    code: 0x46,
    data: Uint8Array.from(BRIVO_PDCAP.flat()),
    reply: {
      kind: "pdcap",
      capabilities: BRIVO_PDCAP.map(([functionCode, compliance, numberOf]) => ({
        functionCode,
        compliance,
        numberOf,
      })),
    },
  },
  {
    // osdp_LSTATR: tamper (0 normal), power (1 failure).
    name: "LSTATR",
    code: 0x48,
    data: hex("00 01"),
    reply: { kind: "lstatr", tamper: 0, power: 1 },
  },
  {
    // osdp_ISTATR: one byte per input.
    name: "ISTATR",
    code: 0x49,
    data: hex("00 01 00 00"),
    reply: { kind: "istatr", inputs: [0, 1, 0, 0] },
  },
  {
    // osdp_OSTATR: one byte per output.
    name: "OSTATR",
    code: 0x4a,
    data: hex("01 00"),
    reply: { kind: "ostatr", outputs: [1, 0] },
  },
  {
    // osdp_RSTATR: one byte per reader (0 normal).
    name: "RSTATR",
    code: 0x4b,
    data: hex("00"),
    reply: { kind: "rstatr", readers: [0] },
  },
  {
    // osdp_RAW: reader, format, bit count u16, ceil(bits/8) bytes. OSDP.Net RawCardDataTest:
    // reader 5, format 0 (raw, unspecified), 16 bits 0001001010101011.
    name: "RAW (OSDP.Net)",
    code: 0x50,
    data: hex("05 00 10 00 12 AB"),
    reply: { kind: "raw", reader: 5, format: 0, bitCount: 16, data: hex("12 AB") },
  },
  {
    // osdp_RAW: 26-bit H10301 facility 18, card 12345 as Wiegand (format 1); the bits
    // 00001001 00011000 00011100 11 are packed MSB first and padded with zeros.
    name: "RAW (26-bit Wiegand)",
    code: 0x50,
    data: hex("00 01 1A 00 09 18 1C C0"),
    reply: { kind: "raw", reader: 0, format: 1, bitCount: 26, data: hex("09 18 1C C0") },
  },
  {
    // osdp_FMT: reader, direction, length, ASCII. OSDP.Net FormattedCardDataTest.
    name: "FMT",
    code: 0x51,
    data: hex("05 00 09 74 65 73 74 69 6E 70 75 74"),
    reply: { kind: "fmt", reader: 5, direction: 0, data: "testinput" },
  },
  {
    // osdp_KEYPAD: reader, digit count, keys; '*' is 0x7F and '#' is 0x0D on the wire.
    name: "KEYPAD",
    code: 0x53,
    data: hex("00 05 31 32 7F 33 0D"),
    reply: { kind: "keypad", reader: 0, digits: "12*3#" },
  },
  {
    // osdp_KEYPAD: function keys F1 (A = 0x41) and F1&F4 (H = 0x48).
    name: "KEYPAD (function keys)",
    code: 0x53,
    data: hex("01 02 41 48"),
    reply: { kind: "keypad", reader: 1, digits: "AH" },
  },
  {
    // osdp_COM: address, baud u32. OSDP.Net CommunicationConfigurationTest (reply side).
    name: "COM",
    code: 0x54,
    data: hex("19 80 25 00 00"),
    reply: { kind: "com", address: 25, baudRate: 9600 },
  },
  {
    // osdp_BIOREADR: reader, status, type, quality, length u16, template.
    // OSDP.Net BiometricReadResultTest: success, right thumb (1), quality 0x50.
    name: "BIOREADR",
    code: 0x57,
    data: hex("00 00 01 50 05 00 00 01 02 03 04"),
    reply: {
      kind: "bioreadr",
      reader: 0,
      status: 0,
      bioType: 1,
      quality: 0x50,
      template: hex("00 01 02 03 04"),
    },
  },
  {
    // osdp_BIOMATCHR: reader, status, score.
    name: "BIOMATCHR",
    code: 0x58,
    data: hex("00 00 C8"),
    reply: { kind: "biomatchr", reader: 0, status: 0, score: 200 },
  },
  {
    // osdp_CCRYPT: client UID (8), RND.B (8), client cryptogram (16).
    name: "CCRYPT",
    code: 0x76,
    data: hex(
      "00 01 02 03 04 05 06 07  10 11 12 13 14 15 16 17  20 21 22 23 24 25 26 27 28 29 2A 2B 2C 2D 2E 2F",
    ),
    reply: {
      kind: "ccrypt",
      clientUid: hex("00 01 02 03 04 05 06 07"),
      rndB: hex("10 11 12 13 14 15 16 17"),
      clientCryptogram: hex("20 21 22 23 24 25 26 27 28 29 2A 2B 2C 2D 2E 2F"),
    },
  },
  {
    // osdp_RMAC_I: initial R-MAC (16).
    name: "RMAC_I",
    code: 0x78,
    data: hex("30 31 32 33 34 35 36 37 38 39 3A 3B 3C 3D 3E 3F"),
    reply: { kind: "rmac_i", initialRmac: hex("303132333435363738393A3B3C3D3E3F") },
  },
  // osdp_BUSY: no data.
  { name: "BUSY", code: 0x79, data: hex(""), reply: { kind: "busy" } },
  {
    // osdp_FTSTAT: action, delay u16, status i16, update message max u16.
    // Interleave OK, wait 100 ms, status -1 (abort), send at most 128 bytes.
    name: "FTSTAT (abort)",
    code: 0x7a,
    data: hex("01  64 00  FF FF  80 00"),
    reply: { kind: "ftstat", action: 1, delayMs: 100, status: -1, updateMessageMax: 128 },
  },
  {
    // osdp_FTSTAT: file contents processed (1).
    name: "FTSTAT (processed)",
    code: 0x7a,
    data: hex("00  00 00  01 00  00 00"),
    reply: { kind: "ftstat", action: 0, delayMs: 0, status: 1, updateMessageMax: 0 },
  },
  {
    // osdp_MFGREP: vendor code (3), data.
    name: "MFGREP",
    code: 0x90,
    data: hex("0A 00 17  01 02"),
    reply: { kind: "mfgrep", vendorCode: hex("0A 00 17"), data: hex("01 02") },
  },
];

describe("reply golden vectors", () => {
  it("cover every reply kind", () => {
    const covered = new Set(GOLDEN.map((golden) => golden.reply.kind));
    expect([...covered].sort()).toEqual(Object.keys(REPLY_CODES).sort());
  });

  it.each(GOLDEN)("$name decodes", ({ code, data, reply }) => {
    expect(decodeReply(code, data)).toEqual(reply);
  });

  it.each(GOLDEN)("$name encodes", ({ code, data, reply }) => {
    expect(encodeReply(reply)).toEqual({ code, data });
  });

  it("status lists and capability lists may be empty", () => {
    expect(decodeReply(0x49, hex(""))).toEqual({ kind: "istatr", inputs: [] });
    expect(decodeReply(0x46, hex(""))).toEqual({ kind: "pdcap", capabilities: [] });
  });

  it("keeps capability function codes newer than v2.2", () => {
    expect(decodeReply(0x46, hex("11 01 00"))).toEqual({
      kind: "pdcap",
      capabilities: [{ functionCode: 0x11, compliance: 1, numberOf: 0 }],
    });
  });

  it("decoded bytes are copies, not views of the receive buffer", () => {
    const data = hex("05 00 10 00 12 AB");
    const raw = decodeReply(0x50, data);
    data.fill(0);
    expect(raw).toEqual({ kind: "raw", reader: 5, format: 0, bitCount: 16, data: hex("12 AB") });
  });
});

describe("reply decode errors", () => {
  it.each([
    ["ACK with data", 0x40, "00", /0 bytes, got 1/],
    ["BUSY with data", 0x79, "00", /0 bytes, got 1/],
    ["NAK without an error code", 0x41, "", /at least 1 bytes, got 0/],
    ["PDID of 11 bytes", 0x45, "00".repeat(11), /12 bytes, got 11/],
    ["PDID of 13 bytes", 0x45, "00".repeat(13), /12 bytes, got 13/],
    ["PDCAP of 4 bytes", 0x46, "01 01 01 02", /3-byte records; got 4 bytes/],
    ["PDCAP of 2 bytes", 0x46, "01 01", /3-byte records/],
    ["LSTATR of 1 byte", 0x48, "00", /2 bytes, got 1/],
    ["LSTATR of 3 bytes", 0x48, "00 00 00", /2 bytes, got 3/],
    ["RAW of 3 bytes", 0x50, "00 01 1A", /at least 4 bytes, got 3/],
    ["RAW short of its bit count", 0x50, "00 01 1A 00 09 18 1C", /bit count 26 says 4 but 3/],
    ["RAW past its bit count", 0x50, "00 01 10 00 09 18 1C", /bit count 16 says 2 but 3/],
    ["RAW with 0 bits and data", 0x50, "00 00 00 00 FF", /bit count 0 says 0 but 1/],
    ["FMT of 2 bytes", 0x51, "05 00", /at least 3 bytes, got 2/],
    ["FMT short of its length", 0x51, "05 00 03 41 42", /says 3 but 2 bytes follow/],
    ["FMT with a high byte", 0x51, "05 00 02 41 C3", /data\[1\] is not ASCII/],
    ["KEYPAD of 1 byte", 0x53, "00", /at least 2 bytes, got 1/],
    ["KEYPAD short of its count", 0x53, "00 03 31 32", /digit count says 3 but 2/],
    ["KEYPAD with a letter past H", 0x53, "00 02 31 49", /digit 1 is not a keypad key/],
    ["KEYPAD with an ASCII '*'", 0x53, "00 01 2A", /digit 0 is not a keypad key/],
    ["KEYPAD with an ASCII '#'", 0x53, "00 01 23", /digit 0 is not a keypad key/],
    ["COM of 4 bytes", 0x54, "19 80 25 00", /5 bytes, got 4/],
    ["COM with the broadcast address", 0x54, "7F 80 25 00 00", /address 127 is above 0x7e/],
    ["BIOREADR of 5 bytes", 0x57, "00 00 01 50 05", /at least 6 bytes, got 5/],
    ["BIOREADR short of its length", 0x57, "00 00 01 50 05 00 00 01", /says 5 but 2/],
    ["BIOMATCHR of 2 bytes", 0x58, "00 00", /3 bytes, got 2/],
    ["BIOMATCHR of 4 bytes", 0x58, "00 00 C8 00", /3 bytes, got 4/],
    ["CCRYPT of 31 bytes", 0x76, "00".repeat(31), /32 bytes, got 31/],
    ["CCRYPT of 33 bytes", 0x76, "00".repeat(33), /32 bytes, got 33/],
    ["RMAC_I of 15 bytes", 0x78, "00".repeat(15), /16 bytes, got 15/],
    ["RMAC_I of 17 bytes", 0x78, "00".repeat(17), /16 bytes, got 17/],
    ["FTSTAT of 6 bytes", 0x7a, "01 64 00 FF FF 80", /7 bytes, got 6/],
    ["FTSTAT of 8 bytes", 0x7a, "01 64 00 FF FF 80 00 00", /7 bytes, got 8/],
    ["MFGREP of 2 bytes", 0x90, "0A 00", /at least 3 bytes, got 2/],
  ] as const)("%s", (_name, code, data, problem) => {
    expectBadPayload(() => decodeReply(code, hex(data)), code, problem);
  });

  it.each([
    ["PRES (removed)", 0x52],
    ["SCREP (removed)", 0x55],
    ["PIVDATAR (outside the served set)", 0x80],
    ["XRD (outside the served set)", 0xb1],
    ["a command code", 0x60],
    ["zero", 0x00],
  ])("%s is an unknown reply code", (_name, code) => {
    expectUnknownCode(() => decodeReply(code, hex("")), code);
  });
});

describe("reply encode errors", () => {
  const cases: readonly [string, Reply, number, RegExp][] = [
    [
      "NAK error code 256",
      { kind: "nak", errorCode: 256, data: new Uint8Array() },
      0x41,
      /errorCode/,
    ],
    [
      "PDID with a 4-byte vendor code",
      {
        kind: "pdid",
        vendorCode: new Uint8Array(4),
        model: 0,
        version: 0,
        serialNumber: 0,
        firmware: { major: 0, minor: 0, build: 0 },
      },
      0x45,
      /vendorCode must be 3 bytes, got 4/,
    ],
    [
      "PDID serial above u32",
      {
        kind: "pdid",
        vendorCode: new Uint8Array(3),
        model: 0,
        version: 0,
        serialNumber: 2 ** 32,
        firmware: { major: 0, minor: 0, build: 0 },
      },
      0x45,
      /serialNumber must be an integer 0\.\.4294967295/,
    ],
    [
      "PDID firmware build 256",
      {
        kind: "pdid",
        vendorCode: new Uint8Array(3),
        model: 0,
        version: 0,
        serialNumber: 0,
        firmware: { major: 0, minor: 0, build: 256 },
      },
      0x45,
      /firmware\.build/,
    ],
    [
      "PDCAP compliance 256",
      { kind: "pdcap", capabilities: [{ functionCode: 1, compliance: 256, numberOf: 0 }] },
      0x46,
      /capabilities\[0\]\.compliance/,
    ],
    ["LSTATR power -1", { kind: "lstatr", tamper: 0, power: -1 }, 0x48, /power/],
    ["ISTATR status 2.5", { kind: "istatr", inputs: [0, 2.5] }, 0x49, /inputs\[1\]/],
    ["OSTATR status 256", { kind: "ostatr", outputs: [256] }, 0x4a, /outputs\[0\]/],
    ["RSTATR status NaN", { kind: "rstatr", readers: [Number.NaN] }, 0x4b, /readers\[0\]/],
    [
      "RAW data shorter than its bits",
      { kind: "raw", reader: 0, format: 1, bitCount: 26, data: new Uint8Array(3) },
      0x50,
      /data must be 4 bytes, got 3/,
    ],
    [
      "RAW bit count above u16",
      { kind: "raw", reader: 0, format: 1, bitCount: 65536, data: new Uint8Array(8192) },
      0x50,
      /bitCount/,
    ],
    [
      "FMT with a non-ASCII letter",
      { kind: "fmt", reader: 0, direction: 0, data: "ñ" },
      0x51,
      /data\[0\] is not ASCII/,
    ],
    [
      "KEYPAD with a letter past H",
      { kind: "keypad", reader: 0, digits: "12Z" },
      0x53,
      /digits\[2\] is not a keypad key/,
    ],
    [
      "KEYPAD with DEL instead of '*'",
      { kind: "keypad", reader: 0, digits: "\x7f" },
      0x53,
      /digits\[0\]/,
    ],
    [
      "KEYPAD longer than 255",
      { kind: "keypad", reader: 0, digits: "1".repeat(256) },
      0x53,
      /digits length must be an integer 0\.\.255, got 256/,
    ],
    [
      "COM to the broadcast address",
      { kind: "com", address: 0x7f, baudRate: 9600 },
      0x54,
      /address 127 is above 0x7e/,
    ],
    [
      "BIOREADR template above u16",
      {
        kind: "bioreadr",
        reader: 0,
        status: 0,
        bioType: 0,
        quality: 0,
        template: new Uint8Array(65536),
      },
      0x57,
      /template length/,
    ],
    ["BIOMATCHR score 256", { kind: "biomatchr", reader: 0, status: 0, score: 256 }, 0x58, /score/],
    [
      "CCRYPT with a 7-byte client UID",
      {
        kind: "ccrypt",
        clientUid: new Uint8Array(7),
        rndB: new Uint8Array(8),
        clientCryptogram: new Uint8Array(16),
      },
      0x76,
      /clientUid must be 8 bytes, got 7/,
    ],
    [
      "RMAC_I of 15 bytes",
      { kind: "rmac_i", initialRmac: new Uint8Array(15) },
      0x78,
      /initialRmac must be 16 bytes, got 15/,
    ],
    [
      "FTSTAT status below i16",
      { kind: "ftstat", action: 0, delayMs: 0, status: -32769, updateMessageMax: 0 },
      0x7a,
      /status must be an integer -32768\.\.32767/,
    ],
    [
      "FTSTAT status above i16",
      { kind: "ftstat", action: 0, delayMs: 0, status: 32768, updateMessageMax: 0 },
      0x7a,
      /status/,
    ],
    [
      "FTSTAT delay above u16",
      { kind: "ftstat", action: 0, delayMs: 65536, status: 0, updateMessageMax: 0 },
      0x7a,
      /delayMs/,
    ],
    [
      "MFGREP without a vendor code",
      { kind: "mfgrep", vendorCode: new Uint8Array(), data: new Uint8Array(1) },
      0x90,
      /vendorCode must be 3 bytes, got 0/,
    ],
  ];

  it.each(cases)("%s", (_name, reply, code, problem) => {
    expectBadPayload(() => encodeReply(reply), code, problem);
  });
});
