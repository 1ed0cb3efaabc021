import { blockUntil, type SimClock, systemClock } from "../clock.js";
import { checkNumber, InvalidArgumentError } from "./errors.js";
import type { WiegandLine } from "./wiegand-receiver.js";

/** One Wiegand pulse: `line` 0 (D0) sends a 0 bit, `line` 1 (D1) a 1 bit. */
export interface Pulse {
  readonly line: WiegandLine;
  /** Start of this pulse, from the start of the first pulse. */
  readonly offsetUs: number;
  readonly widthUs: number;
}

export interface PulseTiming {
  /** Pulse width; SIA allows 20–100 µs, HID readers use about 50 µs. */
  readonly pulseUs: number;
  /** Start-to-start bit interval; SIA allows 200 µs – 20 ms, HID readers use about 2 ms. */
  readonly intervalUs: number;
  /** Each bit after the first starts up to ± this much off its nominal time (uniform). */
  readonly jitterUs?: number;
}

/** Timing of HID readers: 50 µs pulses every 2 ms. */
export const HID_TIMING: PulseTiming = { pulseUs: 50, intervalUs: 2000 };

/**
 * The pulses a reader sends for `bits` (`'0'`/`'1'`, first bit first): bit i starts at
 * `i × intervalUs ± jitterUs`. Timing outside the SIA limits is allowed on purpose (to send bad
 * pulses); only values that make no train at all are rejected with {@link InvalidArgumentError}:
 * non-positive width or interval, negative jitter, or jitter of half an interval or more (which
 * could reorder the bits).
 */
export function pulseTrain(
  bits: string,
  timing: PulseTiming,
  random: () => number = Math.random,
): Pulse[] {
  if (!/^[01]*$/.test(bits)) throw new InvalidArgumentError("bits", bits, "a string of 0 and 1");
  const { pulseUs, intervalUs, jitterUs = 0 } = timing;
  checkNumber("timing.pulseUs", pulseUs, 0, true);
  checkNumber("timing.intervalUs", intervalUs, 0, true);
  checkNumber("timing.jitterUs", jitterUs, 0, false);
  if (jitterUs * 2 >= intervalUs) {
    throw new InvalidArgumentError(
      "timing.jitterUs",
      jitterUs,
      `< intervalUs / 2 (${intervalUs / 2})`,
    );
  }
  const train: Pulse[] = [];
  for (let i = 0; i < bits.length; i++) {
    const jitter = i === 0 || jitterUs === 0 ? 0 : (random() * 2 - 1) * jitterUs;
    train.push({
      line: bits.charCodeAt(i) === 49 ? 1 : 0,
      offsetUs: i * intervalUs + jitter,
      widthUs: pulseUs,
    });
  }
  return train;
}

export interface PlayOptions {
  /**
   * Busy-wait the last {@link SPIN_LEAD_US} before each pulse on `clock.nowUs()` instead of
   * relying on ~1 ms timers. Default: true for {@link systemClock}, false otherwise. Never use
   * it with a fake clock: the busy-wait would never see the time advance.
   */
  readonly spin?: boolean;
  /** Aborts the playback: the promise rejects with the signal's reason and no timer is left. */
  readonly signal?: AbortSignal;
  /**
   * Receives a function that delivers, at once, every pulse due by a given time. A receiver
   * calls it before it ends a frame by its gap timer, so a pulse the event loop has not got
   * to yet is never mistaken for silence on the wire (a board's pulse interrupt always runs
   * before its timer's).
   */
  readonly onWire?: (deliverDue: (untilUs: number) => void) => void;
}

/** How long before a pulse {@link playPulseTrain} stops sleeping and starts busy-waiting. */
export const SPIN_LEAD_US = 2500;

/**
 * Plays `train` in real time against `clock`: pulse i is delivered to `onPulse` at
 * `start + offsetUs` (start = `clock.nowUs()` at the call, so a pulse at offset 0 is delivered
 * synchronously) stamped with its due time, as a board's edge interrupt would stamp it.
 * Deliveries are in train order and never early; they may be late by the timer resolution when
 * `spin` is off, or when the event loop is busy, without changing the timestamps.
 *
 * Resolves with the timestamps of the first and last pulse; rejects with
 * {@link InvalidArgumentError} for an empty train.
 */
export async function playPulseTrain(
  train: readonly Pulse[],
  clock: SimClock,
  onPulse: (line: WiegandLine, atUs: number, widthUs: number) => void,
  options: PlayOptions = {},
): Promise<{ firstPulseUs: number; lastPulseUs: number }> {
  if (train.length === 0) throw new InvalidArgumentError("train", "[]", "at least one pulse");
  const spin = options.spin ?? clock === systemClock;
  const { signal } = options;
  const startUs = clock.nowUs();
  let next = 0;
  let firstPulseUs = 0;
  let lastPulseUs = 0;
  // The pulse happened at its due time on the wire; a board timestamps it there (in its edge
  // interrupt) however late its main loop gets to it, so a late delivery from a busy event
  // loop must not squeeze the intervals the receiver sees.
  const deliverDue = (untilUs: number): void => {
    while (next < train.length) {
      const pulse = train[next]!;
      const atUs = startUs + pulse.offsetUs;
      if (atUs > untilUs) return;
      if (next === 0) firstPulseUs = atUs;
      lastPulseUs = atUs;
      next++;
      onPulse(pulse.line, atUs, pulse.widthUs);
    }
  };
  options.onWire?.(deliverDue);
  while (next < train.length) {
    const dueUs = startUs + train[next]!.offsetUs;
    if (spin) {
      let leftUs = dueUs - clock.nowUs();
      while (leftUs > SPIN_LEAD_US) {
        await sleep(clock, Math.floor((leftUs - SPIN_LEAD_US) / 1000) || 1, signal);
        leftUs = dueUs - clock.nowUs();
      }
      signal?.throwIfAborted();
      // Node timers cannot hit a 200 µs Wiegand interval: block the thread for the rest.
      blockUntil(clock, dueUs);
    } else {
      let nowUs = clock.nowUs();
      while (nowUs < dueUs) {
        await sleep(clock, Math.ceil((dueUs - nowUs) / 1000), signal);
        nowUs = clock.nowUs();
      }
      signal?.throwIfAborted();
    }
    deliverDue(dueUs);
  }
  return { firstPulseUs, lastPulseUs };
}

function sleep(clock: SimClock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
