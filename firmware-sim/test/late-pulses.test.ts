import { describe, expect, it } from "vitest";
import { playPulseTrain, pulseTrain } from "../src/bridge/pulse-train.js";
import { type WiegandFrame, WiegandReceiver } from "../src/bridge/wiegand-receiver.js";
import { createFakeTime } from "./fake-clock.js";

describe("pulses the simulation delivers late", () => {
  it("are stamped with their time on the wire, not with their delivery", async () => {
    const time = createFakeTime();
    const seen: number[] = [];
    const start = time.clock.nowUs();
    const playing = playPulseTrain(
      pulseTrain("101", { pulseUs: 50, intervalUs: 2000 }),
      time.clock,
      (_l, atUs) => seen.push(atUs - start),
    );
    await time.advanceUsAsync(10_000);
    await playing;
    expect(seen).toEqual([0, 2000, 4000]);
  });

  it("do not end a frame by its gap when the wire already carried the next pulse", () => {
    const time = createFakeTime();
    const frames: WiegandFrame[] = [];
    const receiver = new WiegandReceiver(
      { clock: time.clock, maxBits: 0 },
      (f) => frames.push(f),
      () => {},
    );
    const t0 = time.clock.nowUs();
    // Three pulses 2 ms apart arrive on time; the fourth (due at +6 ms) is stuck in the
    // simulation when the 6 ms gap timer fires. The hook hands it over first.
    for (let i = 0; i < 3; i++) receiver.pulse(1, t0 + i * 2000, 50);
    let delivered = false;
    receiver.beforeGapEnd = (nowUs) => {
      if (!delivered && nowUs >= t0 + 6000) {
        delivered = true;
        receiver.pulse(0, t0 + 6000, 50);
      }
    };
    time.advanceUs(30_000);
    expect(frames.map((f) => f.bits)).toEqual(["1110"]);
    receiver.stop();
  });
});
