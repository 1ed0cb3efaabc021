import type { SimClock } from "../clock.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { checkChannel, checkNumber, InvalidArgumentError } from "./errors.js";

export interface InputDebouncerOptions {
  /** Number of inputs (door contact, request-to-exit, tamper, ...), numbered from 0. */
  readonly inputs: number;
  /** How long a new level must stay stable before it is reported. Default 20 ms; 0 reports at once. */
  readonly debounceMs?: number;
  readonly clock: SimClock;
  /** Debounced state at start-up (default: all inactive). Not reported. */
  readonly initial?: readonly boolean[];
}

export const DEFAULT_DEBOUNCE_MS = 20;

/**
 * Debounces the board's digital inputs: a level change is reported only once it has stayed
 * stable for `debounceMs`; bounces shorter than that are swallowed.
 */
export class InputDebouncer {
  readonly #onChange: (input: number, active: boolean, atUs: number) => void;
  readonly #clock: SimClock;
  readonly #debounceUs: number;
  readonly #raw: boolean[];
  readonly #stable: boolean[];
  readonly #timers: DeadlineTimer[];

  constructor(
    options: InputDebouncerOptions,
    onChange: (input: number, active: boolean, atUs: number) => void,
  ) {
    const { inputs, debounceMs = DEFAULT_DEBOUNCE_MS, clock, initial } = options;
    checkNumber("inputs", inputs, 0, true, true);
    checkNumber("debounceMs", debounceMs, 0, false);
    if (initial !== undefined && initial.length !== inputs) {
      throw new InvalidArgumentError("initial", `length ${initial.length}`, `length ${inputs}`);
    }
    this.#onChange = onChange;
    this.#clock = clock;
    this.#debounceUs = debounceMs * 1000;
    this.#stable = Array.from({ length: inputs }, (_, i) => initial?.[i] === true);
    this.#raw = [...this.#stable];
    this.#timers = Array.from(
      { length: inputs },
      (_, i) => new DeadlineTimer(clock, (nowUs) => this.#settle(i, nowUs)),
    );
  }

  /** The raw electrical level of `input` (true = active), as sampled now. */
  set(input: number, active: boolean): void {
    checkChannel("input", input, this.#raw.length);
    if (this.#raw[input] === active) return;
    this.#raw[input] = active;
    const timer = this.#timers[input]!;
    if (this.#stable[input] === active) {
      timer.cancel(); // a bounce back before it settled
    } else if (this.#debounceUs === 0) {
      this.#settle(input, this.#clock.nowUs());
    } else {
      timer.armAt(this.#clock.nowUs() + this.#debounceUs);
    }
  }

  /** The debounced states, by input number. */
  state(): readonly boolean[] {
    return [...this.#stable];
  }

  /** Clears every timer; changes that had not settled yet are dropped. */
  stop(): void {
    for (const timer of this.#timers) timer.cancel();
    this.#raw.splice(0, this.#raw.length, ...this.#stable);
  }

  #settle(input: number, atUs: number): void {
    const active = this.#raw[input]!;
    this.#stable[input] = active;
    this.#onChange(input, active, atUs);
  }
}
