import { performance } from "node:perf_hooks";

/**
 * Time as the edge sees it, injected everywhere so tests run on fake timers.
 * `monotonicUs` is the system-wide CLOCK_MONOTONIC, comparable across processes on
 * one machine (used to measure a card from the sim's last pulse to the decision).
 */
export interface Clock {
  /** Milliseconds on a monotonic clock (for timeouts). */
  now(): number;
  monotonicUs(): number;
  /** Wall-clock milliseconds since the epoch (for event records). */
  wallMs(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  monotonicUs: () => Number(process.hrtime.bigint() / 1000n),
  wallMs: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
