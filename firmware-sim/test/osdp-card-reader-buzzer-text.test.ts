import { NAK_CODES } from "@acs/osdp";
import { beforeEach, describe, expect, it } from "vitest";
import { CardReaderPd } from "../src/osdp/card-reader.js";
import type { Command } from "../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { ACK, nak } from "../src/osdp/spec.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";
import { outputEvents } from "./support/osdp-pd.js";

let time: FakeTime;
let outputs: PdOutputEvent[];
let pd: CardReaderPd;
let t0: number;

beforeEach(() => {
  time = createFakeTime();
  outputs = [];
  pd = new CardReaderPd({ clock: time.clock, onOutput: (e) => outputs.push(e) });
  t0 = time.clock.nowUs();
});

const MS = 1000;

describe("CardReaderPd: buzzer", () => {
  const buz = (toneCode: number, on: number, off: number, count: number, reader = 0): Command => ({
    kind: "buz",
    reader,
    toneCode,
    onTime100ms: on,
    offTime100ms: off,
    count,
  });
  const buzzerEvents = () => outputEvents(outputs, "buzzer", (e) => [e.on], t0);

  it("beeps count times with the default tone", () => {
    expect(pd.handle(buz(2, 2, 1, 3))).toEqual(ACK);
    time.advanceUs(10_000_000);
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 200 * MS],
      [true, 300 * MS],
      [false, 500 * MS],
      [true, 600 * MS],
      [false, 800 * MS],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("sounds until told otherwise with count 0, and stops on tone code 1 or 0", () => {
    pd.handle(buz(2, 1, 0, 0));
    time.advanceUs(60_000_000);
    expect(pd.buzzerOn).toBe(true);
    expect(time.pendingTimers()).toBe(0);
    pd.handle(buz(1, 0, 0, 0));
    expect(pd.buzzerOn).toBe(false);
    pd.handle(buz(2, 1, 1, 0));
    time.advanceUs(250_000);
    pd.handle(buz(0, 0, 0, 0));
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 60_000 * MS],
      [true, 60_000 * MS],
      [false, 60_100 * MS],
      [true, 60_200 * MS],
      [false, 60_250 * MS],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("sounds one continuous tone of count × on time when there is no off time", () => {
    pd.handle(buz(2, 3, 0, 2));
    time.advanceUs(1_000_000);
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 600 * MS],
    ]);
  });

  it("stays silent with no on time, and a new command replaces the running one", () => {
    pd.handle(buz(2, 0, 5, 3));
    expect(pd.buzzerOn).toBe(false);
    pd.handle(buz(2, 10, 10, 0));
    time.advanceUs(500_000);
    pd.handle(buz(2, 1, 1, 1));
    time.advanceUs(5_000_000);
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 600 * MS],
    ]);
  });

  it("NAKs 0x09 another reader or an unknown tone code", () => {
    expect(pd.handle(buz(2, 1, 1, 1, 1))).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    expect(pd.handle(buz(3, 1, 1, 1))).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    expect(outputs).toEqual([]);
  });
});

describe("CardReaderPd: text", () => {
  const text = (command: number, row: number, column: number, t: string, seconds = 0): Command => ({
    kind: "text",
    reader: 0,
    command,
    tempTextSeconds: seconds,
    row,
    column,
    text: t,
  });
  const textEvents = () => outputEvents(outputs, "text", (e) => [e.text], t0);

  it("writes permanent text at a column over what is there, cut at 16 characters", () => {
    expect(pd.handle(text(1, 1, 1, "READY"))).toEqual(ACK);
    expect(pd.handle(text(1, 1, 7, "PRESENT CARD NOW"))).toEqual(ACK);
    expect(pd.displayText).toBe("READY PRESENT CA");
    expect(pd.handle(text(2, 1, 16, "XYZ"))).toEqual(ACK); // wrap, but there is no second row
    expect(pd.displayText).toBe("READY PRESENT CX");
    expect(textEvents()).toEqual([
      ["READY", 0],
      ["READY PRESENT CA", 0],
      ["READY PRESENT CX", 0],
    ]);
  });

  it("shows temporary text on a blank display for its seconds, then the permanent text", () => {
    pd.handle(text(1, 1, 1, "READY"));
    pd.handle(text(3, 1, 1, "GRANTED", 3));
    time.advanceUs(2_999_999);
    expect(pd.displayText).toBe("GRANTED");
    time.advanceUs(1);
    pd.handle(text(4, 1, 3, "X", 0)); // no time at all: nothing to see
    expect(textEvents()).toEqual([
      ["READY", 0],
      ["GRANTED", 0],
      ["READY", 3_000_000],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("NAKs 0x09 a row, column, command or character the display does not have", () => {
    for (const command of [
      text(1, 2, 1, "A"),
      text(1, 0, 1, "A"),
      text(1, 1, 17, "A"),
      text(1, 1, 0, "A"),
      text(0, 1, 1, "A"),
      text(5, 1, 1, "A"),
      text(1, 1, 1, "caf\u00e9"),
      { ...text(1, 1, 1, "A"), reader: 1 },
    ]) {
      expect(pd.handle(command)).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    }
    expect(pd.displayText).toBe("");
  });
});
