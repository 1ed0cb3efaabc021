import { performance } from "node:perf_hooks";

/**
 * Milliseconds on a clock that two processes of one machine share: the wall clock at the
 * process' time origin plus the monotonic time since, so sub-millisecond and comparable
 * between the bench process and its children (process.hrtime alone is not meant to be).
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}
