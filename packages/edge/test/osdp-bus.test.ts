import { randomBytes } from "node:crypto";
import {
  type Capability,
  type Command,
  Framer,
  type PdApplication,
  PeripheralDevice,
  type Reply,
} from "@acs/osdp";
import { memoryTransportPair } from "@acs/serial-transport";
import { FORMATS } from "@acs/wiegand";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { OsdpBus } from "../src/buses/osdp/osdp-bus.js";
import { OsdpFingerprintTerminal } from "../src/buses/osdp/osdp-terminal.js";
import { rawBits } from "../src/buses/osdp/raw-card.js";
import type { CardRead, CardUnreadable } from "../src/buses/reader-bus.js";
import { fakeClock } from "./fake-clock.js";

const KEY = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
const CAPS: Capability[] = [
  { functionCode: 2, compliance: 1, numberOf: 4 },
  { functionCode: 4, compliance: 1, numberOf: 1 },
  { functionCode: 8, compliance: 1, numberOf: 0 },
  { functionCode: 9, compliance: 1, numberOf: 1 },
];

/** One small PD that reads cards, drives outputs, has inputs and matches fingers. */
class FakePd implements PdApplication {
  readonly identification = {
    vendorCode: Uint8Array.of(1, 2, 3),
    model: 1,
    version: 1,
    serialNumber: 42,
    firmware: { major: 1, minor: 0, build: 0 },
  };
  readonly capabilities = CAPS;
  readonly commands: Command[] = [];
  readonly events: Reply[] = [];
  finger: number | undefined;
  handle(command: Command): Reply {
    this.commands.push(command);
    if (command.kind === "biomatch") {
      if (this.finger !== undefined)
        this.events.push({ kind: "biomatchr", reader: 0, status: 0, score: this.finger });
    }
    return { kind: "ack" };
  }
  nextEvent(): Reply | undefined {
    return this.events.shift();
  }
}

function rig(addresses: number[]) {
  const { clock, fake } = fakeClock();
  const [edge, device] = memoryTransportPair();
  const apps = new Map(addresses.map((a) => [a, new FakePd()]));
  const pds = addresses.map(
    (address) =>
      new PeripheralDevice({
        address,
        app: apps.get(address) as FakePd,
        scbk: KEY,
        installMode: false,
        requireSecure: true,
        clientUid: new Uint8Array(8),
        random: (n) => randomBytes(n),
      }),
  );
  const framer = new Framer({
    frame: (f) => {
      for (const pd of pds) {
        const reply = pd.receive(f.bytes, f.marked);
        // A real bus takes time: without it the CP would poll forever in zero fake time.
        if (reply) fake.setTimeout(() => device.write(reply), 1);
      }
    },
    error: () => {},
  });
  void device.open({ data: (chunk) => framer.push(chunk), closed: () => {} });
  const bus = new OsdpBus({
    transport: edge,
    clock,
    log: pino({ level: "silent" }),
    baudRate: 115200,
    pds: addresses.map((address) => ({ address, scbk: KEY })),
    readers: [{ address: 1, formats: [FORMATS.H10301 as never] }],
    requireSecure: true,
    allowInstallMode: false,
  });
  return { clock, fake, bus, apps, edge };
}

/** 26-bit H10301, facility 12, card 3456, parity included. */
function h10301(): { data: Uint8Array; bits: number } {
  const fields = "00001100" + "0000110110000000";
  const left =
    fields
      .slice(0, 12)
      .split("")
      .filter((b) => b === "1").length %
      2 ===
    0
      ? "0"
      : "1";
  const right =
    fields
      .slice(12)
      .split("")
      .filter((b) => b === "1").length %
      2 ===
    0
      ? "1"
      : "0";
  const bits = left + fields + right;
  const data = new Uint8Array(4);
  for (let i = 0; i < bits.length; i++)
    if (bits[i] === "1") data[i >> 3] = (data[i >> 3] as number) | (0x80 >> (i & 7));
  return { data, bits: bits.length };
}

describe("OsdpBus", () => {
  it("decodes a card from osdp_RAW with the reader's formats", async () => {
    const { fake, bus, apps } = rig([1]);
    const cards: CardRead[] = [];
    bus.on("card", (e) => cards.push(e));
    await bus.start();
    await fake.tickAsync(200);
    const { data, bits } = h10301();
    apps.get(1)?.events.push({ kind: "raw", reader: 0, format: 1, bitCount: bits, data });
    await fake.tickAsync(50);
    expect(cards).toHaveLength(1);
    expect(cards[0]?.port).toBe(1);
    expect(cards[0]?.card.fields).toMatchObject({ facility: 12, card: 3456 });
    await bus.stop();
  });

  it("reports an unreadable card and a card from a PD that is no reader", async () => {
    const { fake, bus, apps } = rig([1, 2]);
    const bad: CardUnreadable[] = [];
    bus.on("unreadable", (e) => bad.push(e));
    await bus.start();
    await fake.tickAsync(200);
    apps
      .get(1)
      ?.events.push({ kind: "raw", reader: 0, format: 1, bitCount: 5, data: Uint8Array.of(0xf8) });
    apps
      .get(2)
      ?.events.push({ kind: "raw", reader: 0, format: 1, bitCount: 5, data: Uint8Array.of(0xf8) });
    await fake.tickAsync(50);
    expect(bad.map((e) => e.error.code)).toEqual(["UNKNOWN_LENGTH"]);
    await bus.stop();
  });

  it("pulses an output with a timed OUT and shows feedback with LED and BUZ", async () => {
    const { fake, bus, apps } = rig([1, 8]);
    await bus.start();
    await fake.tickAsync(200);
    bus.pulseRelay(2, 5000, 8);
    bus.feedback(1, "green", true, 300);
    await fake.tickAsync(20);
    expect(apps.get(8)?.commands).toContainEqual({
      kind: "out",
      outputs: [{ output: 2, controlCode: 5, timer100ms: 50 }],
    });
    const kinds = apps.get(1)?.commands.map((c) => c.kind);
    expect(kinds).toEqual(["led", "buz"]);
    await bus.stop();
  });

  it("turns input status changes into input events", async () => {
    const { fake, bus, apps } = rig([8]);
    const inputs: unknown[] = [];
    bus.on("input", (e) => inputs.push({ address: e.address, input: e.input, active: e.active }));
    await bus.start();
    await fake.tickAsync(200);
    apps.get(8)?.events.push({ kind: "istatr", inputs: [1, 0, 0, 0] });
    apps.get(8)?.events.push({ kind: "istatr", inputs: [1, 1, 0, 0] });
    await fake.tickAsync(50);
    expect(inputs).toEqual([
      { address: 8, input: 0, active: true },
      { address: 8, input: 1, active: true },
    ]);
    await bus.stop();
  });

  it("matches a finger on the terminal: BIOMATCH, then BIOMATCHR on a poll", async () => {
    const { clock, fake, bus, apps } = rig([7]);
    await bus.start();
    await fake.tickAsync(200);
    const terminal = new OsdpFingerprintTerminal({ id: "t", bus, address: 7, clock });
    (apps.get(7) as FakePd).finger = 93;
    const outcome = terminal.verify({ template: Uint8Array.of(1, 2, 3), timeoutMs: 1000 });
    await fake.tickAsync(50);
    await expect(outcome).resolves.toEqual({ kind: "match", score: 93 });
    (apps.get(7) as FakePd).finger = undefined;
    const none = terminal.verify({ template: Uint8Array.of(1, 2, 3), timeoutMs: 1000 });
    await fake.tickAsync(2000);
    await expect(none).resolves.toEqual({ kind: "timeout" });
    expect(apps.get(7)?.commands.map((c) => c.kind)).toContain("abort");
    await bus.stop();
  });

  it("keeps serving after the device goes away and comes back", async () => {
    const { fake, bus, edge } = rig([1]);
    const states: string[] = [];
    bus.on("pd", (e) => states.push(e.state));
    await bus.start();
    await fake.tickAsync(200);
    edge.unplug();
    await fake.tickAsync(3000);
    expect(states).toEqual(["online", "offline"]);
    edge.present = true;
    await fake.tickAsync(10_000);
    expect(states.at(-1)).toBe("online");
    await bus.stop();
  });
});

describe("rawBits", () => {
  it("unpacks MSB first and stops at the bit count", () => {
    expect(rawBits(Uint8Array.of(0b10110000), 4)).toBe("1011");
  });
});
