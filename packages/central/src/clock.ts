/** Central's time, injected into every rule so tests run on a fixed or fake clock. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (UTC). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still at `at` until moved; for tests and scripted demos. */
export function fixedClock(
  at: number,
): Clock & { set(at: number): void; advance(ms: number): void } {
  let current = at;
  return {
    now: () => current,
    set: (to) => {
      current = to;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
