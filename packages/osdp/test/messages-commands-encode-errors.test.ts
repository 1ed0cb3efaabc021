import { describe, it } from "vitest";
import { type Command, encodeCommand } from "../src/messages/index.js";
import { osdpNetLed } from "./support/led-records.js";
import { expectBadPayload } from "./support/payloads.js";

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
