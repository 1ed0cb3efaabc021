import FakeTimers from "@sinonjs/fake-timers";
import type { Clock } from "../src/clock.js";

/** An edge Clock on @sinonjs/fake-timers: time moves only when the test ticks it. */
export function fakeClock(): { clock: Clock; fake: ReturnType<typeof FakeTimers.createClock> } {
  const fake = FakeTimers.createClock(0, 100_000);
  const clock: Clock = {
    now: () => fake.now,
    monotonicUs: () => fake.now * 1000,
    wallMs: () => 1_800_000_000_000 + fake.now,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (handle) => fake.clearTimeout(handle as never),
  };
  return { clock, fake };
}

/** Lets queued microtasks (memory line deliveries) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
