/**
 * The time source every firmware model runs on. Injected, so tests drive the models with fake
 * timers and only the composition root picks {@link systemClock}.
 */

declare const timerHandleBrand: unique symbol;

/** Opaque handle of a timer armed with {@link SimClock.setTimeout}. */
export type TimerHandle = { readonly [timerHandleBrand]: "TimerHandle" };

export interface SimClock {
  /** Monotonic microseconds (system-wide CLOCK_MONOTONIC for the real clock: process.hrtime.bigint()/1000). */
  nowUs(): number;
  /**
   * Calls `fn` once after about `ms` milliseconds. Like Node's timers the resolution is about
   * 1 ms and a timer may fire a little early or late against {@link nowUs}: callers that need a
   * deadline re-check `nowUs()` when the timer fires (see `bridge/deadline-timer.ts`).
   */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: Node timers and the system-wide monotonic clock. */
export const systemClock: SimClock = {
  nowUs: () => Number(process.hrtime.bigint() / 1000n),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};

const parking = new Int32Array(new SharedArrayBuffer(4));
/** How close to a deadline blockUntil stops sleeping and spins. */
const SPIN_FINAL_US = 120;

/**
 * Blocks the thread until `clock.nowUs()` reaches `deadlineUs`, as a board's hardware timer
 * would wait: it sleeps in the kernel (Atomics.wait) and spins only the last ~0.1 ms, so the
 * simulation does not hold a whole core while the line and the edge need it. Real clock only.
 */
export function blockUntil(clock: SimClock, deadlineUs: number): void {
  let leftUs = deadlineUs - clock.nowUs();
  while (leftUs > SPIN_FINAL_US) {
    Atomics.wait(parking, 0, 0, (leftUs - SPIN_FINAL_US) / 1000);
    leftUs = deadlineUs - clock.nowUs();
  }
  while (clock.nowUs() < deadlineUs) {
    // the last microseconds: a sleep would overshoot them
  }
}
