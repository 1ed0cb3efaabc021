import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BridgeProtocolError,
  encodeMessage,
  Framer,
  type RawFrame,
  SOM,
} from "../src/index.js";

function collect() {
  const frames: RawFrame[] = [];
  const errors: BridgeProtocolError[] = [];
  const framer = new Framer({ frame: (f) => frames.push(f), error: (e) => errors.push(e) });
  return { framer, frames, errors };
}

const ack = (seq: number) => encodeMessage({ kind: "ack", ackSeq: seq });
const relay = (seq: number) =>
  encodeMessage({ kind: "relay", relay: 1, action: "pulse", durationMs: 3000 }, seq);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe("Framer", () => {
  it("reassembles a frame split across chunks, byte by byte", () => {
    const { framer, frames, errors } = collect();
    for (const b of relay(7)) framer.push(Uint8Array.of(b));
    expect(frames.map((f) => f.seq)).toEqual([7]);
    expect(errors).toEqual([]);
  });

  it("splits two frames that arrive in one chunk", () => {
    const { framer, frames } = collect();
    framer.push(concat(ack(1), relay(2)));
    expect(frames.map((f) => [f.type, f.seq])).toEqual([
      [0x03, 0],
      [0x90, 2],
    ]);
  });

  it("skips and counts leading garbage, then finds the frame", () => {
    const { framer, frames, errors } = collect();
    framer.push(concat(Uint8Array.of(0x00, 0xff, 0x13, 0x37), relay(3)));
    expect(frames).toHaveLength(1);
    expect(framer.stats.garbageBytes).toBe(4);
    expect(errors.map((e) => e.code)).toEqual(["GARBAGE"]);
  });

  it("drops a frame with a bad CRC and still finds the next one", () => {
    const { framer, frames, errors } = collect();
    const bad = relay(4);
    bad[6] = (bad[6] as number) ^ 0x01;
    framer.push(concat(bad, relay(5)));
    expect(frames.map((f) => f.seq)).toEqual([5]);
    expect(framer.stats.badCrc).toBe(1);
    expect(errors[0]?.code).toBe("BAD_CRC");
  });

  it("treats an impossible length as a false start", () => {
    const { framer, frames, errors } = collect();
    framer.push(concat(Uint8Array.of(SOM, 0xf5), relay(6)));
    expect(frames.map((f) => f.seq)).toEqual([6]);
    expect(errors.map((e) => e.code)).toContain("BAD_LENGTH");
  });

  it("finds a real frame hidden behind a false start whose length swallows it", () => {
    const { framer, frames } = collect();
    // SOM with length 10 claims the first bytes of the real frame: CRC fails, rescan finds it.
    framer.push(concat(Uint8Array.of(SOM, 10), relay(8), ack(8)));
    expect(frames.map((f) => f.seq)).toEqual([8, 0]);
  });

  it("expires a truncated frame and resynchronises", () => {
    const { framer, frames, errors } = collect();
    framer.push(relay(9).slice(0, 5));
    expect(framer.pending).toBe(5);
    framer.expire();
    expect(framer.pending).toBe(0);
    expect(errors.map((e) => e.code)).toContain("TRUNCATED");
    framer.push(relay(10));
    expect(frames.map((f) => f.seq)).toEqual([10]);
    expect(framer.stats.truncated).toBe(1);
  });

  it("survives 1,000,000 random bytes without throwing", () => {
    const { framer } = collect();
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 1000; i++) {
      const chunk = new Uint8Array(1000);
      for (let j = 0; j < chunk.length; j++) chunk[j] = rand() & 0xff;
      framer.push(chunk);
      if (i % 50 === 0) framer.expire();
    }
    framer.expire();
    expect(framer.pending).toBe(0);
  });

  it("delivers every frame of a valid stream interleaved with garbage, whatever the chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 21, maxLength: 21 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 10 }),
        (seqs, noise, cuts) => {
          const { framer, frames } = collect();
          // Garbage may not contain SOM, or it could legitimately start a frame that hides the next one.
          const clean = noise.map((n) => n.map((b) => (b === SOM ? 0 : b)));
          const stream = concat(...seqs.flatMap((s, i) => [clean[i] as Uint8Array, relay(s)]));
          let at = 0;
          let c = 0;
          while (at < stream.length) {
            const size = cuts[c++ % cuts.length] as number;
            framer.push(stream.slice(at, at + size));
            at += size;
          }
          expect(frames.map((f) => f.seq)).toEqual(seqs);
        },
      ),
    );
  });
});
