import { describe, it } from "vitest";
import { decodeCommand } from "../src/messages/index.js";
import { expectBadPayload, expectUnknownCode, hex } from "./support/payloads.js";

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
