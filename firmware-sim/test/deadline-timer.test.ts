import { describe, expect, it } from "vitest";
import { DeadlineTimer } from "../src/bridge/deadline-timer.js";
import type { SimClock, TimerHandle } from "../src/clock.js";
import { createFakeTime } from "./fake-clock.js";

describe("DeadlineTimer", () => {
  it("fires at the first timer tick at or after the deadline", () => {
    const time = createFakeTime();
    const fired: number[] = [];
    const timer = new DeadlineTimer(time.clock, (nowUs) => fired.push(nowUs));
    time.advanceUs(300);
    const deadlineUs = time.clock.nowUs() + 2500;
    timer.armAt(deadlineUs);
    time.advanceUs(10_000);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(deadlineUs);
    expect(fired[0]! - deadlineUs).toBeLessThan(1000);
    expect(timer.armed).toBe(false);
  });

  it("never fires early on timers that fire early", () => {
    const time = createFakeTime();
    const early: SimClock = {
      nowUs: time.clock.nowUs,
      setTimeout: (fn, ms) => time.clock.setTimeout(fn, Math.max(0, ms - 2)),
      clearTimeout: (handle: TimerHandle) => time.clock.clearTimeout(handle),
    };
    const fired: number[] = [];
    const timer = new DeadlineTimer(early, (nowUs) => fired.push(nowUs));
    const deadlineUs = time.clock.nowUs() + 7000;
    timer.armAt(deadlineUs);
    time.advanceUs(20_000);
    expect(fired).toEqual([deadlineUs]);
  });

  it("keeps the pending timer when the deadline moves later, and re-arms when it moves earlier", () => {
    const time = createFakeTime();
    const fired: number[] = [];
    const timer = new DeadlineTimer(time.clock, (nowUs) => fired.push(nowUs));
    const t0 = time.clock.nowUs();
    timer.armAt(t0 + 20_000);
    timer.armAt(t0 + 6000);
    expect(time.pendingTimers()).toBe(1);
    for (let i = 1; i <= 5; i++) {
      time.advanceUs(2000);
      timer.armAt(time.clock.nowUs() + 6000); // one timer, re-checked when it fires
      expect(time.pendingTimers()).toBe(1);
    }
    time.advanceUs(5999);
    expect(fired).toEqual([]);
    time.advanceUs(1);
    expect(fired).toEqual([t0 + 16_000]);
  });

  it("does nothing after cancel()", () => {
    const time = createFakeTime();
    const fired: number[] = [];
    const timer = new DeadlineTimer(time.clock, (nowUs) => fired.push(nowUs));
    timer.armAt(time.clock.nowUs() + 1000);
    timer.cancel();
    timer.cancel();
    time.advanceUs(5000);
    expect(fired).toEqual([]);
    expect(time.pendingTimers()).toBe(0);
  });
});
