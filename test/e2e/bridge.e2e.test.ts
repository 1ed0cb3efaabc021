import {
  type BoardHealth,
  BridgeBus,
  type CardReadEvent,
  type CardUnreadableEvent,
  SerialTransport,
  systemClock,
} from "@acs/edge";
import { C1000_35, C1000_48, encode, type FixedFormat, H10301, H10304, H10306 } from "@acs/wiegand";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logSink, until } from "../support/log-sink.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";

const FORMATS: readonly FixedFormat[] = [H10301, H10306, C1000_35, H10304, C1000_48];
/** Fast but in-spec SIA timing, so 1,000 cards take seconds, not minutes. */
const FAST = { pulseUs: 40, intervalUs: 300 };

function fieldsFor(format: FixedFormat, i: number): Record<string, number> {
  const width = (name: string) => format.fields.find((f) => f.name === name)?.length ?? 0;
  return {
    facility: (i * 37 + 11) % 2 ** Math.min(width("facility"), 16),
    card: (i * 7919 + 3) % 2 ** Math.min(width("card"), 20),
  };
}

describe("bridge board over a real pty pair", () => {
  let pty: PtyPair;
  let sim: SimProcess | undefined;
  let bus: BridgeBus | undefined;
  const sink = logSink();
  const cards: CardReadEvent[] = [];
  const unreadable: CardUnreadableEvent[] = [];
  const health: BoardHealth[] = [];

  beforeEach(async () => {
    cards.length = 0;
    unreadable.length = 0;
    health.length = 0;
    pty = await openPtyPair();
    sim = await SimProcess.start(["bridge", "--device", pty.device, "--board-id", "4711"]);
    bus = new BridgeBus({
      transport: new SerialTransport({ path: pty.edge, baudRate: 115200 }),
      clock: systemClock,
      log: sink.log,
      readers: [{ port: 0, formats: FORMATS }],
      heartbeatMs: 100,
    });
    bus.on("card", (e) => cards.push(e));
    bus.on("unreadable", (e) => unreadable.push(e));
    bus.on("health", (h) => health.push(h));
    await bus.start();
    await until(() => bus?.linkState === "online", 5000, "the board session");
  });

  afterEach(async () => {
    await bus?.stop();
    await sim?.kill("SIGKILL");
    await pty.close();
  });

  it("delivers 1,000 mixed-format cards decoded, in order, none lost, skipping injected garbage", async () => {
    const expected: Array<{ format: string; fields: Record<string, number> }> = [];
    const presented: Array<Promise<unknown>> = [];
    for (let i = 0; i < 1000; i++) {
      const format = FORMATS[i % FORMATS.length] as FixedFormat;
      const fields = fieldsFor(format, i);
      expected.push({ format: format.name, fields });
      presented.push(
        sim!.request("present", { port: 0, format: format.name, fields, timing: FAST }),
      );
      if (i % 100 === 50) {
        // Garbage on the line between frames, some of it looking like a frame start.
        presented.push(sim!.request("inject", { hex: "00 ff a5 13 37 a5 f9 42 a5 02 90 01 00" }));
      }
    }
    await Promise.all(presented);
    await until(() => cards.length >= 1000, 30_000, "1,000 decoded cards");
    expect(cards.map((c) => ({ format: c.card.format, fields: { ...c.card.fields } }))).toEqual(
      expected,
    );
    expect(
      cards.every(
        (c) => c.bits === encode(FORMATS.find((f) => f.name === c.card.format)!, c.card.fields),
      ),
    ).toBe(true);
    expect(unreadable).toEqual([]);
    const stats = bus!.stats();
    expect(stats.cards).toBe(1000);
    expect(stats.garbageBytes + stats.badCrc + stats.badLength).toBeGreaterThan(0);
    expect(sink.lines.some((l) => l.msg === "bad bytes on the bridge line")).toBe(true);
  }, 90_000);

  it("never cuts a 37-bit card at 26 bits though its prefix would parse", async () => {
    const played = await sim!.request("present", {
      port: 0,
      format: "H10304",
      fields: { facility: 1234, card: 99999 },
    });
    await until(() => cards.length === 1, 2000, "the 37-bit card");
    expect(cards[0]?.card).toMatchObject({
      format: "H10304",
      fields: { facility: 1234, card: 99999 },
    });
    expect(cards[0]?.bits.length).toBe(37);
    expect(played.bits).toHaveLength(37);
  });

  it("reports wrong parity and unknown lengths as typed, counted, logged errors and carries on", async () => {
    const good = encode(H10301, { facility: 18, card: 12345 });
    const badParity = `${good.slice(0, 25)}${good[25] === "1" ? "0" : "1"}`;
    await sim!.request("present", { port: 0, bits: badParity, timing: FAST });
    await sim!.request("present", { port: 0, bits: "1010101010", timing: FAST });
    await sim!.request("present", { port: 0, bits: good, timing: FAST });
    await until(() => cards.length === 1 && unreadable.length === 2, 3000, "three reads");
    expect(unreadable.map((u) => u.error.code)).toEqual(["PARITY", "UNKNOWN_LENGTH"]);
    expect(unreadable[0]?.bits).toBe(badParity);
    expect(bus!.stats().unreadableCards).toBe(2);
    expect(sink.lines.filter((l) => l.msg === "unreadable card").length).toBeGreaterThan(0);
  });

  it("pulses the lock relay on command and reads back the change with timestamps", async () => {
    bus!.pulseRelay(0, 300);
    const on = await sim!.waitFor((l) => l.event === "relay" && l.on === true);
    const off = await sim!.waitFor((l) => l.event === "relay" && l.on === false, 2000);
    expect(off.cause).toBe("pulse-end");
    const heldUs = (off.atUs as number) - (on.atUs as number);
    expect(heldUs).toBeGreaterThanOrEqual(290_000);
    expect(heldUs).toBeLessThan(500_000);
    bus!.feedback(0, "green", true, 200);
    await sim!.waitFor((l) => l.event === "led" && l.led === "green");
  });

  it("detects a killed board, and recovers when it is restarted, without restarting the driver", async () => {
    await sim!.kill("SIGKILL");
    await until(() => bus!.linkState === "offline", 3000, "the board to go offline");
    sim = await SimProcess.start(["bridge", "--device", pty.device, "--board-id", "4711"]);
    await until(() => bus!.linkState === "online", 5000, "the board to return");
    expect(bus!.stats().boardRestarts).toBe(1);
    await sim.request("present", {
      port: 0,
      format: "H10301",
      fields: { facility: 7, card: 4242 },
    });
    await until(() => cards.length === 1, 3000, "a card after the restart");
    expect(cards[0]?.card.fields).toEqual({ facility: 7, card: 4242 });
    expect(health.map((h) => h.state)).toEqual(expect.arrayContaining(["offline", "online"]));
  });

  it("keeps cards read while the line is cut and delivers them when it is restored", async () => {
    await sim!.request("line", { connected: false });
    await until(() => bus!.linkState === "offline", 3000, "the cut to be noticed");
    for (let card = 1; card <= 5; card++) {
      await sim!.request("present", {
        port: 0,
        format: "H10301",
        fields: { facility: 1, card },
        timing: FAST,
      });
    }
    expect(cards).toHaveLength(0);
    await sim!.request("line", { connected: true });
    await until(() => cards.length === 5, 5000, "the held cards");
    expect(cards.map((c) => c.card.fields.card)).toEqual([1, 2, 3, 4, 5]);
  });

  it("reports door, request-to-exit and tamper inputs, debounced, and the sim's history of outputs", async () => {
    const inputs: Array<[number, boolean]> = [];
    bus!.on("input", (e) => inputs.push([e.input, e.active]));
    await sim!.request("door", { open: true });
    await sim!.request("rex", { holdMs: 100 });
    await sim!.request("tamper", { active: true });
    await until(() => inputs.length >= 3, 3000, "three inputs");
    await sim!.request("door", { open: false });
    await until(() => inputs.length >= 5, 3000, "the releases");
    expect(inputs).toEqual(
      expect.arrayContaining([
        [0, true],
        [1, true],
        [2, true],
        [1, false],
        [0, false],
      ]),
    );
    await until(() => bus!.boardHealth.tamper, 2000, "tamper in the heartbeat");
    bus!.pulseRelay(1, 100);
    await sim!.waitFor((l) => l.event === "relay" && l.relay === 1 && l.on === false, 2000);
    const history = await sim!.request("history");
    const changes = history.changes as Array<{ event: string; atUs: number }>;
    expect(changes.map((c) => c.event)).toEqual(expect.arrayContaining(["relay"]));
    expect(
      changes.every((c, i) => i === 0 || c.atUs >= (changes[i - 1] as { atUs: number }).atUs),
    ).toBe(true);
  });

  it("answers malformed control requests with an error and keeps running", async () => {
    await expect(sim!.request("present", { format: "NOPE", fields: {} })).rejects.toThrow(
      /unknown card format/,
    );
    await expect(
      sim!.request("present", { format: "H10301", fields: { facility: 999, card: 1 } }),
    ).rejects.toThrow(/FIELD_RANGE/);
    await expect(sim!.request("fly")).rejects.toThrow(/UNKNOWN_COMMAND/);
    expect((await sim!.request("state")).welcomed).toBe(true);
  });
});

describe("bridge board safety", () => {
  it("switches a relay off at the board's own max-on time whatever the edge asked", async () => {
    const pty = await openPtyPair();
    const sim = await SimProcess.start(["bridge", "--device", pty.device, "--max-on-ms", "300"]);
    const sink = logSink();
    const bus = new BridgeBus({
      transport: new SerialTransport({ path: pty.edge, baudRate: 115200 }),
      clock: systemClock,
      log: sink.log,
      readers: [{ port: 0, formats: [H10301] }],
    });
    const relays: Array<[boolean, string]> = [];
    bus.on("relay", (e) => relays.push([e.on, e.cause]));
    try {
      await bus.start();
      await until(() => bus.linkState === "online", 5000, "the board session");
      bus.setRelay(0, true);
      await until(() => relays.length >= 2, 3000, "the relay to drop");
      expect(relays).toEqual([
        [true, "command"],
        [false, "max-on"],
      ]);
    } finally {
      await bus.stop();
      await sim.kill();
      await pty.close();
    }
  });
});
