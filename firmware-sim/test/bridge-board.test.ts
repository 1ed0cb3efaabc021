import { type BridgeMessage, decodeMessage, encodeMessage, Framer } from "@acs/bridge-protocol";
import { describe, expect, it } from "vitest";
import { BridgeBoard } from "../src/board/bridge-board.js";
import { createFakeTime } from "./fake-clock.js";

/** A board on fake time whose line is captured; the test plays the edge by hand. */
function setup() {
  const time = createFakeTime();
  const fromBoard: Array<{ seq: number; message: BridgeMessage }> = [];
  const framer = new Framer({
    frame: (f) => fromBoard.push({ seq: f.seq, message: decodeMessage(f) }),
    error: () => {},
  });
  const relays: Array<[number, boolean, string]> = [];
  const board = new BridgeBoard({
    clock: time.clock,
    write: (bytes) => framer.push(bytes),
    boardId: 9,
    firmware: { major: 1, minor: 0, patch: 0 },
    model: "TEST",
    readerPorts: 2,
    relays: 2,
    inputs: 4,
    debounceMs: 0,
    randomU32: () => 0x1234,
    observer: { relay: (relay, on, cause) => relays.push([relay, on, cause]) },
  });
  const fromEdge = (message: BridgeMessage, seq = 0) => board.receive(encodeMessage(message, seq));
  const welcome = (edgeSession = 1) =>
    fromEdge({ kind: "welcome", bootId: 0x1234, edgeSession, heartbeatMs: 100, failSafeMs: 0 });
  const kinds = () => fromBoard.map((r) => r.message.kind);
  return { time, board, fromBoard, fromEdge, welcome, kinds, relays };
}

describe("BridgeBoard", () => {
  it("announces itself until welcomed, then holds its events for the session", () => {
    const t = setup();
    t.board.start();
    expect(t.kinds()).toEqual(["hello"]);
    t.board.setInput(0, true);
    t.time.advanceUs(1_000_000);
    expect(t.kinds().filter((k) => k === "hello").length).toBeGreaterThanOrEqual(3);
    expect(t.fromBoard.some((r) => r.seq !== 0)).toBe(false);
    t.welcome();
    expect(t.fromBoard.filter((r) => r.seq !== 0)).toEqual([
      { seq: 1, message: expect.objectContaining({ kind: "input", input: 0, active: true }) },
    ]);
    t.board.stop();
  });

  it("answers HELLO_REQUEST, ignores a duplicate WELCOME and restarts numbering for a new edge session", () => {
    const t = setup();
    t.board.start();
    t.fromEdge({ kind: "hello-request" });
    expect(t.kinds().filter((k) => k === "hello")).toHaveLength(2);
    t.welcome(1);
    t.board.setInput(1, true);
    t.welcome(1);
    t.fromEdge({
      kind: "welcome",
      bootId: 0x9999,
      edgeSession: 5,
      heartbeatMs: 100,
      failSafeMs: 0,
    });
    t.welcome(2);
    // The unacknowledged input is sent again, renumbered from 1, in the new session.
    const inputs = t.fromBoard.filter((r) => r.message.kind === "input");
    expect(inputs.map((r) => r.seq)).toEqual([1, 1]);
    t.board.stop();
  });

  it("carries out relay commands, refuses an out-of-range one with a NAK", () => {
    const t = setup();
    t.board.start();
    t.welcome();
    t.fromEdge({ kind: "relay", relay: 0, action: "pulse", durationMs: 500 }, 1);
    t.fromEdge({ kind: "relay", relay: 7, action: "on", durationMs: 0 }, 2);
    expect(
      t.fromBoard
        .filter((r) => r.message.kind === "ack" || r.message.kind === "nak")
        .map((r) => r.message),
    ).toEqual([
      { kind: "ack", ackSeq: 1 },
      { kind: "nak", nakSeq: 2, reason: "out-of-range" },
    ]);
    t.time.advanceUs(600_000);
    expect(t.relays).toEqual([
      [0, true, "command"],
      [0, false, "pulse-end"],
    ]);
    t.board.stop();
  });

  it("ends a card at the longest format the edge configured", () => {
    const t = setup();
    t.board.start();
    t.welcome();
    t.fromEdge({ kind: "configure-reader", port: 0, maxBits: 26, gapCapMs: 20 }, 1);
    const start = t.time.clock.nowUs();
    const bits = "00001001000110000001110011";
    for (let i = 0; i < bits.length; i++)
      t.board.pulse(0, bits[i] === "1" ? 1 : 0, start + i * 2000, 50);
    const card = t.fromBoard.find((r) => r.message.kind === "card");
    expect(card?.message).toMatchObject({ kind: "card", port: 0, bits, endReason: "max-bits" });
    t.board.stop();
  });

  it("drops every relay when the edge is silent for the fail-safe time", () => {
    const t = setup();
    t.board.start();
    t.fromEdge({
      kind: "welcome",
      bootId: 0x1234,
      edgeSession: 3,
      heartbeatMs: 100,
      failSafeMs: 1000,
    });
    t.fromEdge({ kind: "relay", relay: 1, action: "on", durationMs: 0 }, 1);
    t.time.advanceUs(1_500_000);
    expect(t.relays).toEqual([
      [1, true, "command"],
      [1, false, "fail-safe"],
    ]);
    t.board.stop();
  });

  it("counts garbage and bad CRCs it receives and reports them in its heartbeat", () => {
    const t = setup();
    t.board.start();
    t.welcome();
    const frame = encodeMessage({ kind: "edge-heartbeat" });
    frame[4] = (frame[4] as number) ^ 0xff;
    t.board.receive(Uint8Array.of(1, 2, 3));
    t.board.receive(frame);
    t.time.advanceUs(300_000);
    const beat = t.fromBoard.filter((r) => r.message.kind === "heartbeat").at(-1)?.message;
    // 3 stray bytes, then the 5 bytes behind the corrupt frame's SOM once it is dropped.
    expect(beat).toMatchObject({ rxGarbageBytes: 8, rxBadCrc: 1 });
    t.board.stop();
    expect(t.time.pendingTimers()).toBe(0);
  });
});
