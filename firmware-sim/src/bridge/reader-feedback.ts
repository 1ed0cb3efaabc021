import type { SimClock } from "../clock.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { checkChannel, checkNumber, InvalidArgumentError } from "./errors.js";

export type LedColor = "off" | "red" | "green" | "amber";

export const LED_COLORS: readonly LedColor[] = ["off", "red", "green", "amber"];

/** What the board drives on a reader port's LED and beeper lines. */
export interface FeedbackState {
  readonly led: LedColor;
  readonly buzzer: boolean;
}

export interface FeedbackCommand {
  readonly led?: LedColor;
  readonly buzzer?: boolean;
  /** Revert the whole port to the idle state (LED red, buzzer off) after this long. */
  readonly durationMs?: number;
}

export interface ReaderFeedbackOptions {
  /** Number of Wiegand reader ports, numbered from 0. */
  readonly ports: number;
  readonly clock: SimClock;
}

/** The state of a port at start-up and after a timed command: red LED, buzzer off. */
export const IDLE_FEEDBACK: FeedbackState = Object.freeze({ led: "red", buzzer: false });

/**
 * LED and buzzer of each Wiegand reader port. `set` changes only the fields it names; with
 * `durationMs` the port reverts to idle afterwards, without it the state is steady and any
 * pending revert is cancelled (the latest command wins). Only real changes are reported.
 */
export class ReaderFeedback {
  readonly #onChange: (port: number, state: FeedbackState, atUs: number) => void;
  readonly #clock: SimClock;
  readonly #states: FeedbackState[];
  readonly #timers: DeadlineTimer[];

  constructor(
    options: ReaderFeedbackOptions,
    onChange: (port: number, state: FeedbackState, atUs: number) => void,
  ) {
    const { ports, clock } = options;
    checkNumber("ports", ports, 0, true, true);
    this.#onChange = onChange;
    this.#clock = clock;
    this.#states = Array.from({ length: ports }, () => IDLE_FEEDBACK);
    this.#timers = Array.from(
      { length: ports },
      (_, i) => new DeadlineTimer(clock, (nowUs) => this.#apply(i, IDLE_FEEDBACK, nowUs)),
    );
  }

  set(port: number, command: FeedbackCommand): void {
    checkChannel("reader-port", port, this.#states.length);
    const { led, buzzer, durationMs } = command;
    if (led !== undefined && !LED_COLORS.includes(led)) {
      throw new InvalidArgumentError("led", led, LED_COLORS.join(" | "));
    }
    if (durationMs !== undefined) checkNumber("durationMs", durationMs, 0, true);
    const nowUs = this.#clock.nowUs();
    const current = this.#states[port]!;
    const timer = this.#timers[port]!;
    timer.cancel();
    if (durationMs !== undefined) timer.armAt(nowUs + durationMs * 1000);
    this.#apply(port, { led: led ?? current.led, buzzer: buzzer ?? current.buzzer }, nowUs);
  }

  /** The state of every port, by port number. */
  state(): readonly FeedbackState[] {
    return [...this.#states];
  }

  /** Clears every timer; pending reverts are dropped and nothing is reported. */
  stop(): void {
    for (const timer of this.#timers) timer.cancel();
  }

  #apply(port: number, next: FeedbackState, atUs: number): void {
    const current = this.#states[port]!;
    if (current.led === next.led && current.buzzer === next.buzzer) return;
    this.#states[port] = next;
    this.#onChange(port, next, atUs);
  }
}
