/**
 * The bridge path end to end, as an operator would watch it: a simulated Wiegand + door
 * I/O board on one end of a real pty pair, the edge's bridge driver on the other.
 */
import { BridgeBus, SerialTransport, systemClock } from "@acs/edge";
import { C1000_35, H10301, H10304 } from "@acs/wiegand";
import pino from "pino";
import { until } from "../support/log-sink.js";
import { openPtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";

const started = Date.now();
const say = (text: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s] ${text}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const pty = await openPtyPair();
  const sim = await SimProcess.start(["bridge", "--device", pty.device, "--board-id", "4711"]);
  const bus = new BridgeBus({
    transport: new SerialTransport({ path: pty.edge, baudRate: 115200 }),
    clock: systemClock,
    log: pino({ level: "error" }),
    readers: [{ port: 0, formats: [H10301, C1000_35, H10304] }],
  });
  let lastPulseUs = 0;
  bus.on("health", (h) => {
    const board = h.board;
    say(
      board
        ? `board ${board.boardId} is ${h.state} (${board.model}, firmware ${board.firmware.major}.${board.firmware.minor}.${board.firmware.patch})`
        : `board is ${h.state}`,
    );
  });
  bus.on("card", (e) => {
    const f = e.card.fields;
    const after = lastPulseUs
      ? ` ${((e.receivedAtUs - lastPulseUs) / 1000).toFixed(1)} ms after its last pulse`
      : "";
    say(
      `reader ${e.port}: ${e.card.format} card, facility ${f.facility ?? "-"}, number ${f.card}, decoded${after}`,
    );
  });
  bus.on("unreadable", (e) =>
    say(`reader ${e.port}: unreadable card (${e.error.code}: ${e.error.message})`),
  );
  bus.on("input", (e) =>
    say(
      `input ${["door contact", "request-to-exit", "tamper"][e.input] ?? e.input}: ${e.active ? "active" : "inactive"}`,
    ),
  );
  bus.on("relay", (e) =>
    say(`lock relay ${e.relay} ${e.on ? "ON (strike released)" : "off (locked)"} [${e.cause}]`),
  );

  try {
    await bus.start();
    await until(() => bus.linkState === "online", 5000, "the board");
    const present = async (format: string, fields: Record<string, number>) => {
      const played = await sim.request("present", { port: 0, format, fields });
      lastPulseUs = played.lastPulseUs as number;
      await pause(150);
    };
    say("an engineer presents a 26-bit card (HID timing: about 50 ms on the wire)");
    await present("H10301", { facility: 18, card: 12345 });
    say("the edge pulses the lock strike for 1.5 s; the engineer opens and closes the door");
    bus.pulseRelay(0, 1500);
    bus.feedback(0, "green", true, 300);
    await pause(300);
    await sim.request("door", { open: true });
    await pause(1500);
    await sim.request("door", { open: false });
    await pause(200);
    say("a Corporate 1000 card and a 37-bit card (never cut at 26 bits)");
    await present("C1000_35", { facility: 1234, card: 567890 });
    await present("H10304", { facility: 4660, card: 300000 });
    say("a card with a flipped parity bit");
    const good = "00001001000110000001110011";
    await sim.request("present", { port: 0, bits: `${good.slice(0, 25)}0` });
    await pause(150);
    say("someone presses request-to-exit");
    await sim.request("rex", { holdMs: 300 });
    await pause(500);
    say("the serial line is cut; two cards are read meanwhile");
    await sim.request("line", { connected: false });
    await until(() => bus.linkState === "offline", 3000, "the cut");
    await present("H10301", { facility: 18, card: 1001 });
    await present("H10301", { facility: 18, card: 1002 });
    say("the line is restored: the board delivers what it kept");
    await sim.request("line", { connected: true });
    await until(() => bus.stats().cards >= 5, 5000, "the held cards");
    await pause(300);
    const s = bus.stats();
    say(
      `done: ${s.cards} cards decoded, ${s.unreadableCards} unreadable, ${s.badCrc} bad CRCs, ${s.garbageBytes} garbage bytes`,
    );
  } finally {
    await bus.stop();
    await sim.kill();
    await pty.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
