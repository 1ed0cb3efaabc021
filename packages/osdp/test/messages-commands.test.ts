import { describe, expect, it } from "vitest";
import {
  COMMAND_CODES,
  type Command,
  decodeCommand,
  encodeCommand,
} from "../src/messages/index.js";
import { osdpNetLed } from "./support/led-records.js";
import { hex } from "./support/payloads.js";

interface Golden {
  readonly name: string;
  readonly code: number;
  readonly data: Uint8Array;
  readonly command: Command;
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
