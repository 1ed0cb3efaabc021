import { type Clock, createClock, type TimerId } from "@sinonjs/fake-timers";
import type { SimClock, TimerHandle } from "../src/clock.js";

/**
 * A {@link SimClock} on an @sinonjs/fake-timers clock, with millisecond resolution:
 * `nowUs()` is `originUs + (fake.now - start) × 1000` plus whatever `subMsUs()` returns.
 * Timers are the fake clock's (millisecond resolution, like Node's).
 */
export function simClockFromFake(
  fake: Clock,
  originUs = 0,
  subMsUs: () => number = () => 0,
): SimClock {
  const startMs = fake.now;
  return {
    nowUs: () => originUs + (fake.now - startMs) * 1000 + subMsUs(),
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms) as unknown as TimerHandle,
    clearTimeout: (handle) => fake.clearTimeout(handle as unknown as TimerId),
  };
}

export interface FakeTime {
  readonly clock: SimClock;
  readonly fake: Clock;
  /** Advances by exactly `us` microseconds, firing the timers that fall due. */
  advanceUs(us: number): void;
  /** Like {@link advanceUs}, letting promises settle between timers. */
  advanceUsAsync(us: number): Promise<void>;
  /** Timers still armed. */
  pendingTimers(): number;
}

/**
 * A fresh fake clock with microsecond time. The fake clock itself only moves in whole
 * milliseconds, so timers fire exactly at their millisecond; the sub-millisecond part of the
 * time is kept here and counts only until the fake clock next moves (so time never goes back).
 * (The fake clock's own fractional ticks would show the tick's final sub-millisecond part to
 * every timer fired during the tick, i.e. up to 1 ms after it was due.)
 *
 * The origin is far from 0 on purpose so that code treating 0 as "no time" shows up in tests.
 */
export function createFakeTime(originUs = 1_000_000_000): FakeTime {
  const fake = createClock();
  let subUs = 0;
  let subAtMs = fake.now;
  const clock = simClockFromFake(fake, originUs, () => (fake.now === subAtMs ? subUs : 0));
  const plan = (us: number): { ms: number; remainderUs: number } => {
    if (!(us >= 0)) throw new RangeError(`cannot advance by ${us} µs`);
    const totalUs = (fake.now === subAtMs ? subUs : 0) + us;
    const ms = Math.floor(totalUs / 1000);
    return { ms, remainderUs: totalUs - ms * 1000 };
  };
  const settle = (remainderUs: number): void => {
    subAtMs = fake.now;
    subUs = remainderUs;
  };
  return {
    clock,
    fake,
    advanceUs: (us) => {
      const { ms, remainderUs } = plan(us);
      if (ms > 0) fake.tick(ms);
      settle(remainderUs);
    },
    advanceUsAsync: async (us) => {
      const { ms, remainderUs } = plan(us);
      await fake.tickAsync(ms);
      settle(remainderUs);
    },
    pendingTimers: () => fake.countTimers(),
  };
}
