import { ProtocolError } from "./errors.js";

/**
 * The protobuf wire format, hand-written for speed where it matters (a SiteState of
 * millions of records): a writer that appends to one growing buffer (no per-field
 * allocation) and a reader that reads varints of up to 2^53 straight into numbers (no
 * Long objects). Both follow proto/acs.proto's encoding exactly: fields in number order,
 * proto3 defaults left out, repeated scalars packed, so the bytes equal protobufjs's for
 * the same message (test/wire-conformance.test.ts checks that against the .proto).
 *
 * Numbers beyond what the model allows (not a safe integer, negative where unsigned) are
 * refused with ProtocolError("MALFORMED") both ways.
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function malformed(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError("MALFORMED", message, cause === undefined ? undefined : { cause });
}

/** Appends protobuf fields to one growing buffer. */
export class WireWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /**
   * The bytes written. A view of the writer's buffer when that is mostly filled (no copy
   * of a large state), else a copy of exactly their length.
   */
  finish(): Uint8Array {
    return this.pos >= this.buf.length / 2 && this.pos > 4096
      ? this.buf.subarray(0, this.pos)
      : this.buf.slice(0, this.pos);
  }

  /** A one-byte value: a tag of a field numbered below 16. */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A varint of 0 ..= 2^32 - 1 (tags, lengths, uint32 fields). */
  varint32(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    v >>>= 0;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** A uint32 field value, checked. */
  uint32(v: number, what: string): void {
    if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw malformed(`${what}: ${String(v)} is not a uint32`);
    }
    this.varint32(v);
  }

  /** A uint64 field value: a non-negative safe integer. */
  uint53(v: number, what: string): void {
    if (!(Number.isSafeInteger(v) && v >= 0)) {
      throw malformed(`${what}: ${String(v)} is not a non-negative integer below 2^53`);
    }
    if (v < 0x80000000) {
      this.varint32(v);
    } else {
      const lo = v >>> 0;
      this.varint64(lo, (v - lo) / TWO_32);
    }
  }

  /** An id: a positive safe integer as uint64. */
  id(v: number, what: string): void {
    if (!(Number.isSafeInteger(v) && v > 0)) {
      throw malformed(`${what}: ${String(v)} is not a positive integer below 2^53`);
    }
    if (v < 0x80000000) {
      this.varint32(v);
    } else {
      const lo = v >>> 0;
      this.varint64(lo, (v - lo) / TWO_32);
    }
  }

  /** An int64 field value: a safe integer (negative ones take ten bytes, as in protobuf). */
  int53(v: number, what: string): void {
    if (!Number.isSafeInteger(v)) {
      throw malformed(`${what}: ${String(v)} is not an integer within +-2^53`);
    }
    if (v >= 0) {
      if (v < 0x80000000) {
        this.varint32(v);
      } else {
        const lo = v >>> 0;
        this.varint64(lo, (v - lo) / TWO_32);
      }
    } else {
      const hi = Math.floor(v / TWO_32);
      this.varint64(v >>> 0, hi >>> 0);
    }
  }

  private varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  bool(v: boolean): void {
    this.byte(v ? 1 : 0);
  }

  /** A string's length and UTF-8 bytes (a lone surrogate becomes U+FFFD). */
  string(s: string): void {
    const n = s.length;
    if (n < 128) {
      // ASCII fast path: one byte per char, a one-byte length.
      this.ensure(n + 1);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[start - 1] = n;
        this.pos = start + n;
        return;
      }
    }
    const len = Buffer.byteLength(s, "utf8");
    this.varint32(len);
    this.ensure(len);
    textEncoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
  }

  bytes(b: Uint8Array): void {
    this.varint32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a length-delimited value (after its tag): returns where it starts. */
  fork(): number {
    this.byte(0); // room for a one-byte length; ldelim moves the value if it needs more
    return this.pos;
  }

  /** Ends the length-delimited value that `fork` started at `start`. */
  ldelim(start: number): void {
    const len = this.pos - start;
    if (len < 0x80) {
      this.buf[start - 1] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.ensure(extra);
    const buf = this.buf;
    buf.copyWithin(start + extra, start, this.pos);
    let pos = start - 1;
    let v = len;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos] = v;
    this.pos += extra;
  }
}

/** Reads protobuf fields; every problem is a ProtocolError("MALFORMED"). */
export class WireReader {
  readonly buf: Uint8Array;
  pos: number;
  /** End of the input; messages inside it have their own ends. */
  readonly len: number;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.pos = 0;
    this.len = buf.length;
  }

  /** A field's tag (field number << 3 | wire type). */
  tag(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos < this.len) {
      const b = buf[pos]!;
      if (b < 0x80 && b >= 0x08) {
        this.pos = pos + 1;
        return b;
      }
    }
    const t = this.varint32();
    if (t >>> 3 === 0) throw malformed("field number 0");
    return t;
  }

  /** A varint that must fit 32 bits (lengths, tags, uint32 fields). */
  varint32(): number {
    const v = this.uint53();
    if (v > 0xffffffff) throw malformed("varint does not fit 32 bits");
    return v;
  }

  /** A uint64 varint that must be below 2^53. */
  uint53(): number {
    const buf = this.buf;
    const len = this.len;
    let pos = this.pos;
    if (pos >= len) throw malformed("truncated varint");
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    let mul = 0x80;
    for (let i = 1; i < 10; i++) {
      if (pos >= len) throw malformed("truncated varint");
      b = buf[pos++]!;
      value += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        if (value > MAX_SAFE) throw malformed("integer beyond 2^53");
        return value;
      }
      mul *= 0x80;
    }
    throw malformed("varint longer than 10 bytes");
  }

  /** An int64 varint that must be within +-2^53 (negative: ten bytes). */
  int53(): number {
    const buf = this.buf;
    const len = this.len;
    let pos = this.pos;
    // Fast path: non-negative values up to 8 bytes (56 bits) read exactly as doubles.
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (pos >= len) throw malformed("truncated varint");
      const b = buf[pos++]!;
      value += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        if (value > MAX_SAFE) throw malformed("integer beyond 2^53");
        return value;
      }
      mul *= 0x80;
    }
    // Ten bytes: a negative value in two's complement (or a huge positive one).
    pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= len) throw malformed("truncated varint");
      const b = buf[pos++]!;
      const bits = b & 0x7f;
      if (i < 4) {
        lo |= bits << (7 * i);
      } else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else {
        hi |= bits << (7 * i - 32);
      }
      if (b < 0x80) {
        this.pos = pos;
        const v = (hi | 0) * TWO_32 + (lo >>> 0);
        if (v > MAX_SAFE || v < -MAX_SAFE) throw malformed("integer beyond +-2^53");
        return v;
      }
    }
    throw malformed("varint longer than 10 bytes");
  }

  bool(): boolean {
    const v = this.uint53();
    return v !== 0;
  }

  /** Start and end of a length-delimited value; moves past its length. */
  private span(): number {
    const n = this.varint32();
    const end = this.pos + n;
    if (end > this.len) throw malformed("length beyond the end of the input");
    return end;
  }

  /** The end of an embedded message that starts here (after its length). */
  message(): number {
    return this.span();
  }

  string(): string {
    const end = this.span();
    const start = this.pos;
    this.pos = end;
    const n = end - start;
    if (n === 0) return "";
    const buf = this.buf;
    if (n <= 12) {
      // Short ASCII strings build fastest char by char; longer ones in native code.
      let s = "";
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        if (c >= 0x80) return decodeUtf8(buf, start, end);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return decodeUtf8(buf, start, end);
  }

  /**
   * A string of a field with few distinct values (a card's format, a certificate type):
   * short ASCII ones come from a small cache instead of a new string per record.
   */
  token(): string {
    const end = this.span();
    const start = this.pos;
    this.pos = end;
    const n = end - start;
    if (n === 0) return "";
    const buf = this.buf;
    if (n > 16) return decodeUtf8(buf, start, end);
    const slot = (n * 31 + buf[start]! * 7 + buf[end - 1]!) & 63;
    const cached = this.tokens[slot];
    if (cached !== undefined && cached.length === n) {
      let i = 0;
      while (i < n && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === n) return cached;
    }
    let s = "";
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decodeUtf8(buf, start, end);
      s += String.fromCharCode(c);
    }
    this.tokens[slot] = s;
    return s;
  }

  private readonly tokens: Array<string | undefined> = new Array(64).fill(undefined);

  /** A bytes field, copied (the result never shares memory with the input). */
  bytes(): Uint8Array {
    const end = this.span();
    const out = this.buf.slice(this.pos, end);
    this.pos = end;
    return out;
  }

  /** Skips the value of a field of another number than those known (forward compatibility). */
  skip(tag: number): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.uint64Skip();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.pos = this.span();
        return;
      case WIRE_I32:
        this.advance(4);
        return;
      default:
        throw malformed(`wire type ${tag & 7} (groups are not used)`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.len) throw malformed("truncated field");
    this.pos += n;
  }

  private uint64Skip(): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.len) throw malformed("truncated varint");
      if (this.buf[this.pos++]! < 0x80) return;
    }
    throw malformed("varint longer than 10 bytes");
  }

  /**
   * A field the message does not know at this wire type: skipped if its number is beyond
   * the message's known fields (a newer sender), refused if it is a known field sent with
   * the wrong wire type.
   */
  unknown(tag: number, knownFields: number, message: string): void {
    if (tag >>> 3 <= knownFields) {
      throw malformed(`${message}: field ${tag >>> 3} with wire type ${tag & 7}`);
    }
    this.skip(tag);
  }

  /** Checks that a message ended exactly where its length said. */
  end(end: number, message: string): void {
    if (this.pos !== end) throw malformed(`${message}: fields run past the message's end`);
  }
}

function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  try {
    return textDecoder.decode(buf.subarray(start, end));
  } catch (error) {
    throw malformed("string is not valid UTF-8", error);
  }
}
