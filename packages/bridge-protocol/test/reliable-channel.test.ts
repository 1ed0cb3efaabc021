import FakeTimers from "@sinonjs/fake-timers";
import { describe, expect, it } from "vitest";
import {
  Framer,
  type LinkTimers,
  type RawFrame,
  ReliableChannel,
  type SequencedMessage,
} from "../src/index.js";

function timersOf(clock: ReturnType<typeof FakeTimers.createClock>): LinkTimers {
  return {
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (h) => clock.clearTimeout(h as never),
    now: () => clock.now,
  };
}

/** Two channels joined by a line that may lose, duplicate and delay frames. */
function pair(
  line: { lose?: (n: number) => boolean; duplicate?: (n: number) => boolean } = {},
  nakked: (message: SequencedMessage, reason: string) => void = () => {},
) {
  const clock = FakeTimers.createClock(0, 1_000_000);
  const timers = timersOf(clock);
  const received: SequencedMessage[] = [];
  let sent = 0;
  const wire = (to: () => Framer) => (bytes: Uint8Array) => {
    const n = sent++;
    if (line.lose?.(n)) return;
    const copies = line.duplicate?.(n) ? 2 : 1;
    for (let i = 0; i < copies; i++) clock.setTimeout(() => to().push(bytes), 1);
  };
  const framerFor = (channel: () => ReliableChannel) =>
    new Framer({
      frame: (frame: RawFrame) => dispatch(channel(), frame),
      error: () => {},
    });
  const a: ReliableChannel = new ReliableChannel({
    timers,
    write: wire(() => framerB),
    deliver: () => undefined,
    nakked,
  });
  const b: ReliableChannel = new ReliableChannel({
    timers,
    write: wire(() => framerA),
    deliver: (m) => {
      received.push(m);
      return m.kind === "relay" && m.relay > 3 ? "out-of-range" : undefined;
    },
  });
  const framerA = framerFor(() => a);
  const framerB = framerFor(() => b);
  return { clock, a, b, received };
}

function dispatch(channel: ReliableChannel, frame: RawFrame): void {
  channel.take(frame);
}

const input = (i: number): SequencedMessage => ({
  kind: "input",
  input: i % 16,
  active: i % 2 === 0,
  boardTimeMs: i,
});

describe("ReliableChannel", () => {
  it("delivers in order, once, over a clean line", () => {
    const { clock, a, b, received } = pair();
    a.reset();
    b.reset();
    for (let i = 0; i < 600; i++) a.send(input(i));
    clock.runAll();
    expect(received.map((m) => (m.kind === "input" ? m.boardTimeMs : -1))).toEqual(
      Array.from({ length: 600 }, (_, i) => i),
    );
    expect(a.depth).toBe(0);
  });

  it("delivers every message exactly once in order over a line that loses and duplicates", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const { clock, a, b, received } = pair({
      lose: () => rand() < 0.2,
      duplicate: () => rand() < 0.1,
    });
    a.reset();
    b.reset();
    for (let i = 0; i < 1000; i++) a.send(input(i));
    for (let i = 0; i < 100_000 && a.depth > 0; i++) clock.tick(10);
    expect(received.map((m) => (m.kind === "input" ? m.boardTimeMs : -1))).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
    expect(a.stats.retransmitted).toBeGreaterThan(0);
  });

  it("holds messages while paused and renumbers them into a new session", () => {
    const { clock, a, b, received } = pair();
    for (let i = 0; i < 5; i++) a.send(input(i));
    clock.runAll();
    expect(received).toEqual([]);
    expect(a.depth).toBe(5);
    a.reset();
    b.reset();
    clock.runAll();
    expect(received).toHaveLength(5);
  });

  it("drops queued messages whose time to live ran out before a session", () => {
    const clock = FakeTimers.createClock();
    const expired: SequencedMessage[] = [];
    const c = new ReliableChannel({
      timers: timersOf(clock),
      write: () => {},
      deliver: () => undefined,
      expired: (m) => expired.push(m),
    });
    c.send({ kind: "relay", relay: 0, action: "pulse", durationMs: 3000 }, 1000);
    c.send({ kind: "relay", relay: 1, action: "pulse", durationMs: 3000 }, 5000);
    clock.tick(2000);
    c.reset();
    expect(expired.map((m) => (m.kind === "relay" ? m.relay : -1))).toEqual([0]);
    expect(c.depth).toBe(1);
  });

  it("reports a refusal from the peer and moves on", () => {
    const nakked: string[] = [];
    const { clock, a, b, received } = pair({}, (_m, reason) => nakked.push(reason));
    a.reset();
    b.reset();
    a.send({ kind: "relay", relay: 9, action: "on", durationMs: 0 });
    a.send({ kind: "relay", relay: 1, action: "on", durationMs: 0 });
    clock.runAll();
    expect(nakked).toEqual(["out-of-range"]);
    expect(received).toHaveLength(2);
    expect(a.depth).toBe(0);
  });

  it("refuses to grow beyond its bound", () => {
    const clock = FakeTimers.createClock();
    const c = new ReliableChannel({
      timers: timersOf(clock),
      write: () => {},
      deliver: () => undefined,
      maxQueue: 3,
    });
    for (let i = 0; i < 3; i++) c.send(input(i));
    expect(() => c.send(input(3))).toThrow(expect.objectContaining({ code: "QUEUE_FULL" }));
  });
});
