import { BadPayloadError } from "../errors.js";

/**
 * Cursor over one command or reply payload. Every read is bounds-checked and fails with
 * BadPayloadError, so a decoder built on it cannot throw a RangeError (or return
 * `undefined` bytes) whatever the bus delivers. All integers are little-endian, as
 * everywhere in OSDP.
 */
export class PayloadReader {
  private offset = 0;

  constructor(
    readonly messageCode: number,
    private readonly data: Uint8Array,
  ) {}

  get length(): number {
    return this.data.length;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  fail(problem: string): never {
    throw new BadPayloadError(this.messageCode, problem);
  }

  expectLength(length: number, what: string): void {
    if (this.data.length !== length) {
      this.fail(`${what} is ${length} bytes, got ${this.data.length}`);
    }
  }

  expectAtLeast(length: number, what: string): void {
    if (this.data.length < length) {
      this.fail(`${what} is at least ${length} bytes, got ${this.data.length}`);
    }
  }

  /** Repeated fixed-size records, at least `minRecords` of them. */
  expectRecords(recordSize: number, minRecords: number, what: string): number {
    const count = Math.floor(this.data.length / recordSize);
    if (this.data.length % recordSize !== 0 || count < minRecords) {
      const least = minRecords > 0 ? `, at least ${minRecords}` : "";
      this.fail(`${what} is ${recordSize}-byte records${least}; got ${this.data.length} bytes`);
    }
    return count;
  }

  /** A variable-length field must use up exactly what is left of the payload. */
  expectRemaining(length: number, what: string): void {
    if (this.remaining !== length) {
      this.fail(`${what} says ${length} but ${this.remaining} bytes follow`);
    }
  }

  expectEnd(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing bytes`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.offset++]!;
  }

  u16(): number {
    return this.u8() | (this.u8() << 8);
  }

  i16(): number {
    const value = this.u16();
    return value >= 0x8000 ? value - 0x10000 : value;
  }

  u32(): number {
    // Multiply rather than shift the top byte: `<< 24` would make the result negative.
    return this.u16() + this.u16() * 0x10000;
  }

  /** A copy, never a view: decoded values must not alias the caller's receive buffer. */
  bytes(length: number): Uint8Array {
    this.need(length);
    // Uint8Array.from, not slice(): Buffer#slice is a view, and callers may pass Buffers.
    const copy = Uint8Array.from(this.data.subarray(this.offset, this.offset + length));
    this.offset += length;
    return copy;
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  private need(length: number): void {
    if (this.remaining < length) {
      this.fail(`truncated: needs ${length} more bytes at offset ${this.offset}`);
    }
  }
}

/**
 * Builder of one command or reply payload. Every write validates its value, so an
 * encoder never silently truncates a number or ships a key of the wrong size.
 */
export class PayloadWriter {
  private readonly out: number[] = [];

  constructor(readonly messageCode: number) {}

  fail(problem: string): never {
    throw new BadPayloadError(this.messageCode, problem);
  }

  u8(value: number, field: string): this {
    this.checkInteger(value, 0, 0xff, field);
    this.out.push(value);
    return this;
  }

  u16(value: number, field: string): this {
    this.checkInteger(value, 0, 0xffff, field);
    this.out.push(value & 0xff, value >>> 8);
    return this;
  }

  i16(value: number, field: string): this {
    this.checkInteger(value, -0x8000, 0x7fff, field);
    const raw = value & 0xffff;
    this.out.push(raw & 0xff, raw >>> 8);
    return this;
  }

  u32(value: number, field: string): this {
    this.checkInteger(value, 0, 0xffffffff, field);
    this.out.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
    return this;
  }

  /** Raw bytes; `length`, when given, is the size the layout requires. */
  bytes(value: Uint8Array, field: string, length?: number): this {
    this.checkBytes(value, field);
    if (length !== undefined && value.length !== length) {
      this.fail(`${field} must be ${length} bytes, got ${value.length}`);
    }
    for (const byte of value) this.out.push(byte);
    return this;
  }

  /** A u8 length, then the bytes: the shape of TEXT, KEYSET, FMT and KEYPAD data. */
  prefixed8(value: Uint8Array, field: string): this {
    this.checkBytes(value, field);
    return this.u8(value.length, `${field} length`).bytes(value, field);
  }

  /** A u16 length, then the bytes: the shape of templates and file fragments. */
  prefixed16(value: Uint8Array, field: string): this {
    this.checkBytes(value, field);
    return this.u16(value.length, `${field} length`).bytes(value, field);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  private checkBytes(value: Uint8Array, field: string): void {
    if (!(value instanceof Uint8Array)) this.fail(`${field} must be a Uint8Array`);
  }

  private checkInteger(value: number, min: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(`${field} must be an integer ${min}..${max}, got ${String(value)}`);
    }
  }
}
