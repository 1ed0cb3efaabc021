import { CAPABILITY, NAK_CODES } from "@acs/osdp";
import { encode, H10301 } from "@acs/wiegand";
import { beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/bridge/errors.js";
import { CardReaderPd, packBits } from "../src/osdp/card-reader.js";
import type { Command } from "../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { ACK, nak } from "../src/osdp/spec.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";
import { DEFAULT_LINK_CAPABILITIES, drain } from "./support/osdp-pd.js";

let time: FakeTime;
let outputs: PdOutputEvent[];
let pd: CardReaderPd;

beforeEach(() => {
  time = createFakeTime();
  outputs = [];
  pd = new CardReaderPd({ clock: time.clock, onOutput: (e) => outputs.push(e) });
});

describe("CardReaderPd: identification and capabilities", () => {
  it("advertises one reader with its LED, buzzer, display, tamper contact and the link", () => {
    expect(pd.capabilities).toEqual([
      { functionCode: CAPABILITY.CONTACT_STATUS_MONITORING, compliance: 1, numberOf: 1 },
      { functionCode: CAPABILITY.CARD_DATA_FORMAT, compliance: 1, numberOf: 0 },
      { functionCode: CAPABILITY.READER_LED_CONTROL, compliance: 4, numberOf: 1 },
      { functionCode: CAPABILITY.READER_AUDIBLE_OUTPUT, compliance: 2, numberOf: 1 },
      { functionCode: CAPABILITY.READER_TEXT_OUTPUT, compliance: 1, numberOf: 1 },
      { functionCode: CAPABILITY.READERS, compliance: 0, numberOf: 1 },
      ...DEFAULT_LINK_CAPABILITIES,
    ]);
    expect(pd.handle({ kind: "cap" })).toEqual({ kind: "pdcap", capabilities: pd.capabilities });
    expect(pd.handle({ kind: "id" })).toEqual({ kind: "pdid", ...pd.identification });
    expect(pd.handle({ kind: "poll" })).toEqual(ACK);
  });

  it("follows its options: LED count, no display, link without CRC or secure channel", () => {
    const other = new CardReaderPd({
      clock: time.clock,
      leds: 2,
      display: false,
      link: { crc: false, secureChannel: false, receiveBufferSize: 0x1234 },
    });
    const byCode = new Map(other.capabilities.map((c) => [c.functionCode, c]));
    expect(byCode.get(CAPABILITY.READER_LED_CONTROL)?.numberOf).toBe(2);
    expect(byCode.has(CAPABILITY.READER_TEXT_OUTPUT)).toBe(false);
    expect(byCode.get(CAPABILITY.CHECK_CHARACTER)?.compliance).toBe(0);
    expect(byCode.get(CAPABILITY.COMMUNICATION_SECURITY)).toMatchObject({
      compliance: 0,
      numberOf: 0,
    });
    expect(byCode.get(CAPABILITY.RECEIVE_BUFFER_SIZE)).toMatchObject({
      compliance: 0x34,
      numberOf: 0x12,
    });
    expect(
      other.handle({
        kind: "text",
        reader: 0,
        command: 1,
        tempTextSeconds: 0,
        row: 1,
        column: 1,
        text: "x",
      }),
    ).toEqual(nak(NAK_CODES.UNKNOWN_COMMAND));
  });
});

describe("CardReaderPd: cards and keys", () => {
  it("queues a presented card as osdp_RAW, Wiegand format, bits packed MSB first", () => {
    const bits = encode(H10301, { facility: 123, card: 4567 });
    expect(pd.presentCard(bits)).toBe(true);
    const reply = pd.nextEvent();
    expect(reply).toEqual({
      kind: "raw",
      reader: 0,
      format: 0x01,
      bitCount: 26,
      data: packBits(bits),
    });
    expect(pd.nextEvent()).toBeUndefined();
  });

  it("packs bits MSB first and pads the last byte with zeros", () => {
    expect([...packBits("1")]).toEqual([0x80]);
    expect([...packBits("10100101" + "11")]).toEqual([0xa5, 0xc0]);
    expect([...packBits("0000000100000001")]).toEqual([0x01, 0x01]);
  });

  it("queues raw bits with format 0x00 and takes up to 1024 bits", () => {
    pd.presentCard("1".repeat(1024), 0x00);
    const reply = pd.nextEvent();
    expect(reply).toMatchObject({ kind: "raw", format: 0x00, bitCount: 1024 });
    expect(reply?.kind === "raw" && reply.data.every((b) => b === 0xff)).toBe(true);
  });

  it("refuses what is not a card", () => {
    for (const bits of ["", "0102", "1".repeat(1025)]) {
      expect(() => pd.presentCard(bits)).toThrow(InvalidArgumentError);
    }
    expect(() => pd.presentCard("1010", 2)).toThrow(InvalidArgumentError);
    expect(pd.pendingEvents).toBe(0);
  });

  it("queues keys as osdp_KEYPAD", () => {
    pd.pressKeys("1234#");
    pd.pressKeys("*");
    expect(drain(pd)).toEqual([
      { kind: "keypad", reader: 0, digits: "1234#" },
      { kind: "keypad", reader: 0, digits: "*" },
    ]);
    expect(() => pd.pressKeys("12a")).toThrow(InvalidArgumentError);
    expect(() => pd.pressKeys("")).toThrow(InvalidArgumentError);
  });
});

describe("CardReaderPd: status", () => {
  it("answers LSTAT, and queues LSTATR on each tamper or power change only", () => {
    expect(pd.handle({ kind: "lstat" })).toEqual({ kind: "lstatr", tamper: 0, power: 0 });
    expect(pd.setTamper(true)).toBe(true);
    expect(pd.setTamper(true)).toBe(false);
    expect(pd.handle({ kind: "lstat" })).toEqual({ kind: "lstatr", tamper: 1, power: 0 });
    pd.setPowerFailure(true);
    pd.setTamper(false);
    pd.setPowerFailure(false);
    expect(drain(pd)).toEqual([
      { kind: "lstatr", tamper: 1, power: 0 },
      { kind: "lstatr", tamper: 1, power: 1 },
      { kind: "lstatr", tamper: 0, power: 1 },
      { kind: "lstatr", tamper: 0, power: 0 },
    ]);
  });

  it("answers ISTAT with its one contact, the tamper switch, and RSTAT with its reader", () => {
    expect(pd.handle({ kind: "istat" })).toEqual({ kind: "istatr", inputs: [0] });
    pd.setTamper(true);
    expect(pd.handle({ kind: "istat" })).toEqual({ kind: "istatr", inputs: [1] });
    expect(pd.handle({ kind: "rstat" })).toEqual({ kind: "rstatr", readers: [0] });
  });

  it("NAKs 0x03 what a reader does not do, and ACKs ACURXSIZE and ABORT", () => {
    const unknown: Command[] = [
      { kind: "ostat" },
      { kind: "out", outputs: [{ output: 0, controlCode: 2, timer100ms: 0 }] },
      { kind: "bioread", reader: 0, bioType: 0, bioFormat: 0, quality: 0 },
      {
        kind: "biomatch",
        reader: 0,
        bioType: 0,
        bioFormat: 0,
        qualityThreshold: 0,
        template: new Uint8Array(3),
      },
      { kind: "filetransfer", fileType: 1, totalSize: 1, offset: 0, data: new Uint8Array(1) },
      { kind: "mfg", vendorCode: new Uint8Array(3), data: new Uint8Array(0) },
      { kind: "keepactive", keepAliveMs: 1000 },
      { kind: "chlng", rndA: new Uint8Array(8) },
      { kind: "keyset", keyType: 1, key: new Uint8Array(16) },
      { kind: "comset", address: 1, baudRate: 9600 },
    ];
    for (const command of unknown) {
      expect(pd.handle(command), command.kind).toEqual(nak(NAK_CODES.UNKNOWN_COMMAND));
    }
    expect(pd.handle({ kind: "acurxsize", maxReceiveSize: 128 })).toEqual(ACK);
    expect(pd.handle({ kind: "abort" })).toEqual(ACK);
  });
});
