import type { SimClock } from "../clock.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { checkChannel, checkNumber } from "./errors.js";

/** Why a relay changed: an edge command, the end of a timed pulse, the board's max-on safety cut, or a fail-safe release. */
export type RelayCause = "command" | "pulse-end" | "max-on" | "fail-safe";

export interface RelayConfig {
  /** Longest the board keeps the relay on without a new command. Default 30 s. */
  readonly maxOnMs?: number;
}

export interface RelayBankOptions {
  /** One entry per relay output (lock strike, ...), numbered from 0. */
  readonly relays: readonly RelayConfig[];
  readonly clock: SimClock;
}

export const DEFAULT_MAX_ON_MS = 30_000;

/**
 * The board's relay outputs. Every on-command (`set(relay, true)` or `pulse`) starts the relay's
 * max-on window afresh, so the board cuts a relay that the edge has not commanded for `maxOnMs`
 * (cause "max-on"): a held strike needs refreshing. Only real changes are reported.
 */
export class RelayBank {
  readonly #onChange: (relay: number, on: boolean, cause: RelayCause, atUs: number) => void;
  readonly #clock: SimClock;
  readonly #maxOnUs: number[];
  readonly #on: boolean[];
  /** Cause reported when the armed off-timer fires. */
  readonly #offCause: RelayCause[];
  readonly #timers: DeadlineTimer[];

  constructor(
    options: RelayBankOptions,
    onChange: (relay: number, on: boolean, cause: RelayCause, atUs: number) => void,
  ) {
    const { relays, clock } = options;
    this.#maxOnUs = relays.map(({ maxOnMs = DEFAULT_MAX_ON_MS }, i) => {
      checkNumber(`relays[${i}].maxOnMs`, maxOnMs, 0, true);
      return maxOnMs * 1000;
    });
    this.#onChange = onChange;
    this.#clock = clock;
    this.#on = relays.map(() => false);
    this.#offCause = relays.map((): RelayCause => "max-on");
    this.#timers = relays.map(
      (_, i) =>
        new DeadlineTimer(clock, (nowUs) => this.#switch(i, false, this.#offCause[i]!, nowUs)),
    );
  }

  /** Steady on (until `set(relay, false)`, `allOff` or the max-on cut) or off. */
  set(relay: number, on: boolean): void {
    checkChannel("relay", relay, this.#on.length);
    const nowUs = this.#clock.nowUs();
    if (on) {
      this.#armOff(relay, nowUs, this.#maxOnUs[relay]!, "max-on");
    } else {
      this.#timers[relay]!.cancel();
    }
    this.#switch(relay, on, "command", nowUs);
  }

  /**
   * On now, off after `ms` (cause "pulse-end"); a pulse longer than the relay's max-on is cut at
   * max-on (cause "max-on"). A pulse while the relay is on restarts the timing from now.
   */
  pulse(relay: number, ms: number): void {
    checkChannel("relay", relay, this.#on.length);
    checkNumber("ms", ms, 0, true);
    const nowUs = this.#clock.nowUs();
    const maxOnUs = this.#maxOnUs[relay]!;
    const pulseUs = ms * 1000;
    if (pulseUs > maxOnUs) this.#armOff(relay, nowUs, maxOnUs, "max-on");
    else this.#armOff(relay, nowUs, pulseUs, "pulse-end");
    this.#switch(relay, true, "command", nowUs);
  }

  /** Every relay off, reported with `cause` (e.g. "fail-safe" when the edge link is lost). */
  allOff(cause: RelayCause = "command"): void {
    const nowUs = this.#clock.nowUs();
    for (let i = 0; i < this.#on.length; i++) {
      this.#timers[i]!.cancel();
      this.#switch(i, false, cause, nowUs);
    }
  }

  /** On/off by relay number. */
  state(): readonly boolean[] {
    return [...this.#on];
  }

  /** Clears every timer. The outputs keep their state and nothing is reported. */
  stop(): void {
    for (const timer of this.#timers) timer.cancel();
  }

  #armOff(relay: number, nowUs: number, afterUs: number, cause: RelayCause): void {
    this.#offCause[relay] = cause;
    const timer = this.#timers[relay]!;
    timer.cancel(); // a restart may bring the deadline forward
    timer.armAt(nowUs + afterUs);
  }

  #switch(relay: number, on: boolean, cause: RelayCause, atUs: number): void {
    if (this.#on[relay] === on) return;
    this.#on[relay] = on;
    this.#onChange(relay, on, cause, atUs);
  }
}
