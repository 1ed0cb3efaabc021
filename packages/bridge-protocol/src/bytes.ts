import { BadPayloadError } from "./errors.js";

/** Little-endian writer for frame payloads. */
export class ByteWriter {
  private readonly bytes: number[] = [];
  u8(value: number): this {
    this.bytes.push(value & 0xff);
    return this;
  }
  u16(value: number): this {
    this.bytes.push(value & 0xff, (value >>> 8) & 0xff);
    return this;
  }
  u32(value: number): this {
    this.bytes.push(
      value & 0xff,
      (value >>> 8) & 0xff,
      (value >>> 16) & 0xff,
      (value >>> 24) & 0xff,
    );
    return this;
  }
  raw(values: Uint8Array): this {
    for (const v of values) this.bytes.push(v);
    return this;
  }
  /** A short ASCII string with a one-byte length prefix. */
  str(value: string, max: number): this {
    const text = value.slice(0, max);
    this.u8(text.length);
    for (let i = 0; i < text.length; i++) this.bytes.push(text.charCodeAt(i) & 0x7f);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Little-endian reader that throws BadPayloadError instead of reading past the end. */
export class ByteReader {
  private offset = 0;
  private readonly bytes: Uint8Array;
  private readonly what: string;
  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.what = what;
  }
  private need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new BadPayloadError(
        `${this.what}: payload of ${this.bytes.length} byte(s) too short`,
        this.bytes,
      );
    }
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }
  u16(): number {
    this.need(2);
    const v = (this.bytes[this.offset] as number) | ((this.bytes[this.offset + 1] as number) << 8);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (
      ((b[o] as number) |
        ((b[o + 1] as number) << 8) |
        ((b[o + 2] as number) << 16) |
        ((b[o + 3] as number) << 24)) >>>
      0
    );
  }
  raw(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  str(): string {
    const n = this.u8();
    const raw = this.raw(n);
    return String.fromCharCode(...raw);
  }
  /** Every byte must be consumed: trailing bytes mean a mismatched layout. */
  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new BadPayloadError(
        `${this.what}: ${this.bytes.length - this.offset} unexpected trailing byte(s)`,
        this.bytes,
      );
    }
  }
}
