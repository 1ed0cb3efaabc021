import { beforeEach, describe, expect, it } from "vitest";
import { ChannelOutOfRangeError, InvalidArgumentError } from "../src/bridge/errors.js";
import {
  type FeedbackState,
  type LedColor,
  ReaderFeedback,
} from "../src/bridge/reader-feedback.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";

type Change = [port: number, state: FeedbackState, atUs: number];

let time: FakeTime;
let changes: Change[];
let feedback: ReaderFeedback;
let t0: number;

beforeEach(() => {
  time = createFakeTime();
  changes = [];
  feedback = new ReaderFeedback({ ports: 2, clock: time.clock }, (...c) => changes.push(c));
  t0 = time.clock.nowUs();
});

describe("ReaderFeedback", () => {
  it("starts idle: LED red, buzzer off", () => {
    expect(feedback.state()).toEqual([
      { led: "red", buzzer: false },
      { led: "red", buzzer: false },
    ]);
  });

  it("reverts to idle after durationMs", () => {
    feedback.set(1, { led: "green", buzzer: true, durationMs: 3000 });
    time.advanceUs(2_999_999);
    expect(changes).toEqual([[1, { led: "green", buzzer: true }, t0]]);
    time.advanceUs(1);
    expect(changes).toEqual([
      [1, { led: "green", buzzer: true }, t0],
      [1, { led: "red", buzzer: false }, t0 + 3_000_000],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("changes only the fields named and reports only real changes", () => {
    feedback.set(0, { buzzer: true });
    feedback.set(0, { led: "amber" });
    feedback.set(0, { led: "amber", buzzer: true });
    feedback.set(0, { led: "red" });
    expect(changes.map(([port, state]) => [port, state])).toEqual([
      [0, { led: "red", buzzer: true }],
      [0, { led: "amber", buzzer: true }],
      [0, { led: "red", buzzer: true }],
    ]);
  });

  it("restarts the revert on a new timed command and cancels it on a steady one", () => {
    feedback.set(0, { led: "green", durationMs: 1000 });
    time.advanceUs(500_000);
    feedback.set(0, { led: "amber", durationMs: 1000 });
    time.advanceUs(999_999);
    expect(feedback.state()[0]).toEqual({ led: "amber", buzzer: false });
    time.advanceUs(1);
    expect(feedback.state()[0]).toEqual({ led: "red", buzzer: false });
    feedback.set(0, { led: "green", durationMs: 1000 });
    feedback.set(0, { led: "off" });
    time.advanceUs(10_000_000);
    expect(feedback.state()[0]).toEqual({ led: "off", buzzer: false });
  });

  it("clears its timers on stop()", () => {
    feedback.set(0, { led: "green", durationMs: 1000 });
    feedback.stop();
    expect(time.pendingTimers()).toBe(0);
  });

  it("rejects unknown ports and bad commands with typed errors", () => {
    expect(() => feedback.set(2, { led: "green" })).toThrow(ChannelOutOfRangeError);
    expect(() => feedback.set(0, { led: "blue" as LedColor })).toThrow(InvalidArgumentError);
    expect(() => feedback.set(0, { led: "green", durationMs: 0 })).toThrow(InvalidArgumentError);
    expect(changes).toEqual([]);
  });
});
