import { beforeEach, describe, expect, it } from "vitest";
import { ChannelOutOfRangeError, InvalidArgumentError } from "../src/bridge/errors.js";
import { InputDebouncer } from "../src/bridge/input-debouncer.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";

type Change = [input: number, active: boolean, atUs: number];

let time: FakeTime;
let changes: Change[];

beforeEach(() => {
  time = createFakeTime();
  changes = [];
});

function debouncer(debounceMs?: number, initial?: boolean[]): InputDebouncer {
  return new InputDebouncer({ inputs: 3, clock: time.clock, debounceMs, initial }, (...c) =>
    changes.push(c),
  );
}

describe("InputDebouncer", () => {
  it("reports a change once, after it stayed stable for debounceMs", () => {
    const inputs = debouncer();
    inputs.set(0, true);
    const startUs = time.clock.nowUs();
    time.advanceUs(19_999);
    expect(changes).toEqual([]);
    time.advanceUs(1);
    expect(changes).toEqual([[0, true, startUs + 20_000]]);
    inputs.set(0, true);
    time.advanceUs(100_000);
    expect(changes).toHaveLength(1);
    expect(inputs.state()).toEqual([true, false, false]);
  });

  it("swallows bounces shorter than debounceMs", () => {
    const inputs = debouncer();
    for (let i = 0; i < 10; i++) {
      inputs.set(1, i % 2 === 0);
      time.advanceUs(5000);
    }
    expect(changes).toEqual([]); // ended on inactive: back where it started
    inputs.set(1, true);
    const settledUs = time.clock.nowUs() + 20_000;
    time.advanceUs(3000);
    inputs.set(1, false);
    time.advanceUs(1000);
    inputs.set(1, true);
    time.advanceUs(19_999);
    expect(changes).toEqual([]);
    time.advanceUs(1);
    expect(changes).toEqual([[1, true, settledUs + 4000]]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("debounces each input on its own", () => {
    const inputs = debouncer(10);
    inputs.set(0, true);
    time.advanceUs(5000);
    inputs.set(2, true);
    time.advanceUs(10_000);
    expect(changes.map(([input, active]) => [input, active])).toEqual([
      [0, true],
      [2, true],
    ]);
  });

  it("reports at once with debounceMs 0 and starts from the initial states", () => {
    const inputs = debouncer(0, [true, false, true]);
    expect(inputs.state()).toEqual([true, false, true]);
    inputs.set(0, false);
    expect(changes).toEqual([[0, false, time.clock.nowUs()]]);
  });

  it("drops unsettled changes and clears its timers on stop()", () => {
    const inputs = debouncer();
    inputs.set(0, true);
    inputs.stop();
    expect(time.pendingTimers()).toBe(0);
    time.advanceUs(50_000);
    expect(changes).toEqual([]);
    inputs.set(0, true); // the raw level was forgotten with the change
    time.advanceUs(20_000);
    expect(changes).toHaveLength(1);
  });

  it("rejects unknown inputs and bad options with typed errors", () => {
    const inputs = debouncer();
    expect(() => inputs.set(3, true)).toThrow(ChannelOutOfRangeError);
    expect(() => inputs.set(-1, true)).toThrow(
      expect.objectContaining({ code: "BRIDGE_CHANNEL_OUT_OF_RANGE", kind: "input", channel: -1 }),
    );
    expect(() => debouncer(-1)).toThrow(InvalidArgumentError);
    expect(() => debouncer(20, [true])).toThrow(InvalidArgumentError);
  });
});
