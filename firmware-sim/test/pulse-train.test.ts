import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/bridge/errors.js";
import { HID_TIMING, type Pulse, playPulseTrain, pulseTrain } from "../src/bridge/pulse-train.js";
import { type WiegandFrame, WiegandReceiver } from "../src/bridge/wiegand-receiver.js";
import { systemClock } from "../src/clock.js";
import { createFakeTime } from "./fake-clock.js";

describe("pulseTrain", () => {
  it("puts bit i at i × interval on D0 for 0 and D1 for 1", () => {
    expect(pulseTrain("1001", HID_TIMING)).toEqual([
      { line: 1, offsetUs: 0, widthUs: 50 },
      { line: 0, offsetUs: 2000, widthUs: 50 },
      { line: 0, offsetUs: 4000, widthUs: 50 },
      { line: 1, offsetUs: 6000, widthUs: 50 },
    ]);
    expect(pulseTrain("", HID_TIMING)).toEqual([]);
  });

  it("adds up to ± jitter to every bit but the first", () => {
    const timing = { pulseUs: 40, intervalUs: 1000, jitterUs: 100 };
    expect(pulseTrain("111", timing, () => 1).map((p) => p.offsetUs)).toEqual([0, 1100, 2100]);
    expect(pulseTrain("111", timing, () => 0).map((p) => p.offsetUs)).toEqual([0, 900, 1900]);
    expect(pulseTrain("111", timing, () => 0.5).map((p) => p.offsetUs)).toEqual([0, 1000, 2000]);
  });

  it("allows timing outside the SIA limits", () => {
    expect(pulseTrain("01", { pulseUs: 5, intervalUs: 100 })).toEqual([
      { line: 0, offsetUs: 0, widthUs: 5 },
      { line: 1, offsetUs: 100, widthUs: 5 },
    ]);
  });

  it.each([
    ["bits", "0120", HID_TIMING],
    ["timing.pulseUs", "1", { pulseUs: 0, intervalUs: 2000 }],
    ["timing.pulseUs", "1", { pulseUs: -50, intervalUs: 2000 }],
    ["timing.pulseUs", "1", { pulseUs: Number.NaN, intervalUs: 2000 }],
    ["timing.intervalUs", "1", { pulseUs: 50, intervalUs: 0 }],
    ["timing.intervalUs", "1", { pulseUs: 50, intervalUs: Number.POSITIVE_INFINITY }],
    ["timing.jitterUs", "1", { pulseUs: 50, intervalUs: 2000, jitterUs: -1 }],
    ["timing.jitterUs", "1", { pulseUs: 50, intervalUs: 2000, jitterUs: 1000 }],
  ])("rejects a bad %s up front", (argument, bits, timing) => {
    expect(() => pulseTrain(bits, timing)).toThrow(InvalidArgumentError);
    expect(() => pulseTrain(bits, timing)).toThrow(
      expect.objectContaining({ code: "BRIDGE_INVALID_ARGUMENT", argument }),
    );
  });
});

type Delivery = [line: 0 | 1, atUs: number, widthUs: number];

describe("playPulseTrain on a fake clock", () => {
  it("delivers each pulse at start + offset, in order, with the time it happened", async () => {
    const time = createFakeTime();
    const startUs = time.clock.nowUs();
    const delivered: Delivery[] = [];
    const playing = playPulseTrain(
      pulseTrain("1101", HID_TIMING),
      time.clock,
      (...pulse) => delivered.push(pulse),
      { spin: false },
    );
    expect(delivered).toEqual([[1, startUs, 50]]); // offset 0: at once
    await time.advanceUsAsync(5999);
    expect(delivered).toHaveLength(3);
    await time.advanceUsAsync(1);
    await expect(playing).resolves.toEqual({ firstPulseUs: startUs, lastPulseUs: startUs + 6000 });
    expect(delivered).toEqual([
      [1, startUs, 50],
      [1, startUs + 2000, 50],
      [0, startUs + 4000, 50],
      [1, startUs + 6000, 50],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("never delivers early, even at sub-millisecond offsets", async () => {
    const time = createFakeTime();
    const train = pulseTrain("1010011101", { pulseUs: 50, intervalUs: 300, jitterUs: 90 });
    const startUs = time.clock.nowUs();
    const delivered: number[] = [];
    const playing = playPulseTrain(train, time.clock, (_l, atUs) => delivered.push(atUs), {
      spin: false,
    });
    await time.fake.runAllAsync();
    await playing;
    expect(delivered).toHaveLength(train.length);
    delivered.forEach((atUs, i) => {
      expect(atUs).toBeGreaterThanOrEqual(startUs + train[i]!.offsetUs);
      if (i > 0) expect(atUs).toBeGreaterThanOrEqual(delivered[i - 1]!);
    });
  });

  it("feeds a receiver that decodes exactly the bits sent", async () => {
    const time = createFakeTime();
    const frames: WiegandFrame[] = [];
    const rx = new WiegandReceiver(
      { clock: time.clock },
      (f) => frames.push(f),
      () => {},
    );
    const bits = "0110100101101001011010010110100101101";
    const playing = playPulseTrain(
      pulseTrain(bits, HID_TIMING),
      time.clock,
      (line, atUs, w) => rx.pulse(line, atUs, w),
      {
        spin: false,
      },
    );
    await time.advanceUsAsync(100_000);
    const played = await playing;
    expect(frames).toEqual([
      {
        bits,
        firstPulseUs: played.firstPulseUs,
        lastPulseUs: played.lastPulseUs,
        endedAtUs: played.lastPulseUs + 7000,
        endReason: "gap",
      },
    ]);
  });

  it("stops on abort without leaving a timer", async () => {
    const time = createFakeTime();
    const controller = new AbortController();
    const delivered: Delivery[] = [];
    const playing = playPulseTrain(
      pulseTrain("1111", HID_TIMING),
      time.clock,
      (...p) => delivered.push(p),
      {
        spin: false,
        signal: controller.signal,
      },
    );
    await time.advanceUsAsync(2000);
    controller.abort(new Error("unplugged"));
    await expect(playing).rejects.toThrow("unplugged");
    expect(delivered).toHaveLength(2);
    expect(time.pendingTimers()).toBe(0);
  });

  it("rejects an empty train", async () => {
    const time = createFakeTime();
    await expect(playPulseTrain([], time.clock, () => {}, { spin: false })).rejects.toThrow(
      InvalidArgumentError,
    );
  });
});

describe("playPulseTrain on the real clock", () => {
  it("spins to hit 200 µs intervals, in order and never early", async () => {
    const train: Pulse[] = pulseTrain("1011001110", { pulseUs: 50, intervalUs: 200 });
    const due: number[] = [];
    const delivered: number[] = [];
    const startUs = systemClock.nowUs();
    const played = await playPulseTrain(train, systemClock, (_l, atUs) => {
      delivered.push(atUs);
    });
    for (const pulse of train) due.push(startUs + pulse.offsetUs);
    expect(delivered).toHaveLength(train.length);
    delivered.forEach((atUs, i) => {
      expect(atUs).toBeGreaterThanOrEqual(due[i]!);
      if (i > 0) expect(atUs).toBeGreaterThanOrEqual(delivered[i - 1]!);
    });
    expect(played).toEqual({ firstPulseUs: delivered[0], lastPulseUs: delivered.at(-1) });
  });

  it("sleeps between pulses far apart", async () => {
    const train = pulseTrain("10", { pulseUs: 50, intervalUs: 5000 });
    const startUs = systemClock.nowUs();
    const played = await playPulseTrain(train, systemClock, () => {});
    expect(played.lastPulseUs).toBeGreaterThanOrEqual(startUs + 5000);
  });
});
