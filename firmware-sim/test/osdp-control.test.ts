import { encode, H10301 } from "@acs/wiegand";
import { beforeEach, describe, expect, it } from "vitest";
import type { ControlRequest } from "../src/control/control-protocol.js";
import { CardReaderPd, packBits } from "../src/osdp/card-reader.js";
import { seededRng } from "../src/osdp/fingerprint.js";
import { FingerprintTerminalPd } from "../src/osdp/fingerprint-terminal.js";
import { IoModulePd } from "../src/osdp/io-module.js";
import {
  OSDP_CONTROL_COMMANDS,
  OsdpControl,
  type OsdpSimPd,
  outputEventLine,
} from "../src/osdp/osdp-control.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";

let time: FakeTime;
let lines: Record<string, unknown>[];
let pds: Map<number, OsdpSimPd>;
let control: OsdpControl;

beforeEach(() => {
  time = createFakeTime();
  lines = [];
  const emit = (address: number) => (event: PdOutputEvent) =>
    lines.push(outputEventLine(address, event));
  pds = new Map<number, OsdpSimPd>([
    [1, new CardReaderPd({ clock: time.clock, onOutput: emit(1) })],
    [2, new FingerprintTerminalPd({ clock: time.clock, rng: seededRng(1), onOutput: emit(2) })],
    [3, new IoModulePd({ clock: time.clock, onOutput: emit(3) })],
  ]);
  control = new OsdpControl({ pd: (address) => pds.get(address) });
});

const run = (request: ControlRequest) => control.handle(request);
const errorCode = (request: ControlRequest) =>
  control.handle(request).then(
    () => "ok",
    (err: { code?: string }) => err.code,
  );

describe("OsdpControl", () => {
  it("presents a card by format and fields, or by raw bits", async () => {
    const bits = encode(H10301, { facility: 1, card: 2 });
    expect(
      await run({ cmd: "present", address: 1, format: "H10301", fields: { facility: 1, card: 2 } }),
    ).toEqual({
      bits,
    });
    await run({ cmd: "present", address: 2, bits: "1011", rawFormat: "raw" });
    expect(pds.get(1)!.nextEvent()).toEqual({
      kind: "raw",
      reader: 0,
      format: 1,
      bitCount: 26,
      data: packBits(bits),
    });
    expect(pds.get(2)!.nextEvent()).toMatchObject({ kind: "raw", format: 0, bitCount: 4 });
  });

  it("reports bad card requests", async () => {
    expect(await errorCode({ cmd: "present", address: 1, format: "NOPE", fields: {} })).toBe(
      "BAD_REQUEST",
    );
    expect(
      await errorCode({
        cmd: "present",
        address: 1,
        format: "H10301",
        fields: { facility: 999, card: 1 },
      }),
    ).toBe("FIELD_RANGE");
    expect(await errorCode({ cmd: "present", address: 1, bits: "12" })).toBe("BAD_REQUEST");
    expect(await errorCode({ cmd: "present", address: 1, bits: "1", rawFormat: "x" })).toBe(
      "BAD_REQUEST",
    );
    expect(await errorCode({ cmd: "present", address: 3, bits: "1" })).toBe("UNSUPPORTED");
    expect(await errorCode({ cmd: "present", address: 9, bits: "1" })).toBe("NO_SUCH_PD");
    expect(await errorCode({ cmd: "present", bits: "1" })).toBe("BAD_REQUEST");
  });

  it("presses keys, presents fingers, sets inputs, tamper and power", async () => {
    await run({ cmd: "keys", address: 1, digits: "12#" });
    expect(pds.get(1)!.nextEvent()).toEqual({ kind: "keypad", reader: 0, digits: "12#" });
    expect(await run({ cmd: "finger", address: 2, fingerId: "alice" })).toEqual({
      operation: "none",
      queued: false,
    });
    pds.get(2)!.handle({ kind: "bioread", reader: 0, bioType: 0, bioFormat: 0, quality: 0 });
    expect(await run({ cmd: "finger", address: 2, fingerId: "alice" })).toMatchObject({
      operation: "read",
      queued: true,
    });
    expect(await errorCode({ cmd: "finger", address: 1, fingerId: "alice" })).toBe("UNSUPPORTED");
    expect(await run({ cmd: "input", address: 3, input: 2, active: true })).toEqual({
      changed: true,
    });
    expect(await errorCode({ cmd: "input", address: 3, input: 7, active: true })).toBe(
      "BAD_REQUEST",
    );
    expect(await errorCode({ cmd: "input", address: 1, input: 0, active: true })).toBe(
      "UNSUPPORTED",
    );
    expect(await run({ cmd: "tamper", address: 3, active: true })).toEqual({ changed: true });
    expect(await run({ cmd: "power", address: 1, failed: true })).toEqual({ changed: true });
    expect(pds.get(3)!.nextEvent()).toEqual({ kind: "istatr", inputs: [0, 0, 1, 0] });
    expect(pds.get(3)!.nextEvent()).toEqual({ kind: "lstatr", tamper: 1, power: 0 });
  });

  it("reports a full event queue", async () => {
    for (let i = 0; i < 64; i++) await run({ cmd: "keys", address: 1, digits: "1" });
    expect(await errorCode({ cmd: "keys", address: 1, digits: "1" })).toBe("QUEUE_FULL");
    expect(pds.get(1)!.eventOverflows).toBe(1);
  });

  it("describes a PD's state", async () => {
    pds
      .get(1)!
      .handle({ kind: "buz", reader: 0, toneCode: 2, onTime100ms: 1, offTime100ms: 0, count: 0 });
    expect(await run({ cmd: "pd-state", address: 1 })).toEqual({
      kind: "card-reader",
      tamper: false,
      powerFailure: false,
      pendingEvents: 0,
      eventOverflows: 0,
      leds: ["off"],
      buzzer: true,
      text: "",
    });
    expect(await run({ cmd: "pd-state", address: 2 })).toMatchObject({
      kind: "fingerprint-terminal",
      bioOperation: null,
    });
    expect(await run({ cmd: "pd-state", address: 3 })).toMatchObject({
      kind: "io-module",
      outputs: [false, false, false, false],
      inputs: [false, false, false, false],
    });
  });

  it("turns output changes into event lines naming the PD", () => {
    const t0 = time.clock.nowUs();
    pds.get(3)!.handle({ kind: "out", outputs: [{ output: 1, controlCode: 5, timer100ms: 2 }] });
    time.advanceUs(200_000);
    expect(lines).toEqual([
      { event: "relay", output: 1, on: true, atUs: t0, address: 3 },
      { event: "relay", output: 1, on: false, atUs: t0 + 200_000, address: 3 },
    ]);
  });

  it("leaves other commands to whoever wires it up", async () => {
    expect(OSDP_CONTROL_COMMANDS.has("detach")).toBe(false);
    expect(await errorCode({ cmd: "detach", address: 1 })).toBe("UNKNOWN_COMMAND");
  });
});
