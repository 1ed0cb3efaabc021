/**
 * Payload layouts of the SIA OSDP v2.2 (IEC 60839-11-5) replies, PD -> CP, one codec per
 * reply kind. Multi-byte integers are little-endian (LSB first).
 */
import {
  asciiToBytes,
  bytesToAscii,
  firstInvalid,
  isAscii,
  keysToWire,
  wireToKeys,
} from "./ascii.js";
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
import type { Capability, Reply, ReplyKind } from "./types.js";

type ReplyOf<K extends ReplyKind> = MessageOf<Reply, K>;

const PDCAP_RECORD = 3;

/** Card data is bit-packed: ceil(bits / 8) bytes follow the bit count. */
function rawDataLength(bitCount: number): number {
  return Math.ceil(bitCount / 8);
}

function checkAscii(data: string, at: Rejects): void {
  const bad = firstInvalid(data, isAscii);
  if (bad >= 0) at.fail(`data[${bad}] is not ASCII`);
}

/** ISTATR, OSTATR, RSTATR: one status byte per input, output or reader. */
function statusList<K extends "istatr" | "ostatr" | "rstatr">(
  kind: K,
  items: (reply: ReplyOf<K>) => readonly number[],
  field: string,
): Codec<ReplyOf<K>> {
  return {
    encode(reply, out) {
      for (const [i, status] of items(reply).entries()) out.u8(status, `${field}[${i}]`);
    },
    decode(input) {
      return { kind, [field]: Array.from(input.rest()) } as ReplyOf<K>;
    },
  };
}

function encodeCapability(capability: Capability, i: number, out: PayloadWriter): void {
  out.u8(capability.functionCode, `capabilities[${i}].functionCode`);
  out.u8(capability.compliance, `capabilities[${i}].compliance`);
  out.u8(capability.numberOf, `capabilities[${i}].numberOf`);
}

function decodeCapability(input: PayloadReader): Capability {
  return { functionCode: input.u8(), compliance: input.u8(), numberOf: input.u8() };
}

export const REPLY_CODECS: { readonly [K in ReplyKind]: Codec<ReplyOf<K>> } = {
  ack: empty("ack"),

  /** osdp_NAK: error code, then data whose meaning depends on the error code. */
  nak: {
    encode(reply, out) {
      out.u8(reply.errorCode, "errorCode").bytes(reply.data, "data");
    },
    decode(input) {
      input.expectAtLeast(1, "payload");
      return { kind: "nak", errorCode: input.u8(), data: input.rest() };
    },
  },

  /**
   * osdp_PDID: vendor code (3), model, version, serial number (u32), firmware major,
   * minor, build.
   */
  pdid: {
    encode(reply, out) {
      out.bytes(reply.vendorCode, "vendorCode", 3);
      out.u8(reply.model, "model").u8(reply.version, "version");
      out.u32(reply.serialNumber, "serialNumber");
      out.u8(reply.firmware.major, "firmware.major").u8(reply.firmware.minor, "firmware.minor");
      out.u8(reply.firmware.build, "firmware.build");
    },
    decode(input) {
      input.expectLength(12, "payload");
      return {
        kind: "pdid",
        vendorCode: input.bytes(3),
        model: input.u8(),
        version: input.u8(),
        serialNumber: input.u32(),
        firmware: { major: input.u8(), minor: input.u8(), build: input.u8() },
      };
    },
  },

  /**
   * osdp_PDCAP: 3-byte records of function code, compliance, number of. Function codes
   * beyond those v2.2 defines are kept, so a newer PD does not fail its capability
   * report.
   */
  pdcap: {
    encode(reply, out) {
      for (const [i, capability] of reply.capabilities.entries())
        encodeCapability(capability, i, out);
    },
    decode(input) {
      const count = input.expectRecords(PDCAP_RECORD, 0, "payload");
      const capabilities = Array.from({ length: count }, () => decodeCapability(input));
      return { kind: "pdcap", capabilities };
    },
  },

  /** osdp_LSTATR: tamper status, power status. */
  lstatr: {
    encode(reply, out) {
      out.u8(reply.tamper, "tamper").u8(reply.power, "power");
    },
    decode(input) {
      input.expectLength(2, "payload");
      return { kind: "lstatr", tamper: input.u8(), power: input.u8() };
    },
  },

  istatr: statusList("istatr", (reply) => reply.inputs, "inputs"),
  ostatr: statusList("ostatr", (reply) => reply.outputs, "outputs"),
  rstatr: statusList("rstatr", (reply) => reply.readers, "readers"),

  /** osdp_RAW: reader, format code, bit count (u16), ceil(bits / 8) bytes of card data. */
  raw: {
    encode(reply, out) {
      out.u8(reply.reader, "reader").u8(reply.format, "format");
      out.u16(reply.bitCount, "bitCount");
      out.bytes(reply.data, "data", rawDataLength(reply.bitCount));
    },
    decode(input) {
      input.expectAtLeast(4, "payload");
      const reader = input.u8();
      const format = input.u8();
      const bitCount = input.u16();
      const data = checkedLength(input, rawDataLength(bitCount), `bit count ${bitCount}`);
      return { kind: "raw", reader, format, bitCount, data };
    },
  },

  /** osdp_FMT: reader, read direction, character count, ASCII card data. */
  fmt: {
    encode(reply, out) {
      checkAscii(reply.data, out);
      out.u8(reply.reader, "reader").u8(reply.direction, "direction");
      out.prefixed8(asciiToBytes(reply.data), "data");
    },
    decode(input) {
      input.expectAtLeast(3, "payload");
      const reader = input.u8();
      const direction = input.u8();
      const data = bytesToAscii(checkedLength(input, input.u8(), "character count"));
      checkAscii(data, input);
      return { kind: "fmt", reader, direction, data };
    },
  },

  /** osdp_KEYPAD: reader, digit count, keys ('*' is 0x7F and '#' is 0x0D on the wire). */
  keypad: {
    encode(reply, out) {
      const wire = keysToWire(reply.digits);
      // `return` so TypeScript narrows: a contextually typed `out` gets no never-call analysis.
      if (typeof wire === "number") return out.fail(`digits[${wire}] is not a keypad key`);
      out.u8(reply.reader, "reader").prefixed8(wire, "digits");
    },
    decode(input) {
      input.expectAtLeast(2, "payload");
      const reader = input.u8();
      const digits = wireToKeys(checkedLength(input, input.u8(), "digit count"));
      if (typeof digits === "number") return input.fail(`digit ${digits} is not a keypad key`);
      return { kind: "keypad", reader, digits };
    },
  },

  /** osdp_COM: the address and baud rate (u32) the PD now uses. */
  com: addressAndBaudRate("com"),

  /** osdp_BIOREADR: reader, status, bio type, quality, template length (u16), template. */
  bioreadr: {
    encode(reply, out) {
      out.u8(reply.reader, "reader").u8(reply.status, "status");
      out.u8(reply.bioType, "bioType").u8(reply.quality, "quality");
      out.prefixed16(reply.template, "template");
    },
    decode(input) {
      input.expectAtLeast(6, "payload");
      const reader = input.u8();
      const status = input.u8();
      const bioType = input.u8();
      const quality = input.u8();
      const template = checkedLength(input, input.u16(), "template length");
      return { kind: "bioreadr", reader, status, bioType, quality, template };
    },
  },

  /** osdp_BIOMATCHR: reader, status, score. */
  biomatchr: {
    encode(reply, out) {
      out.u8(reply.reader, "reader").u8(reply.status, "status").u8(reply.score, "score");
    },
    decode(input) {
      input.expectLength(3, "payload");
      return { kind: "biomatchr", reader: input.u8(), status: input.u8(), score: input.u8() };
    },
  },

  /** osdp_CCRYPT: client UID (8), RND.B (8), client cryptogram (16). */
  ccrypt: {
    encode(reply, out) {
      out.bytes(reply.clientUid, "clientUid", 8).bytes(reply.rndB, "rndB", 8);
      out.bytes(reply.clientCryptogram, "clientCryptogram", 16);
    },
    decode(input) {
      input.expectLength(32, "payload");
      return {
        kind: "ccrypt",
        clientUid: input.bytes(8),
        rndB: input.bytes(8),
        clientCryptogram: input.bytes(16),
      };
    },
  },

  /** osdp_RMAC_I: the initial reply MAC (16). */
  rmac_i: fixedBytes("rmac_i", "initialRmac", 16, "initial R-MAC"),

  busy: empty("busy"),

  /**
   * osdp_FTSTAT: action flags, requested delay in ms (u16), status detail (signed i16:
   * negative values are errors), update message maximum (u16).
   */
  ftstat: {
    encode(reply, out) {
      out.u8(reply.action, "action").u16(reply.delayMs, "delayMs");
      out.i16(reply.status, "status").u16(reply.updateMessageMax, "updateMessageMax");
    },
    decode(input) {
      input.expectLength(7, "payload");
      return {
        kind: "ftstat",
        action: input.u8(),
        delayMs: input.u16(),
        status: input.i16(),
        updateMessageMax: input.u16(),
      };
    },
  },

  /** osdp_MFGREP: vendor code (IEEE OUI, 3 bytes), vendor-defined data. */
  mfgrep: manufacturerSpecific("mfgrep"),
};
