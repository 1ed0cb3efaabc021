import { beforeEach, describe, expect, it } from "vitest";
import { ChannelOutOfRangeError, InvalidArgumentError } from "../src/bridge/errors.js";
import { RelayBank, type RelayCause } from "../src/bridge/relay-bank.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";

type Change = [relay: number, on: boolean, cause: RelayCause, atUs: number];

let time: FakeTime;
let changes: Change[];
let bank: RelayBank;
let t0: number;

beforeEach(() => {
  time = createFakeTime();
  changes = [];
  bank = new RelayBank({ relays: [{}, { maxOnMs: 5000 }], clock: time.clock }, (...c) =>
    changes.push(c),
  );
  t0 = time.clock.nowUs();
});

describe("RelayBank", () => {
  it("pulses: on now, off after ms with cause pulse-end", () => {
    bank.pulse(0, 3000);
    expect(bank.state()).toEqual([true, false]);
    time.advanceUs(2_999_999);
    expect(changes).toEqual([[0, true, "command", t0]]);
    time.advanceUs(1);
    expect(changes).toEqual([
      [0, true, "command", t0],
      [0, false, "pulse-end", t0 + 3_000_000],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("cuts a pulse longer than max-on at max-on", () => {
    bank.pulse(1, 60_000);
    time.advanceUs(60_000_000);
    expect(changes).toEqual([
      [1, true, "command", t0],
      [1, false, "max-on", t0 + 5_000_000],
    ]);
  });

  it("restarts the timing on a new pulse while on, reporting no duplicate on", () => {
    bank.pulse(0, 3000);
    time.advanceUs(2_000_000);
    bank.pulse(0, 3000);
    time.advanceUs(2_000_000);
    expect(bank.state()[0]).toBe(true);
    time.advanceUs(1_000_000);
    expect(changes).toEqual([
      [0, true, "command", t0],
      [0, false, "pulse-end", t0 + 5_000_000],
    ]);
    bank.pulse(0, 3000);
    time.advanceUs(1_000_000);
    bank.pulse(0, 500); // a restart can also shorten it
    time.advanceUs(500_000);
    expect(changes.slice(2).map(([, on, cause]) => [on, cause])).toEqual([
      [true, "command"],
      [false, "pulse-end"],
    ]);
  });

  it("sets on and off by command; steady on is cut at max-on (default 30 s)", () => {
    bank.set(0, true);
    bank.set(0, true);
    bank.set(0, false);
    bank.set(0, false);
    expect(changes).toEqual([
      [0, true, "command", t0],
      [0, false, "command", t0],
    ]);
    bank.set(0, true);
    time.advanceUs(29_999_999);
    expect(bank.state()[0]).toBe(true);
    time.advanceUs(1);
    expect(changes.at(-1)).toEqual([0, false, "max-on", t0 + 30_000_000]);
  });

  it("restarts the max-on window on every on-command", () => {
    bank.set(1, true);
    time.advanceUs(4_000_000);
    bank.set(1, true);
    time.advanceUs(4_000_000);
    expect(bank.state()[1]).toBe(true);
    time.advanceUs(1_000_000);
    expect(changes.at(-1)).toEqual([1, false, "max-on", t0 + 9_000_000]);
  });

  it("turns a pulsing relay steady with set(on) and off with set(off)", () => {
    bank.pulse(0, 1000);
    bank.set(0, true);
    time.advanceUs(2_000_000);
    expect(bank.state()[0]).toBe(true);
    bank.pulse(1, 1000);
    bank.set(1, false);
    time.advanceUs(2_000_000);
    expect(changes.map(([relay, on, cause]) => [relay, on, cause])).toEqual([
      [0, true, "command"],
      [1, true, "command"],
      [1, false, "command"],
    ]);
  });

  it("turns every relay off with allOff, reporting only those that were on", () => {
    bank.pulse(1, 1000);
    bank.allOff("fail-safe");
    bank.allOff("fail-safe");
    expect(changes).toEqual([
      [1, true, "command", t0],
      [1, false, "fail-safe", t0],
    ]);
    expect(bank.state()).toEqual([false, false]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("throws a typed error for an invalid relay or duration", () => {
    for (const relay of [2, -1, 0.5, Number.NaN]) {
      expect(() => bank.set(relay, true)).toThrow(ChannelOutOfRangeError);
      expect(() => bank.pulse(relay, 100)).toThrow(
        expect.objectContaining({ code: "BRIDGE_CHANNEL_OUT_OF_RANGE", kind: "relay" }),
      );
    }
    expect(() => bank.pulse(0, 0)).toThrow(InvalidArgumentError);
    expect(() => new RelayBank({ relays: [{ maxOnMs: -1 }], clock: time.clock }, () => {})).toThrow(
      expect.objectContaining({ argument: "relays[0].maxOnMs" }),
    );
    expect(changes).toEqual([]);
  });

  it("clears its timers on stop() and keeps the outputs", () => {
    bank.pulse(0, 1000);
    bank.stop();
    expect(time.pendingTimers()).toBe(0);
    time.advanceUs(60_000_000);
    expect(bank.state()).toEqual([true, false]);
    expect(changes).toHaveLength(1);
  });
});
