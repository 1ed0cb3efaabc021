import { ByteReader, ByteWriter } from "./bytes.js";
import { BadPayloadError, UnknownTypeError } from "./errors.js";
import { encodeFrame, type RawFrame } from "./frame.js";
import {
  type BridgeMessage,
  type CardEndReason,
  FrameType,
  type LedColor,
  type NakReason,
  type RelayAction,
  type RelayCause,
} from "./messages.js";

const END_REASONS: readonly CardEndReason[] = ["max-bits", "gap"];
const RELAY_CAUSES: readonly RelayCause[] = ["command", "pulse-end", "max-on", "fail-safe"];
const RELAY_ACTIONS: readonly RelayAction[] = ["off", "on", "pulse"];
const LED_COLORS: readonly LedColor[] = ["off", "red", "green", "amber"];
const NAK_REASONS: readonly NakReason[] = ["unknown-type", "bad-payload", "out-of-range"];
const MODEL_MAX = 32;
export const MAX_CARD_BITS = 128;

function code<T>(list: readonly T[], value: T): number {
  const i = list.indexOf(value);
  if (i < 0) throw new RangeError(`unknown value ${String(value)}`);
  return i;
}

function named<T>(list: readonly T[], value: number, what: string, payload: Uint8Array): T {
  const v = list[value];
  if (v === undefined) throw new BadPayloadError(`${what}: unknown code ${value}`, payload);
  return v;
}

/** Packs '0'/'1' MSB-first into bytes, zero-padding the last one. */
export function packBits(bits: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) {
    if (bits.charCodeAt(i) === 49) out[i >> 3] = (out[i >> 3] as number) | (0x80 >> (i & 7));
  }
  return out;
}

export function unpackBits(bytes: Uint8Array, count: number): string {
  let bits = "";
  for (let i = 0; i < count; i++)
    bits += ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1 ? "1" : "0";
  return bits;
}

function payloadOf(message: BridgeMessage): Uint8Array {
  const w = new ByteWriter();
  switch (message.kind) {
    case "hello":
      return w
        .u8(message.protocolVersion)
        .u32(message.boardId)
        .u8(message.firmware.major)
        .u8(message.firmware.minor)
        .u8(message.firmware.patch)
        .u32(message.bootId)
        .u8(message.readerPorts)
        .u8(message.relays)
        .u8(message.inputs)
        .str(message.model, MODEL_MAX)
        .done();
    case "heartbeat":
      return w
        .u32(message.uptimeMs)
        .u16(message.inputs)
        .u16(message.relays)
        .u8(message.tamper ? 1 : 0)
        .u16(Math.min(message.rxBadCrc, 0xffff))
        .u16(Math.min(message.rxGarbageBytes, 0xffff))
        .u16(Math.min(message.pulsesRejected, 0xffff))
        .done();
    case "ack":
      return w.u8(message.ackSeq).done();
    case "nak":
      return w.u8(message.nakSeq).u8(code(NAK_REASONS, message.reason)).done();
    case "card": {
      if (message.bits.length < 1 || message.bits.length > MAX_CARD_BITS) {
        throw new RangeError(`card of ${message.bits.length} bits cannot be framed`);
      }
      return w
        .u8(message.port)
        .u8(message.bits.length)
        .u8(code(END_REASONS, message.endReason))
        .u32(message.boardTimeMs)
        .u32(message.durationUs)
        .raw(packBits(message.bits))
        .done();
    }
    case "input":
      return w
        .u8(message.input)
        .u8(message.active ? 1 : 0)
        .u32(message.boardTimeMs)
        .done();
    case "relay-state":
      return w
        .u8(message.relay)
        .u8(message.on ? 1 : 0)
        .u8(code(RELAY_CAUSES, message.cause))
        .u32(message.boardTimeMs)
        .done();
    case "hello-request":
    case "edge-heartbeat":
      return w.done();
    case "welcome":
      return w
        .u32(message.bootId)
        .u32(message.edgeSession)
        .u16(message.heartbeatMs)
        .u16(message.failSafeMs)
        .done();
    case "relay":
      return w
        .u8(message.relay)
        .u8(code(RELAY_ACTIONS, message.action))
        .u16(message.durationMs)
        .done();
    case "feedback":
      return w
        .u8(message.port)
        .u8(code(LED_COLORS, message.led))
        .u8(message.buzzer ? 1 : 0)
        .u16(message.durationMs)
        .done();
    case "configure-reader":
      return w.u8(message.port).u8(message.maxBits).u8(message.gapCapMs).done();
  }
}

const TYPE_OF: Record<BridgeMessage["kind"], number> = {
  hello: FrameType.HELLO,
  heartbeat: FrameType.HEARTBEAT,
  ack: FrameType.ACK,
  nak: FrameType.NAK,
  card: FrameType.CARD,
  input: FrameType.INPUT,
  "relay-state": FrameType.RELAY_STATE,
  "hello-request": FrameType.HELLO_REQUEST,
  welcome: FrameType.WELCOME,
  "edge-heartbeat": FrameType.EDGE_HEARTBEAT,
  relay: FrameType.RELAY,
  feedback: FrameType.FEEDBACK,
  "configure-reader": FrameType.CONFIGURE_READER,
};

/** The frame of a message: `seq` is 1..255 for sequenced kinds, 0 otherwise. */
export function toFrame(message: BridgeMessage, seq = 0): RawFrame {
  return { type: TYPE_OF[message.kind], seq, payload: payloadOf(message) };
}

/** Encodes a message into the bytes of one frame. */
export function encodeMessage(message: BridgeMessage, seq = 0): Uint8Array {
  return encodeFrame(toFrame(message, seq));
}

/** Decodes the payload of a CRC-checked frame into a typed message. */
export function decodeMessage(frame: RawFrame): BridgeMessage {
  const p = frame.payload;
  switch (frame.type) {
    case FrameType.HELLO: {
      const r = new ByteReader(p, "HELLO");
      const message: BridgeMessage = {
        kind: "hello",
        protocolVersion: r.u8(),
        boardId: r.u32(),
        firmware: { major: r.u8(), minor: r.u8(), patch: r.u8() },
        bootId: r.u32(),
        readerPorts: r.u8(),
        relays: r.u8(),
        inputs: r.u8(),
        model: r.str(),
      };
      r.end();
      return message;
    }
    case FrameType.HEARTBEAT: {
      const r = new ByteReader(p, "HEARTBEAT");
      const message: BridgeMessage = {
        kind: "heartbeat",
        uptimeMs: r.u32(),
        inputs: r.u16(),
        relays: r.u16(),
        tamper: r.u8() !== 0,
        rxBadCrc: r.u16(),
        rxGarbageBytes: r.u16(),
        pulsesRejected: r.u16(),
      };
      r.end();
      return message;
    }
    case FrameType.ACK: {
      const r = new ByteReader(p, "ACK");
      const message: BridgeMessage = { kind: "ack", ackSeq: r.u8() };
      r.end();
      return message;
    }
    case FrameType.NAK: {
      const r = new ByteReader(p, "NAK");
      const message: BridgeMessage = {
        kind: "nak",
        nakSeq: r.u8(),
        reason: named(NAK_REASONS, r.u8(), "NAK reason", p),
      };
      r.end();
      return message;
    }
    case FrameType.CARD:
      return decodeCard(p);
    case FrameType.INPUT: {
      const r = new ByteReader(p, "INPUT");
      const message: BridgeMessage = {
        kind: "input",
        input: r.u8(),
        active: r.u8() !== 0,
        boardTimeMs: r.u32(),
      };
      r.end();
      return message;
    }
    case FrameType.RELAY_STATE: {
      const r = new ByteReader(p, "RELAY_STATE");
      const message: BridgeMessage = {
        kind: "relay-state",
        relay: r.u8(),
        on: r.u8() !== 0,
        cause: named(RELAY_CAUSES, r.u8(), "relay cause", p),
        boardTimeMs: r.u32(),
      };
      r.end();
      return message;
    }
    case FrameType.HELLO_REQUEST:
      new ByteReader(p, "HELLO_REQUEST").end();
      return { kind: "hello-request" };
    case FrameType.EDGE_HEARTBEAT:
      new ByteReader(p, "EDGE_HEARTBEAT").end();
      return { kind: "edge-heartbeat" };
    case FrameType.WELCOME: {
      const r = new ByteReader(p, "WELCOME");
      const message: BridgeMessage = {
        kind: "welcome",
        bootId: r.u32(),
        edgeSession: r.u32(),
        heartbeatMs: r.u16(),
        failSafeMs: r.u16(),
      };
      r.end();
      return message;
    }
    case FrameType.RELAY: {
      const r = new ByteReader(p, "RELAY");
      const message: BridgeMessage = {
        kind: "relay",
        relay: r.u8(),
        action: named(RELAY_ACTIONS, r.u8(), "relay action", p),
        durationMs: r.u16(),
      };
      r.end();
      return message;
    }
    case FrameType.FEEDBACK: {
      const r = new ByteReader(p, "FEEDBACK");
      const message: BridgeMessage = {
        kind: "feedback",
        port: r.u8(),
        led: named(LED_COLORS, r.u8(), "LED colour", p),
        buzzer: r.u8() !== 0,
        durationMs: r.u16(),
      };
      r.end();
      return message;
    }
    case FrameType.CONFIGURE_READER: {
      const r = new ByteReader(p, "CONFIGURE_READER");
      const message: BridgeMessage = {
        kind: "configure-reader",
        port: r.u8(),
        maxBits: r.u8(),
        gapCapMs: r.u8(),
      };
      r.end();
      return message;
    }
    default:
      throw new UnknownTypeError(frame.type, p);
  }
}

function decodeCard(p: Uint8Array): BridgeMessage {
  const r = new ByteReader(p, "CARD");
  const port = r.u8();
  const count = r.u8();
  if (count < 1 || count > MAX_CARD_BITS) {
    throw new BadPayloadError(`CARD: bit count ${count} outside 1..${MAX_CARD_BITS}`, p);
  }
  const endReason = named(END_REASONS, r.u8(), "card end reason", p);
  const boardTimeMs = r.u32();
  const durationUs = r.u32();
  const packed = r.raw(Math.ceil(count / 8));
  r.end();
  const spare = (8 - (count % 8)) % 8;
  if (spare > 0 && ((packed[packed.length - 1] as number) & ((1 << spare) - 1)) !== 0) {
    throw new BadPayloadError("CARD: padding bits after the last card bit are not zero", p);
  }
  return {
    kind: "card",
    port,
    bits: unpackBits(packed, count),
    endReason,
    boardTimeMs,
    durationUs,
  };
}
