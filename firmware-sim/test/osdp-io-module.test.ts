import { CAPABILITY, NAK_CODES } from "@acs/osdp";
import { beforeEach, describe, expect, it } from "vitest";
import { ChannelOutOfRangeError } from "../src/bridge/errors.js";
import { IoModulePd, OUT_CODE } from "../src/osdp/io-module.js";
import type { Command, OutputControl } from "../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { ACK, nak } from "../src/osdp/spec.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";
import { DEFAULT_LINK_CAPABILITIES, drain, led, outputEvents, steady } from "./support/osdp-pd.js";

let time: FakeTime;
let outputs: PdOutputEvent[];
let pd: IoModulePd;
let t0: number;

beforeEach(() => {
  time = createFakeTime();
  outputs = [];
  pd = new IoModulePd({ clock: time.clock, onOutput: (e) => outputs.push(e) });
  t0 = time.clock.nowUs();
});

const out = (...records: [output: number, code: number, timer100ms?: number][]): Command => ({
  kind: "out",
  outputs: records.map(
    ([output, controlCode, timer100ms = 0]): OutputControl => ({
      output,
      controlCode,
      timer100ms,
    }),
  ),
});

/** Relay changes as [output, on, µs since t0]. */
const relays = () => outputEvents(outputs, "relay", (e) => [e.output, e.on], t0);

describe("IoModulePd: identification and capabilities", () => {
  it("advertises its inputs, its timed outputs and the link, and no reader", () => {
    expect(pd.capabilities).toEqual([
      { functionCode: CAPABILITY.CONTACT_STATUS_MONITORING, compliance: 1, numberOf: 4 },
      { functionCode: CAPABILITY.OUTPUT_CONTROL, compliance: 3, numberOf: 4 },
      ...DEFAULT_LINK_CAPABILITIES,
    ]);
    const small = new IoModulePd({ clock: time.clock, outputs: 2, inputs: 8 });
    expect(small.capabilities.slice(0, 2).map((c) => c.numberOf)).toEqual([8, 2]);
    expect(small.handle({ kind: "ostat" })).toEqual({ kind: "ostatr", outputs: [0, 0] });
    expect(() => new IoModulePd({ clock: time.clock, outputs: 256 })).toThrow(RangeError);
  });

  it("NAKs 0x03 the reader commands and the biometrics; ACKs ABORT and ACURXSIZE", () => {
    const unknown: Command[] = [
      { kind: "rstat" },
      {
        kind: "led",
        leds: [led({ permanent: steady(1) })],
      },
      { kind: "buz", reader: 0, toneCode: 2, onTime100ms: 1, offTime100ms: 1, count: 1 },
      { kind: "text", reader: 0, command: 1, tempTextSeconds: 0, row: 1, column: 1, text: "A" },
      { kind: "bioread", reader: 0, bioType: 0, bioFormat: 0, quality: 0 },
      { kind: "mfg", vendorCode: new Uint8Array(3), data: new Uint8Array(0) },
    ];
    for (const command of unknown) {
      expect(pd.handle(command), command.kind).toEqual(nak(NAK_CODES.UNKNOWN_COMMAND));
    }
    expect(pd.handle({ kind: "abort" })).toEqual(ACK);
    expect(pd.handle({ kind: "acurxsize", maxReceiveSize: 512 })).toEqual(ACK);
  });
});

describe("IoModulePd: osdp_OUT", () => {
  it("0 NOP changes nothing", () => {
    expect(pd.handle(out([0, OUT_CODE.NOP, 50]))).toEqual(ACK);
    expect(pd.outputStates()).toEqual([false, false, false, false]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("2 / 1 set the permanent state on and off, reporting each change with its time", () => {
    pd.handle(out([1, OUT_CODE.PERMANENT_ON_ABORT_TIMED]));
    time.advanceUs(1_500_000);
    pd.handle(out([1, OUT_CODE.PERMANENT_ON_ABORT_TIMED]));
    pd.handle(out([1, OUT_CODE.PERMANENT_OFF_ABORT_TIMED]));
    expect(relays()).toEqual([
      [1, true, 0],
      [1, false, 1_500_000],
    ]);
  });

  it("5 turns on for timer × 100 ms, then back to the permanent state", () => {
    pd.handle(out([0, OUT_CODE.TEMPORARY_ON, 30]));
    expect(pd.handle({ kind: "ostat" })).toEqual({ kind: "ostatr", outputs: [1, 0, 0, 0] });
    time.advanceUs(2_999_999);
    expect(pd.outputStates()[0]).toBe(true);
    time.advanceUs(1);
    expect(relays()).toEqual([
      [0, true, 0],
      [0, false, 3_000_000],
    ]);
    expect(pd.handle({ kind: "ostat" })).toEqual({ kind: "ostatr", outputs: [0, 0, 0, 0] });
  });

  it("6 turns off for the timer, then back to a permanent on", () => {
    pd.handle(out([2, OUT_CODE.PERMANENT_ON_ABORT_TIMED]));
    pd.handle(out([2, OUT_CODE.TEMPORARY_OFF, 5]));
    time.advanceUs(500_000);
    expect(relays()).toEqual([
      [2, true, 0],
      [2, false, 0],
      [2, true, 500_000],
    ]);
  });

  it("1 and 2 abort a timed operation", () => {
    pd.handle(out([0, OUT_CODE.TEMPORARY_ON, 50]));
    time.advanceUs(1_000_000);
    pd.handle(out([0, OUT_CODE.PERMANENT_OFF_ABORT_TIMED]));
    expect(pd.outputStates()[0]).toBe(false);
    expect(time.pendingTimers()).toBe(0);
    pd.handle(out([0, OUT_CODE.TEMPORARY_OFF, 50]));
    pd.handle(out([0, OUT_CODE.PERMANENT_ON_ABORT_TIMED]));
    expect(pd.outputStates()[0]).toBe(true);
    expect(time.pendingTimers()).toBe(0);
    time.advanceUs(10_000_000);
    expect(relays()).toEqual([
      [0, true, 0],
      [0, false, 1_000_000],
      [0, true, 1_000_000],
    ]);
  });

  it("3 sets the permanent state off and lets a timed operation complete", () => {
    pd.handle(out([0, OUT_CODE.PERMANENT_ON_ABORT_TIMED]));
    pd.handle(out([0, OUT_CODE.TEMPORARY_ON, 20])); // on anyway
    pd.handle(out([0, OUT_CODE.PERMANENT_OFF_ALLOW_TIMED]));
    expect(pd.outputStates()[0]).toBe(true);
    time.advanceUs(2_000_000);
    expect(relays()).toEqual([
      [0, true, 0],
      [0, false, 2_000_000],
    ]);
  });

  it("4 sets the permanent state on and lets a timed off complete", () => {
    pd.handle(out([3, OUT_CODE.TEMPORARY_OFF, 10]));
    pd.handle(out([3, OUT_CODE.PERMANENT_ON_ALLOW_TIMED]));
    expect(pd.outputStates()[3]).toBe(false);
    time.advanceUs(1_000_000);
    expect(relays()).toEqual([[3, true, 1_000_000]]);
  });

  it("3 and 4 without a timed operation take effect at once", () => {
    pd.handle(out([0, OUT_CODE.PERMANENT_ON_ALLOW_TIMED]));
    pd.handle(out([0, OUT_CODE.PERMANENT_OFF_ALLOW_TIMED]));
    expect(relays()).toEqual([
      [0, true, 0],
      [0, false, 0],
    ]);
  });

  it("a new timed operation replaces the running one; a zero timer leaves the permanent state", () => {
    pd.handle(out([0, OUT_CODE.TEMPORARY_ON, 50]));
    time.advanceUs(1_000_000);
    pd.handle(out([0, OUT_CODE.TEMPORARY_ON, 5])); // restarts: off at 1.5 s, not 5 s
    time.advanceUs(500_000);
    pd.handle(out([0, OUT_CODE.TEMPORARY_ON, 0]));
    expect(time.pendingTimers()).toBe(0);
    expect(relays()).toEqual([
      [0, true, 0],
      [0, false, 1_500_000],
    ]);
  });

  it("applies several records of one command in order", () => {
    expect(
      pd.handle(
        out(
          [0, OUT_CODE.PERMANENT_ON_ABORT_TIMED],
          [1, OUT_CODE.TEMPORARY_ON, 1],
          [0, OUT_CODE.PERMANENT_OFF_ABORT_TIMED],
        ),
      ),
    ).toEqual(ACK);
    time.advanceUs(100_000);
    expect(relays()).toEqual([
      [0, true, 0],
      [1, true, 0],
      [0, false, 0],
      [1, false, 100_000],
    ]);
  });

  it("NAKs 0x09 an output it does not have or an unknown control code, applying no record", () => {
    for (const command of [out([4, 2]), out([-1, 2]), out([0, 7]), out([0, 2], [9, 2])]) {
      expect(pd.handle(command)).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    }
    expect(pd.outputStates()).toEqual([false, false, false, false]);
    expect(outputs).toEqual([]);
  });

  it("stop() clears the timers; the relays keep their state", () => {
    pd.handle(out([0, OUT_CODE.TEMPORARY_ON, 10], [1, OUT_CODE.TEMPORARY_ON, 20]));
    pd.stop();
    time.advanceUs(5_000_000);
    expect(pd.outputStates()).toEqual([true, true, false, false]);
    expect(time.pendingTimers()).toBe(0);
  });
});

describe("IoModulePd: inputs and status", () => {
  it("answers ISTAT and queues ISTATR on each input change", () => {
    expect(pd.handle({ kind: "istat" })).toEqual({ kind: "istatr", inputs: [0, 0, 0, 0] });
    expect(pd.setInput(0, true)).toBe(true);
    expect(pd.setInput(0, true)).toBe(false);
    pd.setInput(3, true);
    pd.setInput(0, false);
    expect(pd.handle({ kind: "istat" })).toEqual({ kind: "istatr", inputs: [0, 0, 0, 1] });
    expect(pd.inputStates()).toEqual([false, false, false, true]);
    expect(drain(pd)).toEqual([
      { kind: "istatr", inputs: [1, 0, 0, 0] },
      { kind: "istatr", inputs: [1, 0, 0, 1] },
      { kind: "istatr", inputs: [0, 0, 0, 1] },
    ]);
  });

  it("throws for an input it does not have", () => {
    expect(() => pd.setInput(4, true)).toThrow(ChannelOutOfRangeError);
    expect(() => pd.setInput(1.5, true)).toThrow(ChannelOutOfRangeError);
  });

  it("answers LSTAT and queues LSTATR on tamper and power changes, in order with inputs", () => {
    pd.setInput(1, true);
    pd.setTamper(true);
    pd.setPowerFailure(true);
    pd.setInput(1, false);
    expect(pd.handle({ kind: "lstat" })).toEqual({ kind: "lstatr", tamper: 1, power: 1 });
    expect(drain(pd)).toEqual([
      { kind: "istatr", inputs: [0, 1, 0, 0] },
      { kind: "lstatr", tamper: 1, power: 0 },
      { kind: "lstatr", tamper: 1, power: 1 },
      { kind: "istatr", inputs: [0, 0, 0, 0] },
    ]);
  });

  it("keeps every one of many input changes, oldest first, up to its capacity", () => {
    const module = new IoModulePd({ clock: time.clock, inputs: 1, eventQueueCapacity: 1000 });
    for (let i = 0; i < 1000; i++) module.setInput(0, i % 2 === 0);
    expect(module.setInput(0, true)).toBe(true); // the 1001st change: its event does not fit
    expect(module.pendingEvents).toBe(1000);
    expect(module.eventOverflows).toBe(1);
    for (let i = 0; i < 1000; i++) {
      expect(module.nextEvent()).toEqual({ kind: "istatr", inputs: [i % 2 === 0 ? 1 : 0] });
    }
    expect(module.nextEvent()).toBeUndefined();
  });
});
