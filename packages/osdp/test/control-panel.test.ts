import { describe, expect, it } from "vitest";
import { osdpCrc16 } from "../src/check.js";
import { decodePacket, encodePacket } from "../src/packet.js";
import { KEY_A, KEY_B, TestApp, testBus } from "./support/test-bus.js";

const EIGHT = [1, 2, 3, 4, 5, 6, 7, 8];

describe("ControlPanel with PDs on one bus", () => {
  it("brings every PD online through ID, CAP and the secure channel", () => {
    const bus = testBus(
      EIGHT.map((address) => ({ address, scbk: KEY_A })),
      { pds: EIGHT.map((address) => ({ address, scbk: KEY_A })) },
    );
    bus.panel.start();
    bus.clock.tick(500);
    for (const address of EIGHT) {
      expect(bus.online(address)).toBe(true);
      const link = bus.panel.pd(address);
      expect(link?.state).toBe("online");
      expect(link?.session).toBeDefined();
      expect(link?.identification?.serialNumber).toBe(0x01020304);
    }
    expect(bus.devices.every((d) => d.device.secure)).toBe(true);
    // Polling goes on, each PD in turn, all inside the secure channel.
    const polls = bus.panel.bus.snapshot().cycles;
    bus.clock.tick(200);
    expect(bus.panel.bus.snapshot().cycles).toBeGreaterThan(polls + 5);
    expect(bus.errors).toEqual([]);
  });

  it("delivers a card read on the next poll, once", () => {
    const bus = testBus([{ address: 1, scbk: KEY_A }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    bus.devices[0]?.app.card(26, [0x12, 0x34, 0x56, 0x40]);
    bus.clock.tick(50);
    const cards = bus.events.filter((e) => e.type === "event");
    expect(cards).toHaveLength(1);
    expect(cards[0]?.detail).toMatchObject({ kind: "raw", bitCount: 26 });
  });

  it("sends an urgent command before the next poll and resolves with the reply", async () => {
    const bus = testBus(
      [
        { address: 1, scbk: KEY_A },
        { address: 2, scbk: KEY_A },
      ],
      {
        pds: [
          { address: 1, scbk: KEY_A },
          { address: 2, scbk: KEY_A },
        ],
      },
    );
    bus.panel.start();
    bus.clock.tick(100);
    const before = bus.written.length;
    const reply = bus.panel.send(
      2,
      { kind: "out", outputs: [{ output: 0, controlCode: 5, timer100ms: 50 }] },
      { urgent: true },
    );
    bus.clock.tick(10);
    await expect(reply).resolves.toEqual({ kind: "ack" });
    // A poll is in flight when the command is queued; the next frame is the OUT to PD 2.
    const next = decodePacket((bus.written[before] as Uint8Array).subarray(1));
    expect(next.address).toBe(2);
    expect(next.security?.type).toBe(0x17);
    expect(bus.devices[1]?.app.handled).toContainEqual({
      kind: "out",
      outputs: [{ output: 0, controlCode: 5, timer100ms: 50 }],
    });
  });

  it("rejects a command the PD NAKs, and keeps the PD online", async () => {
    const bus = testBus([{ address: 1, scbk: KEY_A }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    const reply = bus.panel.send(1, {
      kind: "out",
      outputs: [{ output: 9, controlCode: 2, timer100ms: 0 }],
    });
    bus.clock.tick(20);
    await expect(reply).rejects.toMatchObject({ code: "NAK" });
    expect(bus.panel.pd(1)?.state).toBe("online");
  });

  it("enrols a PD in install mode: SCBK-D, KEYSET, then its own key", () => {
    const keys: Uint8Array[] = [];
    const bus = testBus([{ address: 3, installMode: true, onKeyChange: (k) => keys.push(k) }], {
      pds: [{ address: 3, scbk: KEY_B, install: true }],
      allowInstallMode: true,
    });
    bus.panel.start();
    bus.clock.tick(500);
    expect(bus.events.map((e) => e.type)).toEqual(["keyInstalled", "online"]);
    expect(keys).toEqual([KEY_B]);
    expect(bus.panel.pd(3)?.stats.sessions).toBe(2);
  });

  it("refuses install mode unless the bus allows it", () => {
    const bus = testBus([{ address: 3, installMode: true }], {
      pds: [{ address: 3, scbk: KEY_B, install: true }],
    });
    bus.panel.start();
    bus.clock.tick(2000);
    expect(bus.online(3)).toBe(false);
    expect(bus.errors.map((e) => e.code)).toContain("NAK");
  });

  it("detects a wrong key and keeps the PD offline", () => {
    const bus = testBus([{ address: 1, scbk: KEY_B }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(2000);
    expect(bus.online(1)).toBe(false);
    expect(bus.errors.map((e) => e.code)).toContain("BAD_CRYPTOGRAM");
  });

  it("refuses a PD without a key when clear text is forbidden", () => {
    expect(() => testBus([], { pds: [{ address: 1 }] })).toThrow(/clear text/);
  });

  it("runs a PD in clear text only when the bus allows it", () => {
    const bus = testBus([{ address: 1, requireSecure: false }], {
      pds: [{ address: 1 }],
      requireSecure: false,
    });
    bus.panel.start();
    bus.clock.tick(100);
    expect(bus.online(1)).toBe(true);
    expect(bus.panel.pd(1)?.session).toBeUndefined();
  });

  it("takes a PD offline when it leaves the bus and brings it back when it returns", () => {
    const bus = testBus(
      [
        { address: 1, scbk: KEY_A },
        { address: 2, scbk: KEY_A },
      ],
      {
        pds: [
          { address: 1, scbk: KEY_A },
          { address: 2, scbk: KEY_A },
        ],
      },
    );
    bus.panel.start();
    bus.clock.tick(100);
    bus.detach(2);
    bus.clock.tick(2000);
    expect(bus.events.some((e) => e.type === "offline" && e.address === 2)).toBe(true);
    // PD 1 is still served meanwhile.
    const served = bus.panel.pd(1)?.stats.replies ?? 0;
    bus.clock.tick(1000);
    expect(bus.panel.pd(1)?.stats.replies ?? 0).toBeGreaterThan(served + 10);
    bus.attach(2);
    bus.clock.tick(10_000);
    expect(bus.events.filter((e) => e.type === "online" && e.address === 2)).toHaveLength(2);
    expect(bus.panel.pd(2)?.stats.offlineCount).toBe(1);
  });

  it("retries a lost reply with the same sequence; the PD replays it and no event doubles", () => {
    const bus = testBus([{ address: 1, scbk: KEY_A }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    let drop = true;
    bus.setTamper((reply) => {
      if (drop && decodePacket(reply.subarray(1)).security?.type === 0x18) {
        drop = false;
        return undefined;
      }
      return reply;
    });
    bus.devices[0]?.app.card(26, [1, 2, 3, 0]);
    bus.clock.tick(1000);
    expect(bus.events.filter((e) => e.type === "event")).toHaveLength(1);
    expect(bus.devices[0]?.device.stats.replays).toBe(1);
    expect(bus.panel.pd(1)?.stats.retries).toBe(1);
    expect(bus.panel.pd(1)?.state).toBe("online");
  });

  it("detects a bad MAC, re-establishes the session and still delivers the command", async () => {
    const bus = testBus([{ address: 1, scbk: KEY_A }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    let corrupt = true;
    bus.setTamper((reply) => {
      const packet = decodePacket(reply.subarray(1));
      if (!corrupt || packet.security?.type !== 0x16) return reply;
      corrupt = false;
      const bad = reply.slice();
      bad[bad.length - 3] = (bad[bad.length - 3] as number) ^ 0xff; // last MAC byte; the CRC is made good again
      const crc = osdpCrc16(bad, 1, bad.length - 2);
      bad[bad.length - 2] = crc & 0xff;
      bad[bad.length - 1] = crc >> 8;
      return bad;
    });
    bus.clock.tick(50);
    expect(bus.errors.map((e) => e.code)).toContain("BAD_MAC");
    expect(bus.panel.pd(1)?.stats.badMac).toBe(1);
    const reply = bus.panel.send(1, { kind: "ostat" });
    bus.clock.tick(100);
    await expect(reply).resolves.toMatchObject({ kind: "ostatr" });
    expect(bus.panel.pd(1)?.stats.sessions).toBe(2);
  });

  it("counts garbage, a PD answering for another address, and out-of-sequence replies", () => {
    const bus = testBus([{ address: 1, scbk: KEY_A }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    bus.inject(Uint8Array.of(1, 2, 3, 0x53, 0xff, 0xff, 9));
    bus.setTamper((reply) => {
      const wrong = reply.slice();
      wrong[2] = 0x85; // address 5 answers instead of 1
      const crc = osdpCrc16(wrong, 1, wrong.length - 2);
      wrong[wrong.length - 2] = crc & 0xff;
      wrong[wrong.length - 1] = crc >> 8;
      return wrong;
    });
    bus.clock.tick(5);
    bus.setTamper(undefined);
    bus.clock.tick(2000);
    const codes = bus.errors.map((e) => e.code);
    expect(codes).toContain("GARBAGE");
    expect(codes).toContain("WRONG_ADDRESS");
    expect(bus.panel.pd(1)?.state).toBe("online");
  });

  it("uses the checksum when the PD cannot do CRC", () => {
    const app = new TestApp();
    app.capabilities = app.capabilities.map((c) =>
      c.functionCode === 8 ? { ...c, compliance: 0 } : c,
    );
    const bus = testBus([{ address: 1, scbk: KEY_A, app }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    const last = bus.written[bus.written.length - 1] as Uint8Array;
    expect(decodePacket(last.subarray(1)).crc).toBe(false);
    expect(bus.online(1)).toBe(true);
  });

  it("restarts the PD's link when it reports a sequence error", () => {
    const bus = testBus([{ address: 1, scbk: KEY_A }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    const link = bus.panel.pd(1);
    let nak = true;
    bus.setTamper((reply) => {
      if (!nak) return reply;
      nak = false;
      const { sequence } = decodePacket(reply.subarray(1));
      return encodePacket(
        { address: 1, reply: true, sequence, crc: true },
        0x41,
        Uint8Array.of(4),
        {
          mark: true,
        },
      );
    });
    bus.clock.tick(200);
    expect(bus.errors.map((e) => e.message).join()).toMatch(/NAK 0x04/);
    expect(link?.state).toBe("online");
    expect(link?.stats.sessions).toBe(2);
  });

  it("re-establishes the session with a PD that restarted", () => {
    const bus = testBus([{ address: 1, scbk: KEY_A }], { pds: [{ address: 1, scbk: KEY_A }] });
    bus.panel.start();
    bus.clock.tick(100);
    bus.restartPd(1);
    bus.clock.tick(200);
    expect(bus.panel.pd(1)?.state).toBe("online");
    expect(bus.panel.pd(1)?.stats.sessions).toBe(2);
    expect(bus.errors.map((e) => e.message).join()).toMatch(/NAK 0x05/);
  });

  it("moves the whole bus to another baud rate with COMSET", async () => {
    const switched: Array<[number, number]> = [];
    const bus = testBus(
      [1, 2].map((address) => ({
        address,
        scbk: KEY_A,
        onComset: (a: number, baud: number) => switched.push([a, baud]),
      })),
      { pds: [1, 2].map((address) => ({ address, scbk: KEY_A })), baudRate: 9600 },
    );
    bus.panel.start();
    bus.clock.tick(2000);
    const change = bus.panel.changeBaudRate(115200);
    await bus.clock.tickAsync(200);
    await change;
    expect(switched).toEqual([
      [1, 115200],
      [2, 115200],
    ]);
    expect(bus.panel.currentBaudRate).toBe(115200);
    bus.clock.tick(200);
    expect(bus.panel.pds.every((pd) => pd.state === "online")).toBe(true);
  });
});
