import { describe, expect, it } from "vitest";
import { createFakeTime } from "./fake-clock.js";

describe("createFakeTime", () => {
  it("advances in exact microseconds and fires timers at their millisecond", () => {
    const time = createFakeTime(5_000_000);
    expect(time.clock.nowUs()).toBe(5_000_000);
    const seen: number[] = [];
    time.advanceUs(300);
    time.clock.setTimeout(() => seen.push(time.clock.nowUs()), 2); // armed at 0.3 ms: due at 2 ms
    for (let i = 0; i < 10; i++) time.advanceUs(290);
    expect(time.clock.nowUs()).toBe(5_003_200);
    expect(seen).toEqual([5_002_000]);
  });

  it("never goes back", async () => {
    const time = createFakeTime();
    let last = time.clock.nowUs();
    const check = (): void => {
      const now = time.clock.nowUs();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    };
    for (let ms = 1; ms < 5; ms++) time.clock.setTimeout(check, ms);
    for (let i = 0; i < 30; i++) {
      await time.advanceUsAsync(170);
      check();
    }
    expect(time.pendingTimers()).toBe(0);
  });
});
