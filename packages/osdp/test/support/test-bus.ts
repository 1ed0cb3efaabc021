import { randomBytes } from "node:crypto";
import FakeTimers from "@sinonjs/fake-timers";
import { ControlPanel, type ControlPanelOptions } from "../../src/cp/control-panel.js";
import type { OsdpError } from "../../src/errors.js";
import { Framer } from "../../src/framer.js";
import type { Capability, Command, Reply } from "../../src/messages/types.js";
import type { PdApplication } from "../../src/pd/application.js";
import { PeripheralDevice, type PeripheralOptions } from "../../src/pd/peripheral.js";

/** A PD application for link-layer tests: answers OUT and LED, hands out queued events. */
export class TestApp implements PdApplication {
  readonly identification = {
    vendorCode: Uint8Array.of(0x5c, 0x26, 0x23),
    model: 1,
    version: 2,
    serialNumber: 0x01020304,
    firmware: { major: 1, minor: 2, build: 3 },
  };
  capabilities: Capability[] = [
    { functionCode: 2, compliance: 1, numberOf: 4 },
    { functionCode: 3, compliance: 1, numberOf: 0 },
    { functionCode: 4, compliance: 1, numberOf: 1 },
    { functionCode: 8, compliance: 1, numberOf: 0 },
    { functionCode: 9, compliance: 1, numberOf: 1 },
  ];
  readonly handled: Command[] = [];
  readonly events: Reply[] = [];

  handle(command: Command): Reply {
    this.handled.push(command);
    if (command.kind === "out" && command.outputs.some((o) => o.output >= 4))
      return { kind: "nak", errorCode: 0x09, data: new Uint8Array(0) };
    if (command.kind === "ostat") return { kind: "ostatr", outputs: [0, 0, 0, 0] };
    return { kind: "ack" };
  }

  nextEvent(): Reply | undefined {
    return this.events.shift();
  }

  card(bits: number, data: number[]): void {
    this.events.push({
      kind: "raw",
      reader: 0,
      format: 1,
      bitCount: bits,
      data: Uint8Array.from(data),
    });
  }
}

export const KEY_A = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
export const KEY_B = Uint8Array.from({ length: 16 }, (_, i) => 0xb0 + i);

export interface BusEvent {
  readonly type: string;
  readonly address?: number;
  readonly detail?: unknown;
}

/**
 * A CP and PDs joined by an in-memory bus on fake timers: each direction is delivered
 * after a fixed latency; `tamper` may rewrite or drop a PD's reply.
 */
export function testBus(
  pds: Array<Partial<PeripheralOptions> & { address: number; app?: TestApp }>,
  cp: Partial<ControlPanelOptions> & Pick<ControlPanelOptions, "pds">,
) {
  const clock = FakeTimers.createClock(0);
  const events: BusEvent[] = [];
  const errors: OsdpError[] = [];
  const pdErrors: OsdpError[] = [];
  const detached = new Set<number>();
  let commandTamper: ((command: Uint8Array) => Uint8Array) | undefined;
  let tamper: ((reply: Uint8Array, address: number) => Uint8Array | undefined) | undefined;
  const makeDevice = (p: (typeof pds)[number], app: TestApp) =>
    new PeripheralDevice({
      installMode: false,
      requireSecure: true,
      clientUid: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, p.address),
      random: (n) => randomBytes(n),
      onError: (e) => pdErrors.push(e),
      ...p,
      app,
    });
  const devices = pds.map((p) => {
    const app = p.app ?? new TestApp();
    return { device: makeDevice(p, app), app };
  });
  const pdFramer = new Framer({
    frame: (frame) => {
      for (const { device } of devices) {
        if (detached.has(device.currentAddress)) continue;
        let reply = device.receive(frame.bytes, frame.marked);
        if (!reply) continue;
        if (tamper) reply = tamper(reply, device.currentAddress);
        if (reply) {
          const bytes = reply;
          clock.setTimeout(() => panel.receive(bytes), 2);
        }
      }
    },
    error: () => {},
  });
  const written: Uint8Array[] = [];
  const panel = new ControlPanel({
    line: {
      write: (bytes) => {
        written.push(bytes);
        const sent = commandTamper ? commandTamper(bytes) : bytes;
        clock.setTimeout(() => pdFramer.push(sent), 2);
      },
    },
    clock: {
      now: () => clock.now,
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (h) => clock.clearTimeout(h as never),
    },
    random: (n) => randomBytes(n),
    baudRate: 115200,
    handlers: {
      online: (address, info) => events.push({ type: "online", address, detail: info }),
      offline: (address, reason) => events.push({ type: "offline", address, detail: reason }),
      event: (address, reply) => events.push({ type: "event", address, detail: reply }),
      error: (err) => errors.push(err),
      keyInstalled: (address) => events.push({ type: "keyInstalled", address }),
    },
    ...cp,
  });
  return {
    clock,
    panel,
    devices,
    events,
    errors,
    pdErrors,
    written,
    detach: (address: number) => detached.add(address),
    attach: (address: number) => detached.delete(address),
    setTamper: (fn: typeof tamper) => {
      tamper = fn;
    },
    /** The PD loses its link state, as after a power cycle; its key stays. */
    restartPd: (address: number) => {
      const index = pds.findIndex((p) => p.address === address);
      const entry = devices[index];
      if (entry) entry.device = makeDevice(pds[index] as (typeof pds)[number], entry.app);
    },
    setCommandTamper: (fn: typeof commandTamper) => {
      commandTamper = fn;
    },
    /** Injects bytes towards the CP, as noise or a misbehaving device would. */
    inject: (bytes: Uint8Array) => panel.receive(bytes),
    online: (address: number) => events.some((e) => e.type === "online" && e.address === address),
  };
}
