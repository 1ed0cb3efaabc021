/**
 * Exponential backoff with jitter: initial, 2x, 4x, ... up to max, each delay drawn from
 * [50 %, 100 %] of its step so that many edges coming back at once spread out.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(initialMs: number, maxMs: number, random: () => number = Math.random) {
    this.initialMs = initialMs;
    this.maxMs = Math.max(initialMs, maxMs);
    this.random = random;
  }

  /** The delay before the next attempt. */
  next(): number {
    const step = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    if (step < this.maxMs) this.attempt++;
    return Math.max(1, Math.round(step * (0.5 + 0.5 * this.random())));
  }

  /** Attempts so far since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
