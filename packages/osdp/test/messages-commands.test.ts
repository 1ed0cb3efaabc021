import { describe, expect, it } from "vitest";
import {
  COMMAND_CODES,
  type Command,
  decodeCommand,
  encodeCommand,
  type LedControl,
} from "../src/messages/index.js";
import { expectBadPayload, expectUnknownCode, hex } from "./support/payloads.js";

interface Golden {
  readonly name: string;
  readonly code: number;
  readonly data: Uint8Array;
  readonly command: Command;
}

/** OSDP.Net ReaderLedControlsTest: both records are this one with another reader and LED. */
function osdpNetLed(reader: number, led: number): LedControl {
  return {
    reader,
    led,
    temporary: {
      controlCode: 2,
      onTime100ms: 1,
      offTime100ms: 2,
      onColor: 6,
      offColor: 0,
      timer100ms: 4,
    },
    permanent: { controlCode: 1, onTime100ms: 2, offTime100ms: 6, onColor: 4, offColor: 3 },
  };
}

const GOLDEN: readonly Golden[] = [
  // osdp_POLL: no data.
  { name: "POLL", code: 0x60, data: hex(""), command: { kind: "poll" } },
  // osdp_ID: reply type 0x00 = standard PD ID block.
  { name: "ID", code: 0x61, data: hex("00"), command: { kind: "id" } },
  // osdp_CAP: reply type 0x00 = standard capability list.
  { name: "CAP", code: 0x62, data: hex("00"), command: { kind: "cap" } },
  // osdp_LSTAT / ISTAT / OSTAT / RSTAT: no data.
  { name: "LSTAT", code: 0x64, data: hex(""), command: { kind: "lstat" } },
  { name: "ISTAT", code: 0x65, data: hex(""), command: { kind: "istat" } },
  { name: "OSTAT", code: 0x66, data: hex(""), command: { kind: "ostat" } },
  { name: "RSTAT", code: 0x67, data: hex(""), command: { kind: "rstat" } },
  {
    // osdp_OUT: [output, control code, timer LSB, timer MSB] x n.
    // OSDP.Net OutputControlsTest: output 3 off (abort timed) 2500, output 5 on (allow timed) 10000.
    name: "OUT",
    code: 0x68,
    data: hex("03 01 C4 09  05 04 10 27"),
    command: {
      kind: "out",
      outputs: [
        { output: 3, controlCode: 1, timer100ms: 2500 },
        { output: 5, controlCode: 4, timer100ms: 10000 },
      ],
    },
  },
  {
    // osdp_LED: [reader, LED, temp control, on, off, on color, off color, timer LSB, MSB,
    // perm control, on, off, on color, off color] x n. OSDP.Net ReaderLedControlsTest.
    name: "LED",
    code: 0x69,
    data: hex(
      "02 03 02 01 02 06 00 04 00 01 02 06 04 03  05 06 02 01 02 06 00 04 00 01 02 06 04 03",
    ),
    command: { kind: "led", leds: [osdpNetLed(2, 3), osdpNetLed(5, 6)] },
  },
  {
    // osdp_BUZ: reader, tone code, on time, off time, count. OSDP.Net ReaderBuzzerControlTest.
    name: "BUZ",
    code: 0x6a,
    data: hex("00 02 05 02 01"),
    command: {
      kind: "buz",
      reader: 0,
      toneCode: 2,
      onTime100ms: 5,
      offTime100ms: 2,
      count: 1,
    },
  },
  {
    // osdp_TEXT: reader, command, temp time, row, column, length, text.
    // OSDP.Net ReaderTextOutputTest: permanent with wrap, row 1, column 1, 24 asterisks.
    name: "TEXT (OSDP.Net)",
    code: 0x6b,
    data: hex(`00 02 00 01 01 18 ${"2A ".repeat(24)}`),
    command: {
      kind: "text",
      reader: 0,
      command: 2,
      tempTextSeconds: 0,
      row: 1,
      column: 1,
      text: "*".repeat(24),
    },
  },
  {
    // osdp_TEXT: temporary without wrap for 5 s at row 0, column 0: "Hi!".
    name: "TEXT (temporary)",
    code: 0x6b,
    data: hex("00 03 05 00 00 03 48 69 21"),
    command: {
      kind: "text",
      reader: 0,
      command: 3,
      tempTextSeconds: 5,
      row: 0,
      column: 0,
      text: "Hi!",
    },
  },
  {
    // osdp_COMSET: address, baud rate u32 LSB first. OSDP.Net CommunicationConfigurationTest.
    name: "COMSET 9600",
    code: 0x6e,
    data: hex("02 80 25 00 00"),
    command: { kind: "comset", address: 2, baudRate: 9600 },
  },
  {
    // osdp_COMSET: the highest assignable address, 115200 = 0x0001C200.
    name: "COMSET 115200",
    code: 0x6e,
    data: hex("7E 00 C2 01 00"),
    command: { kind: "comset", address: 0x7e, baudRate: 115200 },
  },
  {
    // osdp_KEYSET: key type 0x01 (SCBK), length 16, key. OSDP.Net EncryptionKeyConfigurationTest.
    name: "KEYSET",
    code: 0x75,
    data: hex("01 10 0F 0E 0D 0C 0B 0A 09 08 07 06 05 05 03 02 01 00"),
    command: {
      kind: "keyset",
      keyType: 0x01,
      key: hex("0F 0E 0D 0C 0B 0A 09 08 07 06 05 05 03 02 01 00"),
    },
  },
  {
    // osdp_CHLNG: RND.A, 8 bytes.
    name: "CHLNG",
    code: 0x76,
    data: hex("B0 B1 B2 B3 B4 B5 B6 B7"),
    command: { kind: "chlng", rndA: hex("B0 B1 B2 B3 B4 B5 B6 B7") },
  },
  {
    // osdp_SCRYPT: server cryptogram, 16 bytes.
    name: "SCRYPT",
    code: 0x77,
    data: hex("00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"),
    command: { kind: "scrypt", serverCryptogram: hex("00112233445566778899AABBCCDDEEFF") },
  },
  {
    // osdp_BIOREAD: reader, bio type, bio format, quality. OSDP.Net BiometricReadDataTest:
    // left index finger (7), fingerprint template (2), quality 4.
    name: "BIOREAD",
    code: 0x73,
    data: hex("00 07 02 04"),
    command: { kind: "bioread", reader: 0, bioType: 7, bioFormat: 2, quality: 4 },
  },
  {
    // osdp_BIOMATCH: reader, bio type, bio format, quality threshold, length u16, template.
    // OSDP.Net BiometricTemplateDataTest.
    name: "BIOMATCH",
    code: 0x74,
    data: hex("00 07 02 04 03 00 01 02 05"),
    command: {
      kind: "biomatch",
      reader: 0,
      bioType: 7,
      bioFormat: 2,
      qualityThreshold: 4,
      template: hex("01 02 05"),
    },
  },
  {
    // osdp_ACURXSIZE: receive size u16 LSB first: 1024.
    name: "ACURXSIZE",
    code: 0x7b,
    data: hex("00 04"),
    command: { kind: "acurxsize", maxReceiveSize: 1024 },
  },
  {
    // osdp_FILETRANSFER: type, total size u32, offset u32, fragment size u16, fragment.
    // OSDP.Net FileTransferFragmentTest.
    name: "FILETRANSFER (first)",
    code: 0x7c,
    data: hex("01  0A 00 00 00  00 00 00 00  05 00  09 08 07 06 05"),
    command: {
      kind: "filetransfer",
      fileType: 1,
      totalSize: 10,
      offset: 0,
      data: hex("09 08 07 06 05"),
    },
  },
  {
    // osdp_FILETRANSFER: the last 5 bytes of a 0x12345-byte file.
    name: "FILETRANSFER (last)",
    code: 0x7c,
    data: hex("01  45 23 01 00  40 23 01 00  05 00  AA BB CC DD EE"),
    command: {
      kind: "filetransfer",
      fileType: 1,
      totalSize: 0x12345,
      offset: 0x12340,
      data: hex("AA BB CC DD EE"),
    },
  },
  {
    // osdp_MFG: vendor code (3), data. OSDP.Net ManufacturerSpecificTest.
    name: "MFG",
    code: 0x80,
    data: hex("04 06 08  09 08 07 06 05"),
    command: { kind: "mfg", vendorCode: hex("04 06 08"), data: hex("09 08 07 06 05") },
  },
  // osdp_ABORT: no data.
  { name: "ABORT", code: 0xa2, data: hex(""), command: { kind: "abort" } },
  {
    // osdp_KEEPACTIVE: keep-alive time in ms, u16 LSB first: 5000 = 0x1388.
    name: "KEEPACTIVE",
    code: 0xa7,
    data: hex("88 13"),
    command: { kind: "keepactive", keepAliveMs: 5000 },
  },
];

describe("command golden vectors", () => {
  it("cover every command kind", () => {
    const covered = new Set(GOLDEN.map((golden) => golden.command.kind));
    expect([...covered].sort()).toEqual(Object.keys(COMMAND_CODES).sort());
  });

  it.each(GOLDEN)("$name decodes", ({ code, data, command }) => {
    expect(decodeCommand(code, data)).toEqual(command);
  });

  it.each(GOLDEN)("$name encodes", ({ code, data, command }) => {
    expect(encodeCommand(command)).toEqual({ code, data });
  });

  it("ID and CAP without the reply type byte decode as the standard request", () => {
    expect(decodeCommand(0x61, hex(""))).toEqual({ kind: "id" });
    expect(decodeCommand(0x62, hex(""))).toEqual({ kind: "cap" });
  });

  it("decoded bytes are copies, not views of the receive buffer", () => {
    const frame = hex("FF 01 10 000102030405060708090A0B0C0D0E0F");
    const data = frame.subarray(1);
    const keyset = decodeCommand(0x75, data);
    frame.fill(0xee);
    expect(keyset).toEqual({
      kind: "keyset",
      keyType: 1,
      key: hex("000102030405060708090A0B0C0D0E0F"),
    });
  });

  it("decodes a Node Buffer into plain, independent Uint8Arrays", () => {
    const buffer = Buffer.from(hex("04 06 08 09 08"));
    const mfg = decodeCommand(0x80, buffer);
    buffer.fill(0);
    expect(mfg).toEqual({ kind: "mfg", vendorCode: hex("04 06 08"), data: hex("09 08") });
    if (mfg.kind !== "mfg") throw new Error("not mfg");
    expect(mfg.data.constructor).toBe(Uint8Array);
  });
});

describe("command decode errors", () => {
  it.each([
    ["POLL with data", 0x60, "00", /0 bytes, got 1/],
    ["LSTAT with data", 0x64, "00", /0 bytes, got 1/],
    ["ISTAT with data", 0x65, "01", /0 bytes, got 1/],
    ["OSTAT with data", 0x66, "01 02", /0 bytes, got 2/],
    ["RSTAT with data", 0x67, "00", /0 bytes, got 1/],
    ["ABORT with data", 0xa2, "00", /0 bytes, got 1/],
    ["ID of 2 bytes", 0x61, "00 00", /0 or 1 byte, got 2/],
    ["ID with a reserved reply type", 0x61, "01", /reply type 0x1 is reserved/],
    ["CAP with a reserved reply type", 0x62, "FF", /reserved/],
    ["OUT without records", 0x68, "", /4-byte records, at least 1; got 0/],
    ["OUT of 3 bytes", 0x68, "01 02 03", /4-byte records/],
    ["OUT of 5 bytes", 0x68, "01 02 03 04 05", /got 5 bytes/],
    ["LED without records", 0x69, "", /14-byte records, at least 1/],
    ["LED of 13 bytes", 0x69, "00".repeat(13), /got 13 bytes/],
    ["LED of 15 bytes", 0x69, "00".repeat(15), /got 15 bytes/],
    ["BUZ of 4 bytes", 0x6a, "00 02 05 02", /5 bytes, got 4/],
    ["BUZ of 6 bytes", 0x6a, "00 02 05 02 01 00", /5 bytes, got 6/],
    ["TEXT of 5 bytes", 0x6b, "00 01 00 00 00", /at least 6 bytes, got 5/],
    ["TEXT shorter than its length", 0x6b, "00 01 00 00 00 03 41 42", /says 3 but 2 bytes follow/],
    ["TEXT longer than its length", 0x6b, "00 01 00 00 00 01 41 42", /says 1 but 2 bytes follow/],
    ["TEXT with DEL", 0x6b, "00 01 00 00 00 02 41 7F", /text\[1\] is not printable/],
    ["TEXT with a newline", 0x6b, "00 01 00 00 00 01 0A", /text\[0\] is not printable/],
    ["TEXT with a high byte", 0x6b, "00 01 00 00 00 01 C3", /not printable/],
    ["COMSET of 4 bytes", 0x6e, "02 80 25 00", /5 bytes, got 4/],
    ["COMSET of 6 bytes", 0x6e, "02 80 25 00 00 00", /5 bytes, got 6/],
    ["COMSET to the broadcast address", 0x6e, "7F 80 25 00 00", /address 127 is above 0x7e/],
    ["COMSET to address 0xFF", 0x6e, "FF 80 25 00 00", /address 255/],
    ["KEYSET of 1 byte", 0x75, "01", /at least 2 bytes, got 1/],
    ["KEYSET short of its length", 0x75, `01 10 ${"00".repeat(15)}`, /says 16 but 15 bytes follow/],
    ["KEYSET with an 8-byte SCBK", 0x75, `01 08 ${"00".repeat(8)}`, /16 bytes, got 8/],
    ["CHLNG of 7 bytes", 0x76, "00".repeat(7), /RND.A is 8 bytes, got 7/],
    ["CHLNG of 9 bytes", 0x76, "00".repeat(9), /8 bytes, got 9/],
    ["SCRYPT of 15 bytes", 0x77, "00".repeat(15), /16 bytes, got 15/],
    ["SCRYPT of 17 bytes", 0x77, "00".repeat(17), /16 bytes, got 17/],
    ["BIOREAD of 3 bytes", 0x73, "00 07 02", /4 bytes, got 3/],
    ["BIOREAD of 5 bytes", 0x73, "00 07 02 04 00", /4 bytes, got 5/],
    ["BIOMATCH of 5 bytes", 0x74, "00 07 02 04 03", /at least 6 bytes, got 5/],
    ["BIOMATCH short of its length", 0x74, "00 07 02 04 03 00 01 02", /says 3 but 2 bytes follow/],
    ["BIOMATCH past its length", 0x74, "00 07 02 04 01 00 01 02", /says 1 but 2 bytes follow/],
    ["ACURXSIZE of 1 byte", 0x7b, "00", /2 bytes, got 1/],
    ["ACURXSIZE of 3 bytes", 0x7b, "00 04 00", /2 bytes, got 3/],
    ["FILETRANSFER of 10 bytes", 0x7c, "01 0A 00 00 00 00 00 00 00 00", /at least 11/],
    [
      "FILETRANSFER short of its fragment size",
      0x7c,
      "01 0A 00 00 00 00 00 00 00 05 00 09 08",
      /says 5 but 2 bytes follow/,
    ],
    [
      "FILETRANSFER past the file size",
      0x7c,
      "01 0A 00 00 00 08 00 00 00 03 00 01 02 03",
      /fragment 8\+3 runs past the file size 10/,
    ],
    ["MFG of 2 bytes", 0x80, "04 06", /at least 3 bytes, got 2/],
    ["KEEPACTIVE of 1 byte", 0xa7, "88", /2 bytes, got 1/],
    ["KEEPACTIVE of 3 bytes", 0xa7, "88 13 00", /2 bytes, got 3/],
  ] as const)("%s", (_name, code, data, problem) => {
    expectBadPayload(() => decodeCommand(code, hex(data)), code, problem);
  });

  it.each([
    ["DIAG (deprecated)", 0x63],
    ["TDSET (deprecated)", 0x6d],
    ["v2.1 ABORT code", 0x7a],
    ["XWR (outside the served set)", 0xa1],
    ["a reply code", 0x40],
    ["zero", 0x00],
    ["0xFF", 0xff],
  ])("%s is an unknown command code", (_name, code) => {
    expectUnknownCode(() => decodeCommand(code, hex("")), code);
  });
});

describe("command encode errors", () => {
  const led = osdpNetLed(0, 0);
  const cases: readonly [string, Command, number, RegExp][] = [
    ["OUT without records", { kind: "out", outputs: [] }, 0x68, /at least one output/],
    [
      "OUT output 256",
      { kind: "out", outputs: [{ output: 256, controlCode: 0, timer100ms: 0 }] },
      0x68,
      /outputs\[0\]\.output must be an integer 0\.\.255, got 256/,
    ],
    [
      "OUT negative control code",
      {
        kind: "out",
        outputs: [
          { output: 0, controlCode: 0, timer100ms: 0 },
          { output: 1, controlCode: -1, timer100ms: 0 },
        ],
      },
      0x68,
      /outputs\[1\]\.controlCode/,
    ],
    [
      "OUT timer above u16",
      { kind: "out", outputs: [{ output: 0, controlCode: 5, timer100ms: 65536 }] },
      0x68,
      /timer100ms must be an integer 0\.\.65535/,
    ],
    [
      "OUT fractional timer",
      { kind: "out", outputs: [{ output: 0, controlCode: 5, timer100ms: 1.5 }] },
      0x68,
      /got 1\.5/,
    ],
    ["LED without records", { kind: "led", leds: [] }, 0x69, /at least one LED/],
    [
      "LED temporary timer above u16",
      { kind: "led", leds: [{ ...led, temporary: { ...led.temporary, timer100ms: 70000 } }] },
      0x69,
      /leds\[0\]\.temporary\.timer100ms/,
    ],
    [
      "LED NaN color",
      { kind: "led", leds: [{ ...led, permanent: { ...led.permanent, offColor: Number.NaN } }] },
      0x69,
      /leds\[0\]\.permanent\.offColor .* got NaN/,
    ],
    [
      "BUZ reader 256",
      { kind: "buz", reader: 256, toneCode: 2, onTime100ms: 1, offTime100ms: 1, count: 1 },
      0x6a,
      /reader must be an integer 0\.\.255/,
    ],
    [
      "TEXT with a non-ASCII letter",
      { kind: "text", reader: 0, command: 1, tempTextSeconds: 0, row: 0, column: 0, text: "héllo" },
      0x6b,
      /text\[1\] is not printable ASCII/,
    ],
    [
      "TEXT with a newline",
      { kind: "text", reader: 0, command: 1, tempTextSeconds: 0, row: 0, column: 0, text: "a\nb" },
      0x6b,
      /text\[1\]/,
    ],
    [
      "TEXT longer than 255",
      {
        kind: "text",
        reader: 0,
        command: 1,
        tempTextSeconds: 0,
        row: 0,
        column: 0,
        text: "x".repeat(256),
      },
      0x6b,
      /text length must be an integer 0\.\.255, got 256/,
    ],
    [
      "TEXT negative row",
      { kind: "text", reader: 0, command: 1, tempTextSeconds: 0, row: -1, column: 0, text: "" },
      0x6b,
      /row/,
    ],
    [
      "COMSET to the broadcast address",
      { kind: "comset", address: 0x7f, baudRate: 9600 },
      0x6e,
      /address 127 is above 0x7e/,
    ],
    [
      "COMSET baud above u32",
      { kind: "comset", address: 1, baudRate: 2 ** 32 },
      0x6e,
      /baudRate must be an integer 0\.\.4294967295/,
    ],
    ["COMSET negative baud", { kind: "comset", address: 1, baudRate: -9600 }, 0x6e, /baudRate/],
    [
      "KEYSET with a 15-byte SCBK",
      { kind: "keyset", keyType: 1, key: new Uint8Array(15) },
      0x75,
      /16 bytes, got 15/,
    ],
    [
      "KEYSET key type 256",
      { kind: "keyset", keyType: 256, key: new Uint8Array(16) },
      0x75,
      /keyType/,
    ],
    [
      "KEYSET key longer than 255",
      { kind: "keyset", keyType: 2, key: new Uint8Array(256) },
      0x75,
      /key length must be an integer 0\.\.255, got 256/,
    ],
    ["CHLNG of 7 bytes", { kind: "chlng", rndA: new Uint8Array(7) }, 0x76, /rndA must be 8 bytes/],
    [
      "SCRYPT of 17 bytes",
      { kind: "scrypt", serverCryptogram: new Uint8Array(17) },
      0x77,
      /serverCryptogram must be 16 bytes, got 17/,
    ],
    [
      "BIOREAD quality 300",
      { kind: "bioread", reader: 0, bioType: 0, bioFormat: 0, quality: 300 },
      0x73,
      /quality/,
    ],
    [
      "BIOMATCH template above u16",
      {
        kind: "biomatch",
        reader: 0,
        bioType: 0,
        bioFormat: 0,
        qualityThreshold: 0,
        template: new Uint8Array(65536),
      },
      0x74,
      /template length must be an integer 0\.\.65535, got 65536/,
    ],
    ["ACURXSIZE above u16", { kind: "acurxsize", maxReceiveSize: 65536 }, 0x7b, /maxReceiveSize/],
    ["KEEPACTIVE negative", { kind: "keepactive", keepAliveMs: -1 }, 0xa7, /keepAliveMs/],
    [
      "FILETRANSFER past the file size",
      { kind: "filetransfer", fileType: 1, totalSize: 4, offset: 2, data: new Uint8Array(3) },
      0x7c,
      /fragment 2\+3 runs past the file size 4/,
    ],
    [
      "FILETRANSFER total size above u32",
      { kind: "filetransfer", fileType: 1, totalSize: 2 ** 32, offset: 0, data: new Uint8Array() },
      0x7c,
      /totalSize/,
    ],
    [
      "FILETRANSFER fragment above u16",
      {
        kind: "filetransfer",
        fileType: 1,
        totalSize: 70000,
        offset: 0,
        data: new Uint8Array(65536),
      },
      0x7c,
      /data length must be an integer 0\.\.65535/,
    ],
    [
      "MFG with a 2-byte vendor code",
      { kind: "mfg", vendorCode: new Uint8Array(2), data: new Uint8Array() },
      0x80,
      /vendorCode must be 3 bytes, got 2/,
    ],
  ];

  it.each(cases)("%s", (_name, command, code, problem) => {
    expectBadPayload(() => encodeCommand(command), code, problem);
  });
});
