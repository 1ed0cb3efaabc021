import { blockUntil, type SimClock, type TimerHandle } from "../clock.js";

/**
 * One re-armable timer that calls `onDue` at the first timer tick at which
 * `clock.nowUs() >= deadlineUs` — never early, even though the underlying timers only have
 * millisecond resolution and may fire a little before the requested time.
 *
 * Moving the deadline later keeps the pending timer (it re-checks and re-arms when it fires), so
 * a caller can push the deadline on every Wiegand bit without allocating a timer per bit.
 *
 * With `precise` (real clock only) it wakes about a millisecond early and busy-waits the rest,
 * as a board's hardware timer would fire on the microsecond rather than on the next 1 ms tick.
 */
/** How far ahead of a precise deadline the timer wakes to busy-wait the rest. */
const PRECISE_LEAD_US = 1000;

export class DeadlineTimer {
  readonly #clock: SimClock;
  readonly #onDue: (nowUs: number) => void;
  #handle: TimerHandle | undefined;
  /** When the pending timer is expected to fire. */
  #firesAtUs = 0;
  #deadlineUs = 0;

  readonly #precise: boolean;

  constructor(clock: SimClock, onDue: (nowUs: number) => void, precise = false) {
    this.#clock = clock;
    this.#onDue = onDue;
    this.#precise = precise;
  }

  get armed(): boolean {
    return this.#handle !== undefined;
  }

  armAt(deadlineUs: number): void {
    this.#deadlineUs = deadlineUs;
    if (this.#handle !== undefined && this.#firesAtUs <= deadlineUs) return;
    this.#schedule(this.#clock.nowUs());
  }

  cancel(): void {
    if (this.#handle === undefined) return;
    this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #schedule(nowUs: number): void {
    this.cancel();
    const leftUs = this.#deadlineUs - nowUs;
    const delayMs = this.#precise
      ? Math.max(1, Math.floor((leftUs - PRECISE_LEAD_US) / 1000))
      : Math.max(1, Math.ceil(leftUs / 1000));
    this.#firesAtUs = nowUs + delayMs * 1000;
    this.#handle = this.#clock.setTimeout(this.#fire, delayMs);
  }

  readonly #fire = (): void => {
    this.#handle = undefined;
    let nowUs = this.#clock.nowUs();
    if (this.#precise && this.#deadlineUs - nowUs <= PRECISE_LEAD_US + 1000) {
      blockUntil(this.#clock, this.#deadlineUs);
      nowUs = this.#clock.nowUs();
    }
    if (nowUs < this.#deadlineUs) {
      this.#schedule(nowUs);
      return;
    }
    this.#onDue(nowUs);
  };
}
