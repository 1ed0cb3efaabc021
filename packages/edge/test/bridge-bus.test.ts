import { encodeMessage } from "@acs/bridge-protocol";
import { memoryTransportPair } from "@acs/serial-transport";
import { encode, H10301, H10302, H10304 } from "@acs/wiegand";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { BridgeBus, type BridgeBusOptions } from "../src/buses/bridge/bridge-bus.js";
import type {
  BoardHealth,
  CardReadEvent,
  CardUnreadableEvent,
  InputEvent,
  RelayEvent,
} from "../src/buses/bridge/bridge-events.js";
import { FakeBoard } from "./fake-board.js";
import { fakeClock, settle } from "./fake-clock.js";

const H10301_18_12345 = "00001001000110000001110011";

type Setup = ReturnType<typeof setup>;

function setup(overrides: Partial<BridgeBusOptions> = {}) {
  const [edgeLine, boardLine] = memoryTransportPair();
  const { clock, fake } = fakeClock();
  const logs: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: "debug" },
    { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const bus = new BridgeBus({
    transport: edgeLine,
    clock,
    log,
    readers: [{ port: 0, formats: [H10301, H10304] }],
    heartbeatMs: 100,
    randomU32: (() => {
      let n = 1000;
      return () => n++;
    })(),
    ...overrides,
  });
  const board = new FakeBoard(boardLine);
  const seen = {
    cards: [] as CardReadEvent[],
    unreadable: [] as CardUnreadableEvent[],
    inputs: [] as InputEvent[],
    relays: [] as RelayEvent[],
    health: [] as BoardHealth[],
    failed: [] as string[],
    protocolErrors: [] as string[],
  };
  bus.on("card", (e) => seen.cards.push(e));
  bus.on("unreadable", (e) => seen.unreadable.push(e));
  bus.on("input", (e) => seen.inputs.push(e));
  bus.on("relay", (e) => seen.relays.push(e));
  bus.on("health", (h) => seen.health.push(h));
  bus.on("commandFailed", (m, reason) => seen.failed.push(`${m.kind}: ${reason}`));
  bus.on("protocolError", (e) => seen.protocolErrors.push(e.code));
  running.push(bus);
  return { bus, board, boardLine, edgeLine, fake, logs, seen };
}

async function online(t: Setup, bootId = 0xb007): Promise<void> {
  await t.board.plugIn();
  await t.bus.start();
  await settle();
  t.board.hello(bootId);
  await settle();
  expect(t.bus.linkState).toBe("online");
}

const running: BridgeBus[] = [];
afterEach(async () => {
  for (const bus of running.splice(0)) await bus.stop();
});

describe("BridgeBus session", () => {
  it("asks for a HELLO, welcomes the board and configures each reader with its longest format", async () => {
    const t = setup();
    await t.board.plugIn();
    await t.bus.start();
    await settle();
    expect(t.board.kinds()).toEqual(["hello-request"]);
    t.board.hello(0xb007);
    await settle();
    expect(t.board.last("welcome")).toMatchObject({
      bootId: 0xb007,
      edgeSession: 1000,
      heartbeatMs: 100,
    });
    expect(t.board.sequenced()).toEqual([
      { seq: 1, message: { kind: "configure-reader", port: 0, maxBits: 37, gapCapMs: 20 } },
    ]);
    expect(t.seen.health.at(-1)).toMatchObject({
      state: "online",
      board: { boardId: 77, model: "FAKE" },
    });
  });

  it("answers a repeated HELLO of the same boot with the same session", async () => {
    const t = setup();
    await online(t);
    t.board.hello(0xb007);
    await settle();
    const welcomes = t.board.received.filter((r) => r.message.kind === "welcome");
    expect(welcomes.map((w) => (w.message.kind === "welcome" ? w.message.edgeSession : 0))).toEqual(
      [1000, 1000],
    );
    expect(t.bus.stats().sessions).toBe(1);
  });

  it("starts a new session when the board restarted, and counts it", async () => {
    const t = setup();
    await online(t);
    t.board.hello(0xbeef);
    await settle();
    expect(t.board.last("welcome")).toMatchObject({ bootId: 0xbeef, edgeSession: 1001 });
    expect(t.bus.stats()).toMatchObject({ sessions: 2, boardRestarts: 1 });
  });

  it("ignores a board speaking another protocol version, and says so", async () => {
    const t = setup();
    await t.board.plugIn();
    await t.bus.start();
    await settle();
    t.board.send({ ...t.board.hello(1), protocolVersion: 9 });
    await settle();
    expect(t.logs.some((l) => l.code === "PROTOCOL_VERSION")).toBe(true);
  });
});

describe("BridgeBus events", () => {
  it("decodes a card with the reader's formats and acknowledges it", async () => {
    const t = setup();
    await online(t);
    t.board.send(
      {
        kind: "card",
        port: 0,
        bits: H10301_18_12345,
        endReason: "gap",
        boardTimeMs: 5,
        durationUs: 50_000,
      },
      1,
    );
    await settle();
    expect(t.seen.cards.map((c) => c.card)).toEqual([
      {
        format: "H10301",
        bitLength: 26,
        bits: H10301_18_12345,
        fields: { facility: 18, card: 12345 },
      },
    ]);
    expect(t.board.last("ack")).toEqual({ kind: "ack", ackSeq: 1 });
  });

  it("acts once on a retransmitted card but acknowledges it again", async () => {
    const t = setup();
    await online(t);
    const card = {
      kind: "card",
      port: 0,
      bits: H10301_18_12345,
      endReason: "gap",
      boardTimeMs: 5,
      durationUs: 1,
    } as const;
    t.board.send(card, 1);
    t.board.send(card, 1);
    await settle();
    expect(t.seen.cards).toHaveLength(1);
    expect(t.board.received.filter((r) => r.message.kind === "ack")).toHaveLength(2);
  });

  it("reports wrong parity and an unknown length as typed unreadable events, counted and logged", async () => {
    const t = setup();
    await online(t);
    const badParity = `${H10301_18_12345.slice(0, 25)}0`;
    t.board.send(
      { kind: "card", port: 0, bits: badParity, endReason: "gap", boardTimeMs: 1, durationUs: 1 },
      1,
    );
    t.board.send(
      {
        kind: "card",
        port: 0,
        bits: "1".repeat(30),
        endReason: "gap",
        boardTimeMs: 1,
        durationUs: 1,
      },
      2,
    );
    await settle();
    expect(t.seen.unreadable.map((u) => [u.error.code, u.bits])).toEqual([
      ["PARITY", badParity],
      ["UNKNOWN_LENGTH", "1".repeat(30)],
    ]);
    expect(t.bus.stats().unreadableCards).toBe(2);
    expect(t.logs.filter((l) => l.msg === "unreadable card").map((l) => l.code)).toEqual([
      "PARITY",
      "UNKNOWN_LENGTH",
    ]);
  });

  it("refuses a card from a reader port it was not configured with", async () => {
    const t = setup();
    await online(t);
    t.board.send(
      {
        kind: "card",
        port: 1,
        bits: H10301_18_12345,
        endReason: "gap",
        boardTimeMs: 1,
        durationUs: 1,
      },
      1,
    );
    await settle();
    expect(t.board.last("nak")).toEqual({ kind: "nak", nakSeq: 1, reason: "out-of-range" });
    expect(t.seen.cards).toEqual([]);
  });

  it("reports inputs and relay changes", async () => {
    const t = setup();
    await online(t);
    t.board.send({ kind: "input", input: 0, active: true, boardTimeMs: 9 }, 1);
    t.board.send({ kind: "relay-state", relay: 0, on: false, cause: "max-on", boardTimeMs: 10 }, 2);
    await settle();
    expect(t.seen.inputs).toMatchObject([{ input: 0, active: true, boardTimeMs: 9 }]);
    expect(t.seen.relays).toEqual([{ relay: 0, on: false, cause: "max-on", boardTimeMs: 10 }]);
  });

  it("skips garbage, bad CRCs and truncated frames, counts and logs them, and resynchronises", async () => {
    const t = setup();
    await online(t);
    const frame = encodeMessage(
      {
        kind: "card",
        port: 0,
        bits: H10301_18_12345,
        endReason: "gap",
        boardTimeMs: 1,
        durationUs: 1,
      },
      1,
    );
    const corrupt = frame.slice();
    corrupt[8] = (corrupt[8] as number) ^ 0xff;
    t.board.sendBytes(Uint8Array.of(0x00, 0x13, 0x37));
    t.board.sendBytes(corrupt);
    t.board.sendBytes(frame.slice(0, 7));
    await settle();
    t.fake.tick(60);
    t.board.sendBytes(frame);
    await settle();
    expect(t.seen.cards).toHaveLength(1);
    const stats = t.bus.stats();
    expect(stats.garbageBytes).toBeGreaterThanOrEqual(3);
    expect(stats.badCrc).toBe(1);
    expect(stats.truncated).toBeGreaterThanOrEqual(1);
    expect(t.seen.protocolErrors).toEqual(
      expect.arrayContaining(["GARBAGE", "BAD_CRC", "TRUNCATED"]),
    );
    expect(t.logs.some((l) => l.msg === "bad bytes on the bridge line")).toBe(true);
  });
});

describe("BridgeBus supervision", () => {
  it("takes a silent board offline, asks for it, and resumes when it answers", async () => {
    const t = setup();
    await online(t);
    t.fake.tick(550);
    await settle();
    expect(t.bus.linkState).toBe("offline");
    const requests = t.board.kinds().filter((k) => k === "hello-request").length;
    t.fake.tick(1000);
    await settle();
    expect(t.board.kinds().filter((k) => k === "hello-request").length).toBeGreaterThan(requests);
    t.board.hello(0xb007);
    await settle();
    expect(t.bus.linkState).toBe("online");
    expect(t.bus.stats().boardRestarts).toBe(0);
  });

  it("never executes a relay command late: one queued while offline expires", async () => {
    const t = setup({ commandTtlMs: 500 });
    await online(t);
    t.fake.tick(550);
    await settle();
    expect(t.bus.linkState).toBe("offline");
    t.bus.pulseRelay(0, 3000);
    t.fake.tick(2000);
    t.board.hello(0xb007);
    await settle();
    expect(t.seen.failed).toEqual(["relay: expired before the board could take it"]);
    expect(t.board.sequenced().some((r) => r.message.kind === "relay")).toBe(false);
  });

  it("sends relay and feedback commands in sequence and reports a refusal", async () => {
    const t = setup();
    await online(t);
    t.bus.pulseRelay(0, 3000);
    t.bus.feedback(0, "green", true, 500);
    await settle();
    const sent = t.board.sequenced().slice(1);
    expect(sent).toEqual([
      { seq: 2, message: { kind: "relay", relay: 0, action: "pulse", durationMs: 3000 } },
      {
        seq: 3,
        message: { kind: "feedback", port: 0, led: "green", buzzer: true, durationMs: 500 },
      },
    ]);
    t.board.send({ kind: "ack", ackSeq: 2 });
    t.board.send({ kind: "nak", nakSeq: 3, reason: "out-of-range" });
    await settle();
    expect(t.seen.failed).toEqual(["feedback: refused by the board: out-of-range"]);
  });

  it("notices an unplugged device and reopens it when it returns, without a restart", async () => {
    const t = setup({ reconnectMs: 200 });
    await online(t);
    t.edgeLine.unplug();
    expect(t.bus.linkState).toBe("disconnected");
    await t.fake.tickAsync(1000);
    expect(t.bus.stats().reconnects).toBeGreaterThanOrEqual(4);
    t.edgeLine.present = true;
    await t.fake.tickAsync(200);
    await settle();
    expect(t.bus.linkState).toBe("connecting");
    t.board.hello(0xb007);
    await settle();
    expect(t.bus.linkState).toBe("online");
  });

  it("stop() leaves no timer behind, however often it is started", async () => {
    const t = setup();
    for (let i = 0; i < 20; i++) {
      await t.bus.start();
      await settle();
      await t.bus.stop();
    }
    expect(t.fake.countTimers()).toBe(0);
  });
});

describe("BridgeBus with same-length formats", () => {
  it("decides H10302 against H10304 by the reader's priority", async () => {
    const bits = encode(H10304, { facility: 1, card: 2 });
    for (const [formats, expected] of [
      [[H10302, H10304], "H10302"],
      [[H10304, H10302], "H10304"],
    ] as const) {
      const t = setup({ readers: [{ port: 0, formats }] });
      await online(t);
      t.board.send(
        { kind: "card", port: 0, bits, endReason: "max-bits", boardTimeMs: 1, durationUs: 1 },
        1,
      );
      await settle();
      expect(t.seen.cards[0]?.card.format).toBe(expected);
      await t.bus.stop();
    }
  });
});
