import { describe, expect, it } from "vitest";
import {
  type BridgeMessage,
  crc16,
  decodeMessage,
  encodeMessage,
  Framer,
  type RawFrame,
} from "../src/index.js";
import { type Annotated, bytesOf, hex } from "./fixture.js";

/**
 * Golden frames, laid out by hand from docs/bridge-protocol.md §2 and §4. The CRC rows
 * were computed with CRC-16/CCITT-FALSE, whose implementation is pinned by its
 * published check value below.
 */
const GOLDEN: ReadonlyArray<{ message: BridgeMessage; seq: number; bytes: Annotated }> = [
  {
    message: {
      kind: "hello",
      protocolVersion: 1,
      boardId: 0x00beef01,
      firmware: { major: 1, minor: 2, patch: 3 },
      bootId: 0x12345678,
      readerPorts: 2,
      relays: 2,
      inputs: 4,
      model: "WB-2",
    },
    seq: 0,
    bytes: [
      ["a5 14 01 00", "SOM, LEN 20, HELLO, unsequenced"],
      ["01", "protocol version 1"],
      ["01 ef be 00", "board id 0x00BEEF01"],
      ["01 02 03", "firmware 1.2.3"],
      ["78 56 34 12", "boot id 0x12345678"],
      ["02 02 04", "2 reader ports, 2 relays, 4 inputs"],
      ["04 57 42 2d 32", 'model "WB-2"'],
      ["d1 07", "CRC 0x07D1"],
    ],
  },
  {
    message: {
      kind: "heartbeat",
      uptimeMs: 1000,
      inputs: 0b0001,
      relays: 0b01,
      tamper: false,
      rxBadCrc: 2,
      rxGarbageBytes: 7,
      pulsesRejected: 1,
    },
    seq: 0,
    bytes: [
      ["a5 0f 02 00", "SOM, LEN 15, HEARTBEAT"],
      ["e8 03 00 00", "uptime 1000 ms"],
      ["01 00", "input 0 active"],
      ["01 00", "relay 0 on"],
      ["00", "no tamper"],
      ["02 00 07 00 01 00", "2 bad CRCs, 7 garbage bytes, 1 rejected pulse"],
      ["0a f6", "CRC"],
    ],
  },
  {
    message: { kind: "ack", ackSeq: 5 },
    seq: 0,
    bytes: [
      ["a5 01 03 00", "SOM, LEN 1, ACK"],
      ["05", "up to seq 5"],
      ["81 fb", "CRC"],
    ],
  },
  {
    message: { kind: "nak", nakSeq: 6, reason: "out-of-range" },
    seq: 0,
    bytes: [
      ["a5 02 04 00", "SOM, LEN 2, NAK"],
      ["06 02", "seq 6, reason 2 out of range"],
      ["9a 15", "CRC"],
    ],
  },
  {
    // H10301 facility 18, card 12345: 0 00010010 0011000000111001 1 (see the wiegand golden vectors)
    message: {
      kind: "card",
      port: 0,
      bits: "00001001000110000001110011",
      endReason: "max-bits",
      boardTimeMs: 4660,
      durationUs: 50050,
    },
    seq: 1,
    bytes: [
      ["a5 0f 10 01", "SOM, LEN 15, CARD, seq 1"],
      ["00 1a 00", "port 0, 26 bits, ended at the longest format"],
      ["34 12 00 00", "board time 4660 ms"],
      ["82 c3 00 00", "50,050 µs from first to last pulse"],
      ["09 18 1c c0", "0000 1001 0001 1000 0001 1100 11|00 0000 (6 zero pad bits)"],
      ["97 d2", "CRC"],
    ],
  },
  {
    message: { kind: "input", input: 0, active: true, boardTimeMs: 4700 },
    seq: 2,
    bytes: [
      ["a5 06 11 02", "SOM, LEN 6, INPUT, seq 2"],
      ["00 01", "input 0 active"],
      ["5c 12 00 00", "board time 4700 ms"],
      ["25 e5", "CRC"],
    ],
  },
  {
    message: { kind: "relay-state", relay: 0, on: true, cause: "command", boardTimeMs: 4701 },
    seq: 3,
    bytes: [
      ["a5 07 12 03", "SOM, LEN 7, RELAY_STATE, seq 3"],
      ["00 01 00", "relay 0 on, by command"],
      ["5d 12 00 00", "board time 4701 ms"],
      ["31 84", "CRC"],
    ],
  },
  {
    message: { kind: "hello-request" },
    seq: 0,
    bytes: [
      ["a5 00 81 00", "SOM, LEN 0, HELLO_REQUEST"],
      ["35 e4", "CRC"],
    ],
  },
  {
    message: {
      kind: "welcome",
      bootId: 0x12345678,
      edgeSession: 0xcafef00d,
      heartbeatMs: 250,
      failSafeMs: 0,
    },
    seq: 0,
    bytes: [
      ["a5 0c 82 00", "SOM, LEN 12, WELCOME"],
      ["78 56 34 12", "boot id echoed"],
      ["0d f0 fe ca", "edge session 0xCAFEF00D"],
      ["fa 00 00 00", "heartbeat 250 ms, fail-safe off"],
      ["a8 53", "CRC"],
    ],
  },
  {
    message: { kind: "edge-heartbeat" },
    seq: 0,
    bytes: [
      ["a5 00 83 00", "SOM, LEN 0, EDGE_HEARTBEAT"],
      ["57 82", "CRC"],
    ],
  },
  {
    message: { kind: "relay", relay: 0, action: "pulse", durationMs: 3000 },
    seq: 1,
    bytes: [
      ["a5 04 90 01", "SOM, LEN 4, RELAY, seq 1"],
      ["00 02 b8 0b", "relay 0, pulse, 3000 ms"],
      ["52 1c", "CRC"],
    ],
  },
  {
    message: { kind: "feedback", port: 0, led: "green", buzzer: true, durationMs: 500 },
    seq: 2,
    bytes: [
      ["a5 05 91 02", "SOM, LEN 5, FEEDBACK, seq 2"],
      ["00 02 01 f4 01", "port 0, green, buzzer on, for 500 ms"],
      ["5f c3", "CRC"],
    ],
  },
  {
    message: { kind: "configure-reader", port: 0, maxBits: 37, gapCapMs: 20 },
    seq: 3,
    bytes: [
      ["a5 03 92 03", "SOM, LEN 3, CONFIGURE_READER, seq 3"],
      ["00 25 14", "port 0, longest format 37 bits, gap cap 20 ms"],
      ["83 92", "CRC"],
    ],
  },
];

function frameOf(bytes: Uint8Array): RawFrame {
  const frames: RawFrame[] = [];
  const framer = new Framer({
    frame: (f) => frames.push(f),
    error: (e) => {
      throw e;
    },
  });
  framer.push(bytes);
  expect(frames).toHaveLength(1);
  return frames[0] as RawFrame;
}

describe("bridge codec golden frames", () => {
  it("CRC-16/CCITT-FALSE has the published check value", () => {
    expect(crc16(Uint8Array.from("123456789", (c) => c.charCodeAt(0)))).toBe(0x29b1);
  });

  it("covers every frame type", () => {
    expect(new Set(GOLDEN.map((g) => g.message.kind)).size).toBe(13);
  });

  for (const { message, seq, bytes } of GOLDEN) {
    it(`${message.kind}: encodes to the annotated bytes`, () => {
      expect(hex(encodeMessage(message, seq))).toBe(hex(bytesOf(bytes)));
    });
    it(`${message.kind}: decodes from the annotated bytes`, () => {
      const frame = frameOf(bytesOf(bytes));
      expect(frame.seq).toBe(seq);
      expect(decodeMessage(frame)).toEqual(message);
    });
  }
});

describe("bridge codec refuses malformed payloads", () => {
  const cases: Array<[string, RawFrame, string]> = [
    ["unknown type", { type: 0x55, seq: 1, payload: new Uint8Array() }, "UNKNOWN_TYPE"],
    ["short ACK", { type: 0x03, seq: 0, payload: new Uint8Array() }, "BAD_PAYLOAD"],
    ["long ACK", { type: 0x03, seq: 0, payload: Uint8Array.of(1, 2) }, "BAD_PAYLOAD"],
    [
      "card with 0 bits",
      { type: 0x10, seq: 1, payload: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
      "BAD_PAYLOAD",
    ],
    [
      "card with 129 bits",
      { type: 0x10, seq: 1, payload: Uint8Array.of(0, 129, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
      "BAD_PAYLOAD",
    ],
    [
      "card with non-zero padding",
      { type: 0x10, seq: 1, payload: Uint8Array.of(0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff) },
      "BAD_PAYLOAD",
    ],
    [
      "card with missing bit bytes",
      { type: 0x10, seq: 1, payload: Uint8Array.of(0, 26, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff) },
      "BAD_PAYLOAD",
    ],
    [
      "unknown relay action",
      { type: 0x90, seq: 1, payload: Uint8Array.of(0, 9, 0, 0) },
      "BAD_PAYLOAD",
    ],
    [
      "unknown LED colour",
      { type: 0x91, seq: 1, payload: Uint8Array.of(0, 7, 0, 0, 0) },
      "BAD_PAYLOAD",
    ],
    [
      "unknown relay cause",
      { type: 0x12, seq: 1, payload: Uint8Array.of(0, 1, 9, 0, 0, 0, 0) },
      "BAD_PAYLOAD",
    ],
  ];
  for (const [name, frame, code] of cases) {
    it(name, () => {
      expect(() => decodeMessage(frame)).toThrow(expect.objectContaining({ code }));
    });
  }

  it("round-trips cards of every length 1..128", () => {
    for (let n = 1; n <= 128; n++) {
      const bits = Array.from({ length: n }, (_, i) => ((i * 7 + n) % 3 === 0 ? "1" : "0")).join(
        "",
      );
      const message: BridgeMessage = {
        kind: "card",
        port: 1,
        bits,
        endReason: "gap",
        boardTimeMs: 0xffffffff,
        durationUs: n * 2000,
      };
      expect(decodeMessage(frameOf(encodeMessage(message, 200)))).toEqual(message);
    }
  });
});
