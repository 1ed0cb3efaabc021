import { type SimClock, systemClock } from "../clock.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { checkNumber, InvalidArgumentError } from "./errors.js";

/**
 * Wiegand electrical timing (SIA AC-01-1996.10, "Access Control Standard Protocol for the
 * 26-Bit Wiegand Reader Interface", section 3: pulse width 20–100 µs, pulse interval
 * 200 µs – 20 ms).
 */
export const WIEGAND_TIMING = {
  minPulseUs: 20,
  maxPulseUs: 100,
  minIntervalUs: 200,
  maxIntervalUs: 20_000,
} as const;

/** Longest frame the receiver buffers; a longer burst without a gap is rejected as "overflow". */
export const MAX_FRAME_BITS = 128;

/** The gap is never shorter than this many times the frame's longest observed bit interval. */
export const GAP_MAX_INTERVAL_FACTOR = 1.5;

/** D0 carries a 0 bit, D1 a 1 bit. */
export type WiegandLine = 0 | 1;

export type FrameEndReason = "max-bits" | "gap";

export interface WiegandFrame {
  /** `'0'`/`'1'` characters, first bit received first. */
  readonly bits: string;
  readonly firstPulseUs: number;
  readonly lastPulseUs: number;
  /**
   * When the receiver declared the end: the last pulse for "max-bits"; for "gap" the timer tick,
   * or the next pulse's timestamp if that pulse arrived before the (late) timer.
   */
  readonly endedAtUs: number;
  readonly endReason: FrameEndReason;
}

export type WiegandReject =
  /** Width outside 20–100 µs: noise, not a bit. */
  | {
      readonly reason: "pulse-width";
      readonly line: WiegandLine;
      readonly atUs: number;
      readonly widthUs: number;
    }
  /** Less than 200 µs after the previous accepted pulse: a glitch, not a bit. */
  | {
      readonly reason: "glitch";
      readonly line: WiegandLine;
      readonly atUs: number;
      readonly sincePreviousUs: number;
    }
  /** More than {@link MAX_FRAME_BITS} bits without a gap; the rest of the burst is discarded. */
  | {
      readonly reason: "overflow";
      readonly atUs: number;
      readonly firstPulseUs: number;
      readonly bitCount: number;
    };

export type WiegandRejectReason = WiegandReject["reason"];

export interface WiegandReceiverSettings {
  /**
   * Longest format the reader accepts (0 = unknown, 1..128). A frame ends at once when it
   * reaches this many bits; shorter frames end by the gap.
   */
  maxBits: number;
  /** Upper bound of the end-of-frame gap, and the gap while only one pulse has been seen. */
  gapCapMs: number;
  /** The gap is at least this many mean observed bit intervals. */
  gapMultiple: number;
}

export interface WiegandReceiverOptions extends Partial<WiegandReceiverSettings> {
  readonly clock: SimClock;
}

export const DEFAULT_RECEIVER_SETTINGS: Readonly<WiegandReceiverSettings> = {
  maxBits: 0,
  gapCapMs: 20,
  gapMultiple: 3,
};

/**
 * Decodes the D0/D1 pulse trains of one Wiegand reader port into card frames.
 *
 * End of frame: at once when the bit count reaches `maxBits`; otherwise when the lines have been
 * idle for MORE than `gap = min(gapCap, max(gapMultiple × mean interval, 1.5 × max interval))`
 * of the frame's own observed intervals (`gapCap` while only one pulse has been seen). "More
 * than" so that a bit exactly one cap after the previous — a legal 20 ms SIA interval at the
 * default 20 ms cap — still belongs to the frame. Pulses carry their own timestamps (`atUs`, on
 * the same timebase as the clock), so a pulse that arrives after the gap has already elapsed
 * ends the previous frame first even if the timer has not fired yet.
 *
 * Settings changed with {@link configure} apply from the next frame. Allocation-light: a bit
 * costs no allocation and at most one timer re-arm.
 */
export class WiegandReceiver {
  readonly #onFrame: (frame: WiegandFrame) => void;
  readonly #onReject: (reject: WiegandReject) => void;
  readonly #gapTimer: DeadlineTimer;
  #beforeGapEnd: ((nowUs: number) => void) | undefined;
  #settings: WiegandReceiverSettings;

  readonly #bits = new Uint8Array(MAX_FRAME_BITS);
  #bitCount = 0;
  /** Accepted pulses in the current frame (also those discarded after an overflow); 0 = idle. */
  #pulses = 0;
  #overflowed = false;
  #firstUs = 0;
  #lastUs = 0;
  #maxIntervalUs = 0;
  /** Last accepted pulse of any frame, for the glitch check. */
  #lastAcceptedUs = Number.NEGATIVE_INFINITY;
  // Settings frozen at the start of the current frame.
  #frameMaxBits = 0;
  #frameGapCapUs = 0;
  #frameGapMultiple = 0;

  constructor(
    options: WiegandReceiverOptions,
    onFrame: (frame: WiegandFrame) => void,
    onReject: (reject: WiegandReject) => void,
  ) {
    this.#onFrame = onFrame;
    this.#onReject = onReject;
    this.#settings = validSettings({ ...DEFAULT_RECEIVER_SETTINGS, ...definedOnly(options) });
    // On the real clock the gap ends on the microsecond, as on a board's hardware timer.
    this.#gapTimer = new DeadlineTimer(
      options.clock,
      this.#onGapTimer,
      options.clock === systemClock,
    );
  }

  get settings(): Readonly<WiegandReceiverSettings> {
    return { ...this.#settings };
  }

  /** Changes the settings for the next frame; throws {@link InvalidArgumentError} (nothing changed) if one is out of range. */
  configure(settings: Partial<WiegandReceiverSettings>): void {
    this.#settings = validSettings({ ...this.#settings, ...definedOnly(settings) });
  }

  /**
   * One pulse on D0 (`line` 0) or D1 (`line` 1) that started at `atUs` and lasted `widthUs`.
   */
  pulse(line: WiegandLine, atUs: number, widthUs: number): void {
    if (this.#pulses > 0 && atUs - this.#lastUs > this.#gapUs()) this.#endByGap(atUs);

    if (!(widthUs >= WIEGAND_TIMING.minPulseUs && widthUs <= WIEGAND_TIMING.maxPulseUs)) {
      this.#onReject({ reason: "pulse-width", line, atUs, widthUs });
      return;
    }
    const sincePreviousUs = atUs - this.#lastAcceptedUs;
    if (!(sincePreviousUs >= WIEGAND_TIMING.minIntervalUs)) {
      this.#onReject({ reason: "glitch", line, atUs, sincePreviousUs });
      return;
    }
    this.#lastAcceptedUs = atUs;

    if (this.#pulses === 0) {
      this.#startFrame(atUs);
    } else {
      const intervalUs = atUs - this.#lastUs;
      if (intervalUs > this.#maxIntervalUs) this.#maxIntervalUs = intervalUs;
    }
    this.#pulses++;
    this.#lastUs = atUs;

    if (!this.#overflowed) {
      if (this.#bitCount === MAX_FRAME_BITS) {
        this.#overflowed = true;
        this.#onReject({
          reason: "overflow",
          atUs,
          firstPulseUs: this.#firstUs,
          bitCount: this.#bitCount + 1,
        });
      } else {
        this.#bits[this.#bitCount++] = line;
        if (this.#frameMaxBits > 0 && this.#bitCount >= this.#frameMaxBits) {
          this.#emit(atUs, "max-bits");
          return;
        }
      }
    }
    // +1 µs: the frame ends once the idle time EXCEEDS the gap.
    this.#gapTimer.armAt(this.#lastUs + this.#gapUs() + 1);
  }

  /** Discards the frame in progress and clears the timer. The receiver stays usable. */
  stop(): void {
    this.#gapTimer.cancel();
    this.#reset();
  }

  #startFrame(atUs: number): void {
    this.#firstUs = atUs;
    this.#maxIntervalUs = 0;
    this.#bitCount = 0;
    this.#overflowed = false;
    this.#frameMaxBits = this.#settings.maxBits;
    this.#frameGapCapUs = this.#settings.gapCapMs * 1000;
    this.#frameGapMultiple = this.#settings.gapMultiple;
  }

  #gapUs(): number {
    if (this.#pulses < 2) return this.#frameGapCapUs;
    const meanUs = (this.#lastUs - this.#firstUs) / (this.#pulses - 1);
    return Math.min(
      this.#frameGapCapUs,
      Math.max(this.#frameGapMultiple * meanUs, GAP_MAX_INTERVAL_FACTOR * this.#maxIntervalUs),
    );
  }

  readonly #onGapTimer = (nowUs: number): void => {
    if (this.#pulses === 0) return;
    const lastUs = this.#lastUs;
    this.#beforeGapEnd?.(nowUs);
    // A pulse that was on the wire before now arrived late from the simulation: the
    // frame goes on, and pulse() has re-armed the timer.
    if (this.#lastUs !== lastUs || this.#pulses === 0) return;
    this.#endByGap(nowUs);
  };

  /** Called before a frame is ended by its gap, to take any pulse already due (see playPulseTrain). */
  set beforeGapEnd(hook: ((nowUs: number) => void) | undefined) {
    this.#beforeGapEnd = hook;
  }

  #endByGap(atUs: number): void {
    if (this.#overflowed) {
      this.#gapTimer.cancel();
      this.#reset();
      return;
    }
    this.#emit(atUs, "gap");
  }

  #emit(endedAtUs: number, endReason: FrameEndReason): void {
    let bits = "";
    for (let i = 0; i < this.#bitCount; i++) bits += this.#bits[i] === 1 ? "1" : "0";
    const frame: WiegandFrame = {
      bits,
      firstPulseUs: this.#firstUs,
      lastPulseUs: this.#lastUs,
      endedAtUs,
      endReason,
    };
    this.#gapTimer.cancel();
    this.#reset();
    this.#onFrame(frame);
  }

  #reset(): void {
    this.#pulses = 0;
    this.#bitCount = 0;
    this.#overflowed = false;
  }
}

function validSettings(settings: WiegandReceiverSettings): WiegandReceiverSettings {
  const { maxBits, gapCapMs, gapMultiple } = settings;
  if (!Number.isInteger(maxBits) || maxBits < 0 || maxBits > MAX_FRAME_BITS) {
    throw new InvalidArgumentError("maxBits", maxBits, `an integer in 0..${MAX_FRAME_BITS}`);
  }
  checkNumber("gapCapMs", gapCapMs, 0, true);
  checkNumber("gapMultiple", gapMultiple, 1, false);
  return { maxBits, gapCapMs, gapMultiple };
}

function definedOnly(settings: Partial<WiegandReceiverSettings>): Partial<WiegandReceiverSettings> {
  const out: Partial<WiegandReceiverSettings> = {};
  if (settings.maxBits !== undefined) out.maxBits = settings.maxBits;
  if (settings.gapCapMs !== undefined) out.gapCapMs = settings.gapCapMs;
  if (settings.gapMultiple !== undefined) out.gapMultiple = settings.gapMultiple;
  return out;
}
