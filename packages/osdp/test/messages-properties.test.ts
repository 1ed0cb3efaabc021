import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OsdpError } from "../src/errors.js";
import {
  COMMAND_CODES,
  type Command,
  type CommandKind,
  decodeCommand,
  decodeReply,
  encodeCommand,
  encodeReply,
  type LedControl,
  REPLY_CODES,
  type Reply,
  type ReplyKind,
  SCBK,
} from "../src/messages/index.js";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i16 = fc.integer({ min: -0x8000, max: 0x7fff });
const address = fc.integer({ min: 0, max: 0x7e });
const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const someBytes = (maxLength: number) => fc.uint8Array({ maxLength });
const charsIn = (min: number, max: number, maxLength: number) =>
  fc.array(fc.integer({ min, max }), { maxLength }).map((codes) => String.fromCharCode(...codes));

const led: fc.Arbitrary<LedControl> = fc.record({
  reader: u8,
  led: u8,
  temporary: fc.record({
    controlCode: u8,
    onTime100ms: u8,
    offTime100ms: u8,
    onColor: u8,
    offColor: u8,
    timer100ms: u16,
  }),
  permanent: fc.record({
    controlCode: u8,
    onTime100ms: u8,
    offTime100ms: u8,
    onColor: u8,
    offColor: u8,
  }),
});

/** A fragment that lies inside its file, as the layout requires. */
const fileTransfer = fc
  .tuple(u8, someBytes(64), fc.integer({ min: 0, max: 0xffffffff - 64 }), u32)
  .map(([fileType, data, offset, slack]) => ({
    kind: "filetransfer" as const,
    fileType,
    offset,
    data,
    totalSize: Math.min(offset + data.length + slack, 0xffffffff),
  }));

/** Keyed by kind, so the compiler insists every command has an arbitrary. */
const COMMANDS: { [K in CommandKind]: fc.Arbitrary<Extract<Command, { kind: K }>> } = {
  poll: fc.constant({ kind: "poll" }),
  id: fc.constant({ kind: "id" }),
  cap: fc.constant({ kind: "cap" }),
  lstat: fc.constant({ kind: "lstat" }),
  istat: fc.constant({ kind: "istat" }),
  ostat: fc.constant({ kind: "ostat" }),
  rstat: fc.constant({ kind: "rstat" }),
  out: fc
    .array(fc.record({ output: u8, controlCode: u8, timer100ms: u16 }), {
      minLength: 1,
      maxLength: 6,
    })
    .map((outputs) => ({ kind: "out", outputs })),
  led: fc.array(led, { minLength: 1, maxLength: 4 }).map((leds) => ({ kind: "led", leds })),
  buz: fc.record({
    kind: fc.constant("buz"),
    reader: u8,
    toneCode: u8,
    onTime100ms: u8,
    offTime100ms: u8,
    count: u8,
  }),
  text: fc.record({
    kind: fc.constant("text"),
    reader: u8,
    command: u8,
    tempTextSeconds: u8,
    row: u8,
    column: u8,
    text: charsIn(0x20, 0x7e, 40),
  }),
  comset: fc.record({ kind: fc.constant("comset"), address, baudRate: u32 }),
  keyset: fc.oneof(
    fc.record({ kind: fc.constant("keyset"), keyType: fc.constant(SCBK), key: bytes(16) }),
    fc.record({
      kind: fc.constant("keyset"),
      keyType: u8.filter((type) => type !== SCBK),
      key: someBytes(32),
    }),
  ),
  chlng: fc.record({ kind: fc.constant("chlng"), rndA: bytes(8) }),
  scrypt: fc.record({ kind: fc.constant("scrypt"), serverCryptogram: bytes(16) }),
  bioread: fc.record({
    kind: fc.constant("bioread"),
    reader: u8,
    bioType: u8,
    bioFormat: u8,
    quality: u8,
  }),
  biomatch: fc.record({
    kind: fc.constant("biomatch"),
    reader: u8,
    bioType: u8,
    bioFormat: u8,
    qualityThreshold: u8,
    template: someBytes(64),
  }),
  acurxsize: fc.record({ kind: fc.constant("acurxsize"), maxReceiveSize: u16 }),
  filetransfer: fileTransfer,
  mfg: fc.record({ kind: fc.constant("mfg"), vendorCode: bytes(3), data: someBytes(32) }),
  abort: fc.constant({ kind: "abort" }),
  keepactive: fc.record({ kind: fc.constant("keepactive"), keepAliveMs: u16 }),
};

const REPLIES: { [K in ReplyKind]: fc.Arbitrary<Extract<Reply, { kind: K }>> } = {
  ack: fc.constant({ kind: "ack" }),
  nak: fc.record({ kind: fc.constant("nak"), errorCode: u8, data: someBytes(8) }),
  pdid: fc.record({
    kind: fc.constant("pdid"),
    vendorCode: bytes(3),
    model: u8,
    version: u8,
    serialNumber: u32,
    firmware: fc.record({ major: u8, minor: u8, build: u8 }),
  }),
  pdcap: fc
    .array(fc.record({ functionCode: u8, compliance: u8, numberOf: u8 }), { maxLength: 20 })
    .map((capabilities) => ({ kind: "pdcap", capabilities })),
  lstatr: fc.record({ kind: fc.constant("lstatr"), tamper: u8, power: u8 }),
  istatr: fc.array(u8, { maxLength: 16 }).map((inputs) => ({ kind: "istatr", inputs })),
  ostatr: fc.array(u8, { maxLength: 16 }).map((outputs) => ({ kind: "ostatr", outputs })),
  rstatr: fc.array(u8, { maxLength: 4 }).map((readers) => ({ kind: "rstatr", readers })),
  raw: fc.integer({ min: 0, max: 2048 }).chain((bitCount) =>
    fc.record({
      kind: fc.constant("raw"),
      reader: u8,
      format: u8,
      bitCount: fc.constant(bitCount),
      data: bytes(Math.ceil(bitCount / 8)),
    }),
  ),
  fmt: fc.record({
    kind: fc.constant("fmt"),
    reader: u8,
    direction: u8,
    data: charsIn(0x00, 0x7f, 40),
  }),
  keypad: fc.record({
    kind: fc.constant("keypad"),
    reader: u8,
    digits: fc
      .array(fc.constantFrom(..."0123456789*#ABCDEFGH"), { maxLength: 16 })
      .map((keys) => keys.join("")),
  }),
  com: fc.record({ kind: fc.constant("com"), address, baudRate: u32 }),
  bioreadr: fc.record({
    kind: fc.constant("bioreadr"),
    reader: u8,
    status: u8,
    bioType: u8,
    quality: u8,
    template: someBytes(64),
  }),
  biomatchr: fc.record({ kind: fc.constant("biomatchr"), reader: u8, status: u8, score: u8 }),
  ccrypt: fc.record({
    kind: fc.constant("ccrypt"),
    clientUid: bytes(8),
    rndB: bytes(8),
    clientCryptogram: bytes(16),
  }),
  rmac_i: fc.record({ kind: fc.constant("rmac_i"), initialRmac: bytes(16) }),
  busy: fc.constant({ kind: "busy" }),
  ftstat: fc.record({
    kind: fc.constant("ftstat"),
    action: u8,
    delayMs: u16,
    status: i16,
    updateMessageMax: u16,
  }),
  mfgrep: fc.record({ kind: fc.constant("mfgrep"), vendorCode: bytes(3), data: someBytes(32) }),
};

const anyCommand: fc.Arbitrary<Command> = fc.oneof(...Object.values(COMMANDS));
const anyReply: fc.Arbitrary<Reply> = fc.oneof(...Object.values(REPLIES));

/**
 * Mostly codes the decoder knows, so the data reaches the layout checks, plus any byte.
 * Data is short random bytes or a valid payload with a random edit, which reaches the
 * deeper checks far more often than noise alone.
 */
function wireInput(codes: readonly number[], valid: fc.Arbitrary<Uint8Array>) {
  const code = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...codes) }, u8);
  const mutated = fc
    .tuple(valid, fc.nat(), u8, fc.constantFrom("flip", "drop", "add"))
    .map(([data, at, byte, edit]) => {
      const i = data.length === 0 ? 0 : at % data.length;
      if (edit === "drop")
        return Uint8Array.from([...data.subarray(0, i), ...data.subarray(i + 1)]);
      if (edit === "add")
        return Uint8Array.from([...data.subarray(0, i), byte, ...data.subarray(i)]);
      const copy = Uint8Array.from(data);
      if (copy.length > 0) copy[i] = byte;
      return copy;
    });
  return fc.tuple(code, fc.oneof(someBytes(48), valid, mutated));
}

const commandInput = wireInput(
  Object.values(COMMAND_CODES),
  anyCommand.map((command) => encodeCommand(command).data),
);
const replyInput = wireInput(
  Object.values(REPLY_CODES),
  anyReply.map((reply) => encodeReply(reply).data),
);

/** Runs a decoder; anything thrown must be an OsdpError (never RangeError, TypeError...). */
function decodeOrOsdpError<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (err) {
    if (!(err instanceof OsdpError)) throw err;
    return undefined;
  }
}

/** ID and CAP also accept an empty payload, which re-encodes with its reply-type byte. */
function isCanonical(code: number, data: Uint8Array): boolean {
  return !((code === COMMAND_CODES.id || code === COMMAND_CODES.cap) && data.length === 0);
}

describe("commands: random wire input", () => {
  it("decodeCommand throws nothing but OsdpError, and what it accepts re-encodes", () => {
    fc.assert(
      fc.property(commandInput, ([code, data]) => {
        const command = decodeOrOsdpError(() => decodeCommand(code, data));
        if (command !== undefined && isCanonical(code, data)) {
          expect(encodeCommand(command)).toEqual({ code, data });
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("decode(encode(command)) is the command, for every kind", () => {
    fc.assert(
      fc.property(anyCommand, (command) => {
        const { code, data } = encodeCommand(command);
        const decoded = decodeCommand(code, data);
        expect(decoded).toEqual(command);
        expect(encodeCommand(decoded)).toEqual({ code, data });
      }),
      { numRuns: 1000 },
    );
  });
});

describe("replies: random wire input", () => {
  it("decodeReply throws nothing but OsdpError, and what it accepts re-encodes", () => {
    fc.assert(
      fc.property(replyInput, ([code, data]) => {
        const reply = decodeOrOsdpError(() => decodeReply(code, data));
        if (reply !== undefined) expect(encodeReply(reply)).toEqual({ code, data });
      }),
      { numRuns: 3000 },
    );
  });

  it("decode(encode(reply)) is the reply, for every kind", () => {
    fc.assert(
      fc.property(anyReply, (reply) => {
        const { code, data } = encodeReply(reply);
        const decoded = decodeReply(code, data);
        expect(decoded).toEqual(reply);
        expect(encodeReply(decoded)).toEqual({ code, data });
      }),
      { numRuns: 1000 },
    );
  });
});
