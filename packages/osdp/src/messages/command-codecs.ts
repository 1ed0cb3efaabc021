/**
 * Payload layouts of the SIA OSDP v2.2 (IEC 60839-11-5) commands, CP -> PD, one codec per
 * command kind. Multi-byte integers are little-endian (LSB first).
 */
import { asciiToBytes, bytesToAscii, firstInvalid, isPrintableAscii } from "./ascii.js";
import type { PayloadReader, PayloadWriter } from "./bytes.js";
import {
  addressAndBaudRate,
  type Codec,
  checkedLength,
  empty,
  fixedBytes,
  type MessageOf,
  manufacturerSpecific,
  type Rejects,
} from "./codec.js";
import {
  type Command,
  type CommandKind,
  type LedControl,
  type OutputControl,
  SCBK,
} from "./types.js";

type CommandOf<K extends CommandKind> = MessageOf<Command, K>;

const AES128_KEY_LENGTH = 16;
const OUT_RECORD = 4;
const LED_RECORD = 14;
/** osdp_FILETRANSFER header: type, total size, offset, fragment size. */
const FILETRANSFER_HEADER = 11;

/**
 * osdp_ID / osdp_CAP: one "reply type" byte, of which only 0x00 (the standard
 * report) is defined. Some CPs send no byte at all, which means the same thing.
 */
function reportRequest<K extends "id" | "cap">(kind: K): Codec<CommandOf<K>> {
  return {
    encode(_command, out) {
      out.u8(0x00, "reply type");
    },
    decode(input) {
      if (input.length > 1) input.fail(`payload is 0 or 1 byte, got ${input.length}`);
      if (input.length === 1) {
        const replyType = input.u8();
        if (replyType !== 0x00) input.fail(`reply type 0x${replyType.toString(16)} is reserved`);
      }
      return { kind } as CommandOf<K>;
    },
  };
}

function checkText(text: string, at: Rejects): void {
  const bad = firstInvalid(text, isPrintableAscii);
  if (bad >= 0) at.fail(`text[${bad}] is not printable ASCII (0x20..0x7e)`);
}

function checkKey(keyType: number, length: number, at: Rejects): void {
  if (keyType === SCBK && length !== AES128_KEY_LENGTH) {
    at.fail(`an SCBK is an AES-128 key of 16 bytes, got ${length}`);
  }
}

function checkFragment(totalSize: number, offset: number, length: number, at: Rejects): void {
  if (offset + length > totalSize) {
    at.fail(`fragment ${offset}+${length} runs past the file size ${totalSize}`);
  }
}

function encodeOutput(o: OutputControl, i: number, out: PayloadWriter): void {
  out.u8(o.output, `outputs[${i}].output`);
  out.u8(o.controlCode, `outputs[${i}].controlCode`);
  out.u16(o.timer100ms, `outputs[${i}].timer100ms`);
}

function decodeOutput(input: PayloadReader): OutputControl {
  return { output: input.u8(), controlCode: input.u8(), timer100ms: input.u16() };
}

function encodeLed(led: LedControl, i: number, out: PayloadWriter): void {
  const at = `leds[${i}]`;
  const { temporary: t, permanent: p } = led;
  out.u8(led.reader, `${at}.reader`).u8(led.led, `${at}.led`);
  out.u8(t.controlCode, `${at}.temporary.controlCode`);
  out.u8(t.onTime100ms, `${at}.temporary.onTime100ms`);
  out.u8(t.offTime100ms, `${at}.temporary.offTime100ms`);
  out.u8(t.onColor, `${at}.temporary.onColor`);
  out.u8(t.offColor, `${at}.temporary.offColor`);
  out.u16(t.timer100ms, `${at}.temporary.timer100ms`);
  out.u8(p.controlCode, `${at}.permanent.controlCode`);
  out.u8(p.onTime100ms, `${at}.permanent.onTime100ms`);
  out.u8(p.offTime100ms, `${at}.permanent.offTime100ms`);
  out.u8(p.onColor, `${at}.permanent.onColor`);
  out.u8(p.offColor, `${at}.permanent.offColor`);
}

function decodeLed(input: PayloadReader): LedControl {
  return {
    reader: input.u8(),
    led: input.u8(),
    temporary: {
      controlCode: input.u8(),
      onTime100ms: input.u8(),
      offTime100ms: input.u8(),
      onColor: input.u8(),
      offColor: input.u8(),
      timer100ms: input.u16(),
    },
    permanent: {
      controlCode: input.u8(),
      onTime100ms: input.u8(),
      offTime100ms: input.u8(),
      onColor: input.u8(),
      offColor: input.u8(),
    },
  };
}

export const COMMAND_CODECS: { readonly [K in CommandKind]: Codec<CommandOf<K>> } = {
  poll: empty("poll"),
  id: reportRequest("id"),
  cap: reportRequest("cap"),
  lstat: empty("lstat"),
  istat: empty("istat"),
  ostat: empty("ostat"),
  rstat: empty("rstat"),

  /** osdp_OUT: output, control code, timer LSB, timer MSB; one record per output. */
  out: {
    encode(command, out) {
      if (command.outputs.length === 0) out.fail("at least one output record is required");
      for (const [i, o] of command.outputs.entries()) encodeOutput(o, i, out);
    },
    decode(input) {
      const count = input.expectRecords(OUT_RECORD, 1, "payload");
      return { kind: "out", outputs: Array.from({ length: count }, () => decodeOutput(input)) };
    },
  },

  /** osdp_LED: 14-byte records: reader, LED, temporary settings (7), permanent settings (5). */
  led: {
    encode(command, out) {
      if (command.leds.length === 0) out.fail("at least one LED record is required");
      for (const [i, led] of command.leds.entries()) encodeLed(led, i, out);
    },
    decode(input) {
      const count = input.expectRecords(LED_RECORD, 1, "payload");
      return { kind: "led", leds: Array.from({ length: count }, () => decodeLed(input)) };
    },
  },

  /** osdp_BUZ: reader, tone code, on time, off time, count. */
  buz: {
    encode(command, out) {
      out.u8(command.reader, "reader").u8(command.toneCode, "toneCode");
      out.u8(command.onTime100ms, "onTime100ms").u8(command.offTime100ms, "offTime100ms");
      out.u8(command.count, "count");
    },
    decode(input) {
      input.expectLength(5, "payload");
      return {
        kind: "buz",
        reader: input.u8(),
        toneCode: input.u8(),
        onTime100ms: input.u8(),
        offTime100ms: input.u8(),
        count: input.u8(),
      };
    },
  },

  /** osdp_TEXT: reader, text command, temporary time, row, column, length, text. */
  text: {
    encode(command, out) {
      checkText(command.text, out);
      out.u8(command.reader, "reader").u8(command.command, "command");
      out.u8(command.tempTextSeconds, "tempTextSeconds");
      out.u8(command.row, "row").u8(command.column, "column");
      out.prefixed8(asciiToBytes(command.text), "text");
    },
    decode(input) {
      input.expectAtLeast(6, "payload");
      const reader = input.u8();
      const command = input.u8();
      const tempTextSeconds = input.u8();
      const row = input.u8();
      const column = input.u8();
      const text = bytesToAscii(checkedLength(input, input.u8(), "text length"));
      checkText(text, input);
      return { kind: "text", reader, command, tempTextSeconds, row, column, text };
    },
  },

  /** osdp_COMSET: new address, new baud rate (u32). */
  comset: addressAndBaudRate("comset"),

  /** osdp_KEYSET: key type, key length, key. */
  keyset: {
    encode(command, out) {
      out.u8(command.keyType, "keyType").prefixed8(command.key, "key");
      checkKey(command.keyType, command.key.length, out);
    },
    decode(input) {
      input.expectAtLeast(2, "payload");
      const keyType = input.u8();
      const key = checkedLength(input, input.u8(), "key length");
      checkKey(keyType, key.length, input);
      return { kind: "keyset", keyType, key };
    },
  },

  /** osdp_CHLNG: RND.A, the CP's 8-byte random challenge. */
  chlng: fixedBytes("chlng", "rndA", 8, "RND.A"),

  /** osdp_SCRYPT: the server (CP) cryptogram. */
  scrypt: fixedBytes("scrypt", "serverCryptogram", 16, "server cryptogram"),

  /** osdp_BIOREAD: reader, bio type, bio format, quality. */
  bioread: {
    encode(command, out) {
      out.u8(command.reader, "reader").u8(command.bioType, "bioType");
      out.u8(command.bioFormat, "bioFormat").u8(command.quality, "quality");
    },
    decode(input) {
      input.expectLength(4, "payload");
      return {
        kind: "bioread",
        reader: input.u8(),
        bioType: input.u8(),
        bioFormat: input.u8(),
        quality: input.u8(),
      };
    },
  },

  /** osdp_BIOMATCH: reader, bio type, bio format, quality threshold, template length (u16), template. */
  biomatch: {
    encode(command, out) {
      out.u8(command.reader, "reader").u8(command.bioType, "bioType");
      out.u8(command.bioFormat, "bioFormat").u8(command.qualityThreshold, "qualityThreshold");
      out.prefixed16(command.template, "template");
    },
    decode(input) {
      input.expectAtLeast(6, "payload");
      const reader = input.u8();
      const bioType = input.u8();
      const bioFormat = input.u8();
      const qualityThreshold = input.u8();
      const template = checkedLength(input, input.u16(), "template length");
      return { kind: "biomatch", reader, bioType, bioFormat, qualityThreshold, template };
    },
  },

  /** osdp_ACURXSIZE: the largest reply the CP can receive (u16). */
  acurxsize: {
    encode(command, out) {
      out.u16(command.maxReceiveSize, "maxReceiveSize");
    },
    decode(input) {
      input.expectLength(2, "payload");
      return { kind: "acurxsize", maxReceiveSize: input.u16() };
    },
  },

  /** osdp_FILETRANSFER: file type, total size (u32), offset (u32), fragment size (u16), fragment. */
  filetransfer: {
    encode(command, out) {
      out.u8(command.fileType, "fileType").u32(command.totalSize, "totalSize");
      out.u32(command.offset, "offset");
      out.prefixed16(command.data, "data");
      checkFragment(command.totalSize, command.offset, command.data.length, out);
    },
    decode(input) {
      input.expectAtLeast(FILETRANSFER_HEADER, "payload");
      const fileType = input.u8();
      const totalSize = input.u32();
      const offset = input.u32();
      const data = checkedLength(input, input.u16(), "fragment size");
      checkFragment(totalSize, offset, data.length, input);
      return { kind: "filetransfer", fileType, totalSize, offset, data };
    },
  },

  /** osdp_MFG: vendor code (IEEE OUI, 3 bytes), vendor-defined data. */
  mfg: manufacturerSpecific("mfg"),

  abort: empty("abort"),

  /** osdp_KEEPACTIVE: keep-alive time in milliseconds (u16). */
  keepactive: {
    encode(command, out) {
      out.u16(command.keepAliveMs, "keepAliveMs");
    },
    decode(input) {
      input.expectLength(2, "payload");
      return { kind: "keepactive", keepAliveMs: input.u16() };
    },
  },
};
