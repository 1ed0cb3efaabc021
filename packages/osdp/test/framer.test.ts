import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OsdpError } from "../src/errors.js";
import { Framer, type ReceivedFrame } from "../src/framer.js";
import { encodePacket } from "../src/packet.js";

function collect(options: { maxPacket?: number } = {}) {
  const frames: ReceivedFrame[] = [];
  const errors: OsdpError[] = [];
  const framer = new Framer(
    { frame: (f) => frames.push(f), error: (e) => errors.push(e) },
    options,
  );
  return { framer, frames, errors };
}

const poll = (sequence: number, mark = true) =>
  encodePacket({ address: 1, reply: false, sequence, crc: true }, 0x60, new Uint8Array(0), {
    mark,
  });

describe("Framer", () => {
  it("finds packets split anywhere and notes the mark byte", () => {
    const { framer, frames } = collect();
    const stream = new Uint8Array([...poll(1), ...poll(2, false)]);
    for (const byte of stream) framer.push(Uint8Array.of(byte));
    expect(frames.map((f) => f.marked)).toEqual([true, false]);
    expect(frames[0]?.bytes[0]).toBe(0x53);
  });

  it("skips garbage, a bad CRC, a bad length and recovers the packet behind them", () => {
    const { framer, frames, errors } = collect();
    const bad = poll(1).slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    framer.push(Uint8Array.of(0x00, 0x12, 0x53, 0x01, 0xff, 0xff, 0x04));
    framer.push(bad);
    framer.push(poll(3));
    expect(frames).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(["GARBAGE", "BAD_LENGTH", "BAD_CHECK"]),
    );
    expect(framer.stats.frames).toBe(1);
  });

  it("drops a truncated packet on expire and keeps what follows", () => {
    const { framer, frames, errors } = collect();
    framer.push(poll(1).subarray(0, 5));
    framer.expire();
    expect(errors.map((e) => e.code)).toContain("TRUNCATED");
    framer.push(poll(2));
    expect(frames).toHaveLength(1);
  });

  it("refuses oversized packets", () => {
    const { framer, frames, errors } = collect({ maxPacket: 64 });
    const big = encodePacket(
      { address: 1, reply: false, sequence: 1, crc: true },
      0x80,
      new Uint8Array(100),
    );
    framer.push(big);
    framer.push(poll(1));
    expect(frames).toHaveLength(1);
    expect(errors.map((e) => e.code)).toContain("BAD_LENGTH");
  });

  it("survives a million random bytes with nothing but typed errors", () => {
    const { framer, errors } = collect();
    let seed = 0x2545f491;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    let total = 0;
    while (total < 1_000_000) {
      const chunk = new Uint8Array(1 + (next() % 300));
      for (let i = 0; i < chunk.length; i++) {
        // Many SOM and mark bytes, so false starts are common.
        const r = next() % 16;
        chunk[i] = r === 0 ? 0x53 : r === 1 ? 0xff : next() & 0xff;
      }
      framer.push(chunk);
      if (next() % 50 === 0) framer.expire();
      total += chunk.length;
    }
    framer.expire();
    expect(errors.every((e) => e instanceof OsdpError)).toBe(true);
    expect(framer.pending).toBe(0);
    // A real packet after all that noise is still found.
    const found: ReceivedFrame[] = [];
    const clean = new Framer({ frame: (f) => found.push(f), error: () => {} });
    clean.push(poll(1));
    expect(found).toHaveLength(1);
  });

  it("finds every packet hidden among random bytes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (noise) => {
        const { framer, frames } = collect();
        for (const junk of noise) {
          framer.push(junk);
          framer.expire();
          framer.push(poll(1));
        }
        expect(frames.length).toBeGreaterThanOrEqual(noise.length);
      }),
    );
  });
});
