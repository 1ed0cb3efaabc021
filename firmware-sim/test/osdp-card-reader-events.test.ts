import { beforeEach, describe, expect, it } from "vitest";
import { CardReaderPd, packBits } from "../src/osdp/card-reader.js";
import { EventQueue } from "../src/osdp/event-queue.js";
import type { Reply } from "../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";
import { drain, led } from "./support/osdp-pd.js";

let time: FakeTime;
let outputs: PdOutputEvent[];
let pd: CardReaderPd;

beforeEach(() => {
  time = createFakeTime();
  outputs = [];
  pd = new CardReaderPd({ clock: time.clock, onOutput: (e) => outputs.push(e) });
});

describe("CardReaderPd: events", () => {
  it("hands out many events oldest first without losing one", () => {
    const expected: Reply[] = [];
    for (let i = 0; i < pd.eventQueueCapacity; i++) {
      const bits = (i + 1).toString(2);
      expect(pd.presentCard(bits)).toBe(true);
      expected.push({
        kind: "raw",
        reader: 0,
        format: 1,
        bitCount: bits.length,
        data: packBits(bits),
      });
    }
    expect(pd.pendingEvents).toBe(64);
    expect(drain(pd)).toEqual(expected);
    expect(pd.eventOverflows).toBe(0);
  });

  it("refuses and counts events beyond its capacity, keeping the queued ones", () => {
    for (let i = 0; i < 64; i++) pd.pressKeys(String(i % 10));
    expect(pd.presentCard("1")).toBe(false);
    expect(pd.pressKeys("1")).toBe(false);
    expect(pd.setTamper(true)).toBe(true); // the tamper state changes even if its event is lost
    expect(pd.eventOverflows).toBe(3);
    const events = drain(pd);
    expect(events).toHaveLength(64);
    expect(events.map((e) => e.kind === "keypad" && e.digits).join("")).toBe(
      Array.from({ length: 64 }, (_, i) => String(i % 10)).join(""),
    );
    expect(pd.presentCard("1")).toBe(true);
  });

  it("keeps order across a long interleaving of queueing and polling", () => {
    let next = 0;
    let expected = 0;
    let peak = 0;
    for (let round = 0; round < 2000; round++) {
      for (let k = 0; k < 1 + (round % 5); k++) expect(pd.pressKeys(String(next++))).toBe(true);
      peak = Math.max(peak, pd.pendingEvents);
      for (let k = 0; k < 1 + ((round * 7) % 5); k++) {
        const e = pd.nextEvent();
        if (!e) break;
        expect(e).toEqual({ kind: "keypad", reader: 0, digits: String(expected++) });
      }
    }
    for (let e = pd.nextEvent(); e; e = pd.nextEvent()) {
      expect(e).toEqual({ kind: "keypad", reader: 0, digits: String(expected++) });
    }
    expect(expected).toBe(next);
    expect(peak).toBeGreaterThan(5);
    expect(pd.eventOverflows).toBe(0);
  });

  it("EventQueue wraps around its ring and peeks without removing", () => {
    const q = new EventQueue(3);
    const ack = (n: number): Reply => ({ kind: "keypad", reader: 0, digits: String(n) });
    for (let i = 0; i < 10; i++) {
      expect(q.push(ack(i))).toBe(true);
      expect(q.peek()).toEqual(ack(i));
      expect(q.shift()).toEqual(ack(i));
    }
    q.push(ack(1));
    q.push(ack(2));
    q.push(ack(3));
    expect(q.push(ack(4))).toBe(false);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([
      ack(1),
      ack(2),
      ack(3),
      undefined,
    ]);
    expect(q.overflows).toBe(1);
    expect(() => new EventQueue(0)).toThrow(RangeError);
  });
});

describe("CardReaderPd: stop", () => {
  it("clears every timer and reports nothing more", () => {
    pd.handle({
      kind: "led",
      leds: [led({ permanent: { controlCode: 1, onTime100ms: 1, offTime100ms: 1, onColor: 1 } })],
    });
    pd.handle({ kind: "buz", reader: 0, toneCode: 2, onTime100ms: 1, offTime100ms: 1, count: 0 });
    pd.handle({
      kind: "text",
      reader: 0,
      command: 3,
      tempTextSeconds: 5,
      row: 1,
      column: 1,
      text: "HI",
    });
    expect(time.pendingTimers()).toBe(3);
    pd.stop();
    expect(time.pendingTimers()).toBe(0);
    const before = outputs.length;
    time.advanceUs(10_000_000);
    expect(outputs).toHaveLength(before);
  });
});
