import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../src/errors.js";
import { WireReader, WireWriter } from "../src/wire.js";

const MAX = Number.MAX_SAFE_INTEGER;

function written(write: (w: WireWriter) => void): Uint8Array {
  const w = new WireWriter(1);
  write(w);
  return w.finish();
}

describe("wire primitives", () => {
  it("uint64 varints of 0 ..= 2^53 - 1 match protobufjs and read back", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: MAX })),
        (v) => {
          const ours = written((w) => w.uint53(v, "v"));
          const theirs = protobuf.Writer.create().uint64(v).finish();
          expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
          const r = new WireReader(ours);
          expect(r.uint53()).toBe(v);
          expect(r.pos).toBe(ours.length);
        },
      ),
    );
  });

  it("int64 varints within +-2^53 match protobufjs and read back", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (v) => {
        const ours = written((w) => w.int53(v, "v"));
        const theirs = protobuf.Writer.create().int64(v).finish();
        expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
        expect(new WireReader(ours).int53()).toBe(v);
      }),
    );
  });

  it("strings of any code points match protobufjs and read back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
        const ours = written((w) => w.string(s));
        const theirs = protobuf.Writer.create().string(s).finish();
        expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
        expect(new WireReader(ours).string()).toBe(s);
        expect(new WireReader(ours).token()).toBe(s);
      }),
    );
  });

  it("long embedded messages move their content for a longer length prefix", () => {
    for (const n of [0, 1, 127, 128, 16_383, 16_384, 300_000]) {
      const bytes = written((w) => {
        w.byte(0x0a);
        const start = w.fork();
        for (let i = 0; i < n; i++) w.byte(i & 0x7f);
        w.ldelim(start);
        w.byte(0x10);
      });
      const r = new WireReader(bytes);
      expect(r.tag()).toBe(0x0a);
      const end = r.message();
      expect(end - r.pos).toBe(n);
      if (n > 0) expect(bytes[r.pos + n - 1]).toBe((n - 1) & 0x7f);
      r.pos = end;
      expect(r.tag()).toBe(0x10);
    }
  });

  it("refuses numbers beyond 2^53 and malformed varints", () => {
    const malformed = (run: () => unknown) => {
      expect(run).toThrow(ProtocolError);
    };
    malformed(() =>
      new WireReader(
        new Uint8Array(
          protobuf.Writer.create()
            .uint64(2 ** 53)
            .finish(),
        ),
      ).uint53(),
    );
    malformed(() => new WireReader(new Uint8Array([0x80, 0x80])).uint53());
    malformed(() => new WireReader(new Uint8Array(11).fill(0xff)).uint53());
    malformed(() => new WireReader(new Uint8Array(11).fill(0xff)).int53());
    malformed(() =>
      new WireReader(
        new Uint8Array(
          protobuf.Writer.create()
            .int64(-(2 ** 53))
            .finish(),
        ),
      ).int53(),
    );
    malformed(() => new WireReader(new Uint8Array([0x05, 0x61])).string());
    malformed(() => new WireReader(new Uint8Array([0x00])).tag());
    malformed(() => written((w) => w.uint53(-1, "v")));
    malformed(() => written((w) => w.uint53(2 ** 53, "v")));
    malformed(() => written((w) => w.int53(0.5, "v")));
    malformed(() => written((w) => w.id(0, "v")));
    malformed(() => written((w) => w.uint32(2 ** 32, "v")));
  });
});
