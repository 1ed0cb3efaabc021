import { BadPayloadError, OsdpError, UnknownCodeError } from "../errors.js";
import { PayloadReader, PayloadWriter } from "./bytes.js";

/**
 * The payload codec of one command or reply kind. `decode` gets a reader over the whole
 * payload and checks the layout's length itself (so its error can say what the layout
 * is); the dispatcher then rejects anything left unread.
 */
export interface Codec<T> {
  encode(value: T, out: PayloadWriter): void;
  decode(input: PayloadReader): T;
}

/** Where a layout check reports its problem: the reader or writer of the payload. */
export interface Rejects {
  fail(problem: string): never;
}

/** The command or reply of kind K. */
export type MessageOf<M extends { readonly kind: string }, K extends M["kind"]> = Extract<
  M,
  { readonly kind: K }
>;

/** A message with no data: POLL, the status requests, ABORT, ACK, BUSY. */
export function empty<T extends { readonly kind: string }>(kind: T["kind"]): Codec<T> {
  return {
    encode() {},
    decode(input) {
      input.expectLength(0, "payload");
      return { kind } as T;
    },
  };
}

/** Variable-length data with an explicit length field must agree with the payload. */
export function checkedLength(input: PayloadReader, length: number, what: string): Uint8Array {
  input.expectRemaining(length, what);
  return input.bytes(length);
}

/**
 * A message of one fixed-size byte string, `length` bytes of `field`: osdp_CHLNG (RND.A),
 * osdp_SCRYPT (the server cryptogram), osdp_RMAC_I (the initial R-MAC). `what` names the
 * field in a decode error.
 */
export function fixedBytes<
  F extends string,
  T extends { readonly kind: string } & { readonly [P in F]: Uint8Array },
>(kind: T["kind"], field: F, length: number, what: string): Codec<T> {
  return {
    encode(value, out) {
      out.bytes(value[field], field, length);
    },
    decode(input) {
      input.expectLength(length, what);
      // A computed key widens to an index signature; it is `field`, so this is a T.
      return { kind, [field]: input.bytes(length) } as unknown as T;
    },
  };
}

/** The highest PD address; 0x7F is the broadcast address and cannot be assigned. */
const MAX_PD_ADDRESS = 0x7e;

function checkAddress(address: number, at: Rejects): void {
  if (address > MAX_PD_ADDRESS) at.fail(`address ${address} is above 0x7e`);
}

/**
 * osdp_COMSET (the address and baud rate the PD is to use) and osdp_COM (those it now
 * uses): address, baud rate (u32).
 */
export function addressAndBaudRate<
  T extends { readonly kind: string; readonly address: number; readonly baudRate: number },
>(kind: T["kind"]): Codec<T> {
  return {
    encode(value, out) {
      out.u8(value.address, "address");
      checkAddress(value.address, out);
      out.u32(value.baudRate, "baudRate");
    },
    decode(input) {
      input.expectLength(5, "payload");
      const address = input.u8();
      checkAddress(address, input);
      return { kind, address, baudRate: input.u32() } as T;
    },
  };
}

/** osdp_MFG and osdp_MFGREP: vendor code (IEEE OUI, 3 bytes), vendor-defined data. */
export function manufacturerSpecific<
  T extends { readonly kind: string; readonly vendorCode: Uint8Array; readonly data: Uint8Array },
>(kind: T["kind"]): Codec<T> {
  return {
    encode(value, out) {
      out.bytes(value.vendorCode, "vendorCode", 3).bytes(value.data, "data");
    },
    decode(input) {
      input.expectAtLeast(3, "payload");
      return { kind, vendorCode: input.bytes(3), data: input.rest() } as T;
    },
  };
}

/** A command or reply on the wire: its code and its data (everything between code and MAC/check). */
export interface EncodedMessage {
  readonly code: number;
  readonly data: Uint8Array;
}

/** One direction's messages, commands (CP -> PD) or replies (PD -> CP): codes and codecs. */
export interface MessageSet<M extends { readonly kind: string }> {
  readonly what: "command" | "reply";
  readonly codes: { readonly [K in M["kind"]]: number };
  readonly codecs: { readonly [K in M["kind"]]: Codec<MessageOf<M, K>> };
  /** The kind of a code, or undefined for a code v2.2 does not define. */
  kindOf(code: number): M["kind"] | undefined;
}

// The codecs are keyed by kind with a matching codec type; TypeScript cannot follow that
// correlation through an indexed access, so the lookup widens to the union once here.
function codecOf<M extends { readonly kind: string }>(
  set: MessageSet<M>,
  kind: M["kind"],
): Codec<M> | undefined {
  return set.codecs[kind] as Codec<M> | undefined;
}

/** The code and data of a message. Throws BadPayloadError for a value out of range. */
export function encodeMessage<M extends { readonly kind: string }>(
  set: MessageSet<M>,
  message: M,
): EncodedMessage {
  const kind: M["kind"] = message.kind;
  const code: number | undefined = set.codes[kind];
  const codec = codecOf(set, kind);
  if (code === undefined || codec === undefined) {
    throw new OsdpError("UNKNOWN_CODE", `unknown ${set.what} kind ${String(kind)}`);
  }
  const out = new PayloadWriter(code);
  codec.encode(message, out);
  return { code, data: out.finish() };
}

/**
 * The typed message of a code and its data. Throws UnknownCodeError for a code v2.2 does
 * not define and BadPayloadError for data that does not match the layout; nothing else,
 * whatever the bytes.
 */
export function decodeMessage<M extends { readonly kind: string }>(
  set: MessageSet<M>,
  code: number,
  data: Uint8Array,
): M {
  const kind = set.kindOf(code);
  if (kind === undefined) throw new UnknownCodeError(code, set.what);
  if (!(data instanceof Uint8Array)) throw new BadPayloadError(code, "data must be a Uint8Array");
  const input = new PayloadReader(code, data);
  const message = codecOf(set, kind)!.decode(input);
  input.expectEnd();
  return message;
}
