import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/bridge/errors.js";
import {
  MAX_FRAME_BITS,
  type WiegandFrame,
  WiegandReceiver,
  type WiegandReceiverSettings,
  type WiegandReject,
} from "../src/bridge/wiegand-receiver.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";

const CARD_26 = "10110010101100101011001011";
const CARD_37 = "1011001010110010101100101100110101101";

let time: FakeTime;
let frames: WiegandFrame[];
let rejects: WiegandReject[];
let rx: WiegandReceiver;

function receiver(settings: Partial<WiegandReceiverSettings> = {}): WiegandReceiver {
  rx = new WiegandReceiver(
    { clock: time.clock, ...settings },
    (frame) => frames.push(frame),
    (reject) => rejects.push(reject),
  );
  return rx;
}

/** Sends `bits` on the fake clock, one every `intervalUs`; the first after `leadUs`. */
function send(bits: string, intervalUs: number, widthUs = 50, leadUs = 0): void {
  for (let i = 0; i < bits.length; i++) {
    time.advanceUs(i === 0 ? leadUs : intervalUs);
    rx.pulse(bits[i] === "1" ? 1 : 0, time.clock.nowUs(), widthUs);
  }
}

beforeEach(() => {
  time = createFakeTime();
  frames = [];
  rejects = [];
});

afterEach(() => {
  rx.stop();
  expect(time.pendingTimers()).toBe(0);
});

describe("end of frame by gap (HID timing: 50 µs pulses, 2 ms intervals)", () => {
  it.each([0, 37])("ends a 26-bit card ~6 ms after the last pulse with maxBits %i", (maxBits) => {
    receiver({ maxBits });
    send(CARD_26, 2000);
    const lastUs = time.clock.nowUs();
    time.advanceUs(6000); // idle exactly the gap (3 × 2 ms): not yet more than it
    expect(frames).toEqual([]);
    time.advanceUs(1000);
    expect(frames).toEqual([
      {
        bits: CARD_26,
        firstPulseUs: lastUs - 50_000,
        lastPulseUs: lastUs,
        endedAtUs: lastUs + 7000,
        endReason: "gap",
      },
    ]);
    expect(rejects).toEqual([]);
  });

  it("uses 1.5 × the longest interval when that is longer than 3 × the mean", () => {
    receiver();
    send("1010101010", 1000);
    // One slow bit: 3 × mean (9 × 1 + 2.9) / 10 ms = 3.57 ms < 1.5 × 2.9 ms = 4.35 ms.
    send("1", 0, 50, 2900);
    time.advanceUs(4350);
    expect(frames).toEqual([]);
    time.advanceUs(1000);
    expect(frames.map((f) => f.bits)).toEqual(["10101010101"]);
  });

  it("caps the gap at gapCapMs", () => {
    receiver(); // 10 ms intervals: 3 × 10 ms = 30 ms, capped at 20 ms
    send("1100", 10_000);
    time.advanceUs(20_000);
    expect(frames).toEqual([]);
    time.advanceUs(1000);
    expect(frames.map((f) => [f.bits, f.endedAtUs - f.lastPulseUs])).toEqual([["1100", 21_000]]);
  });

  it("uses a configured gap cap shorter than the observed gap", () => {
    receiver({ gapCapMs: 5 });
    send(CARD_26, 2000);
    time.advanceUs(5000);
    expect(frames).toEqual([]);
    time.advanceUs(1000);
    expect(frames.map((f) => f.bits)).toEqual([CARD_26]);
  });

  it("ends a single pulse after gapCapMs", () => {
    receiver();
    send("1", 0);
    time.advanceUs(20_000);
    expect(frames).toEqual([]);
    time.advanceUs(1000);
    expect(frames.map((f) => f.bits)).toEqual(["1"]);
  });
});

describe("end of frame at maxBits", () => {
  it("ends a 26-bit card at once when maxBits is 26", () => {
    receiver({ maxBits: 26 });
    send(CARD_26, 2000);
    const lastUs = time.clock.nowUs();
    expect(frames).toEqual([
      {
        bits: CARD_26,
        firstPulseUs: lastUs - 50_000,
        lastPulseUs: lastUs,
        endedAtUs: lastUs,
        endReason: "max-bits",
      },
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("ends a 37-bit card at once with maxBits 37 and never cuts it at 26", () => {
    receiver({ maxBits: 37 });
    send(CARD_37.slice(0, 26), 2000);
    time.advanceUs(1999);
    expect(frames).toEqual([]);
    send(CARD_37.slice(26), 2000, 50, 1);
    const lastUs = time.clock.nowUs();
    expect(frames).toEqual([
      {
        bits: CARD_37,
        firstPulseUs: lastUs - 72_000,
        lastPulseUs: lastUs,
        endedAtUs: lastUs,
        endReason: "max-bits",
      },
    ]);
    time.advanceUs(50_000);
    expect(frames).toHaveLength(1);
  });

  it("decodes a 37-bit card as one frame by the gap when maxBits is unknown", () => {
    receiver({ maxBits: 0 });
    send(CARD_37, 2000);
    time.advanceUs(50_000);
    expect(frames.map((f) => [f.bits, f.endReason])).toEqual([[CARD_37, "gap"]]);
  });

  it("applies configure() from the next frame", () => {
    receiver({ maxBits: 0 });
    send(CARD_26.slice(0, 10), 2000);
    rx.configure({ maxBits: 26 });
    send(CARD_26.slice(10), 2000, 50, 2000);
    expect(frames).toEqual([]); // the frame in progress keeps maxBits 0
    send(CARD_26, 2000, 50, 50_000);
    expect(frames.map((f) => f.endReason)).toEqual(["gap", "max-bits"]);
    expect(rx.settings).toEqual({ maxBits: 26, gapCapMs: 20, gapMultiple: 3 });
  });

  it("rejects bad settings with a typed error and keeps the old ones", () => {
    receiver({ maxBits: 26 });
    for (const bad of [
      { maxBits: 129 },
      { maxBits: -1 },
      { maxBits: 2.5 },
      { gapCapMs: 0 },
      { gapMultiple: 0.5 },
    ]) {
      expect(() => rx.configure(bad)).toThrow(InvalidArgumentError);
    }
    expect(rx.settings.maxBits).toBe(26);
    expect(() => receiver({ gapCapMs: Number.NaN })).toThrow(
      expect.objectContaining({ code: "BRIDGE_INVALID_ARGUMENT", argument: "gapCapMs" }),
    );
  });
});

describe("SIA timing extremes", () => {
  it.each([
    [200, 20],
    [200, 100],
    [20_000, 20],
    [20_000, 100],
  ])("decodes a 26-bit card at %i µs intervals with %i µs pulses", (intervalUs, widthUs) => {
    receiver();
    send(CARD_26, intervalUs, widthUs);
    time.advanceUs(21_000);
    expect(frames.map((f) => [f.bits, f.endReason])).toEqual([[CARD_26, "gap"]]);
    expect(rejects).toEqual([]);
  });

  it("keeps a bit exactly one gap cap after the previous in the frame", () => {
    receiver({ gapCapMs: 4 });
    send("10", 4000);
    time.advanceUs(4000);
    rx.pulse(1, time.clock.nowUs(), 50);
    time.advanceUs(5000);
    expect(frames.map((f) => f.bits)).toEqual(["101"]);
  });
});

describe("bad pulses", () => {
  it.each([19, 101, 0, -5, Number.NaN])(
    "rejects a %s µs pulse as noise and does not count it",
    (widthUs) => {
      receiver({ maxBits: 26 });
      send(CARD_26.slice(0, 13), 2000);
      time.advanceUs(1000);
      rx.pulse(1, time.clock.nowUs(), widthUs);
      send(CARD_26.slice(13), 2000, 50, 1000);
      expect(rejects).toEqual([
        { reason: "pulse-width", line: 1, atUs: expect.any(Number), widthUs },
      ]);
      expect(frames.map((f) => f.bits)).toEqual([CARD_26]);
    },
  );

  it("rejects a pulse less than 200 µs after the previous one as a glitch", () => {
    receiver({ maxBits: 26 });
    send(CARD_26.slice(0, 13), 2000);
    const previousUs = time.clock.nowUs();
    time.advanceUs(199);
    rx.pulse(0, time.clock.nowUs(), 50);
    send(CARD_26.slice(13), 2000, 50, 1801);
    expect(rejects).toEqual([
      { reason: "glitch", line: 0, atUs: previousUs + 199, sincePreviousUs: 199 },
    ]);
    expect(frames.map((f) => f.bits)).toEqual([CARD_26]);
  });

  it("does not end the frame early because of a rejected pulse", () => {
    receiver();
    send("1111", 2000);
    time.advanceUs(100);
    rx.pulse(0, time.clock.nowUs(), 500);
    time.advanceUs(5900); // idle for exactly the gap since the last accepted pulse
    expect(frames).toEqual([]);
    time.advanceUs(1000);
    expect(frames.map((f) => f.bits)).toEqual(["1111"]);
    expect(frames[0]!.endedAtUs - frames[0]!.lastPulseUs).toBeGreaterThan(6000);
  });

  it("rejects more than 128 bits without a gap and discards them until the gap", () => {
    receiver();
    send("10".repeat(70), 300);
    expect(rejects).toEqual([
      {
        reason: "overflow",
        atUs: expect.any(Number),
        firstPulseUs: expect.any(Number),
        bitCount: MAX_FRAME_BITS + 1,
      },
    ]);
    time.advanceUs(50_000);
    expect(frames).toEqual([]);
    send(CARD_26, 2000, 50, 1000);
    time.advanceUs(50_000);
    expect(frames.map((f) => f.bits)).toEqual([CARD_26]);
  });

  it("accepts exactly 128 bits", () => {
    receiver();
    const bits = "1101".repeat(32);
    send(bits, 250);
    time.advanceUs(5000);
    expect(frames.map((f) => f.bits)).toEqual([bits]);
    expect(rejects).toEqual([]);
  });
});

describe("several cards", () => {
  it("gives two frames for two cards separated by a gap", () => {
    receiver();
    send(CARD_26, 2000);
    send(CARD_37, 2000, 50, 30_000);
    time.advanceUs(30_000);
    expect(frames.map((f) => f.bits)).toEqual([CARD_26, CARD_37]);
  });

  it("ends the previous frame when a pulse arrives after the gap but before the timer", () => {
    receiver();
    send(CARD_26, 2000);
    const lastUs = time.clock.nowUs();
    // The caller's timestamps run ahead of the (late) timers.
    rx.pulse(1, lastUs + 6500, 50);
    expect(frames.map((f) => [f.bits, f.endedAtUs])).toEqual([[CARD_26, lastUs + 6500]]);
    time.advanceUs(30_000);
    expect(frames.map((f) => f.bits)).toEqual([CARD_26, "1"]);
  });

  it("discards the frame in progress on stop() and stays usable", () => {
    receiver();
    send("1010", 2000);
    rx.stop();
    expect(time.pendingTimers()).toBe(0);
    send("11", 2000, 50, 30_000);
    time.advanceUs(30_000);
    expect(frames.map((f) => f.bits)).toEqual(["11"]);
  });
});

describe("random input", () => {
  it("returns exactly the bits sent at any in-spec timing", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("0", "1"), minLength: 1, maxLength: MAX_FRAME_BITS }),
        fc.integer({ min: 200, max: 20_000 }),
        fc.integer({ min: 20, max: 100 }),
        fc.constantFrom(0, 26, 37),
        (bits, intervalUs, widthUs, maxBits) => {
          time = createFakeTime();
          frames = [];
          rejects = [];
          receiver({ maxBits: bits.length === maxBits ? maxBits : 0 });
          send(bits, intervalUs, widthUs);
          time.advanceUs(25_000);
          expect(frames.map((f) => f.bits)).toEqual([bits]);
          expect(rejects).toEqual([]);
          expect(time.pendingTimers()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary pulses and only emits well-formed frames", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            line: fc.constantFrom<0 | 1>(0, 1),
            afterUs: fc.integer({ min: 0, max: 30_000 }),
            widthUs: fc.integer({ min: -10, max: 200 }),
          }),
          { maxLength: 400 },
        ),
        (pulses) => {
          time = createFakeTime();
          frames = [];
          rejects = [];
          receiver({ maxBits: 0 });
          for (const { line, afterUs, widthUs } of pulses) {
            time.advanceUs(afterUs);
            rx.pulse(line, time.clock.nowUs(), widthUs);
          }
          time.advanceUs(25_000);
          for (const frame of frames) {
            expect(frame.bits).toMatch(/^[01]{1,128}$/);
            expect(frame.firstPulseUs).toBeLessThanOrEqual(frame.lastPulseUs);
            expect(frame.endedAtUs).toBeGreaterThan(frame.lastPulseUs);
          }
          expect(time.pendingTimers()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
