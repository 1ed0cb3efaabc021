import { osdpChecksum, osdpCrc16 } from "./check.js";
import { OsdpError } from "./errors.js";
import { HEADER_BYTES, MARK, MIN_PACKET, SOM } from "./packet.js";

export interface FramerStats {
  frames: number;
  garbageBytes: number;
  badCheck: number;
  badLength: number;
  truncated: number;
}

export interface ReceivedFrame {
  /** SOM through the check character, verified. */
  readonly bytes: Uint8Array;
  /** Whether the sender put the 0xFF mark before SOM (a PD answers in kind). */
  readonly marked: boolean;
}

export interface FramerHandlers {
  frame(frame: ReceivedFrame): void;
  error(error: OsdpError): void;
}

/** The largest packet we accept; LEN allows 65535, no device we serve needs more. */
export const DEFAULT_MAX_PACKET = 1440;

/**
 * Reassembles OSDP packets from an arbitrary byte stream. It survives any byte sequence:
 * bytes before a SOM are garbage (mark bytes excepted); a bad length or check character
 * drops only the SOM byte and rescans, so a real packet behind a false start is still
 * found. A packet left incomplete is dropped by `expire()`, which the owner calls when
 * the line has been quiet longer than the inter-character timeout.
 */
export class Framer {
  readonly stats: FramerStats = {
    frames: 0,
    garbageBytes: 0,
    badCheck: 0,
    badLength: 0,
    truncated: 0,
  };
  private buffer = new Uint8Array(2048);
  private start = 0;
  private end = 0;
  private marked = false;
  private readonly handlers: FramerHandlers;
  private readonly maxPacket: number;

  constructor(handlers: FramerHandlers, options: { maxPacket?: number } = {}) {
    this.handlers = handlers;
    this.maxPacket = options.maxPacket ?? DEFAULT_MAX_PACKET;
  }

  /** Bytes held for a packet not yet complete. */
  get pending(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    this.append(chunk);
    this.scan();
  }

  /** Drops a partial packet after the line went quiet, then rescans what followed its SOM. */
  expire(): void {
    while (this.end > this.start) {
      const dropped = this.buffer.slice(this.start, this.end);
      this.stats.truncated++;
      this.start++;
      this.handlers.error(
        new OsdpError("TRUNCATED", `packet truncated after ${dropped.length} byte(s)`),
      );
      this.scan();
    }
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
    this.marked = false;
  }

  private append(chunk: Uint8Array): void {
    const length = this.end - this.start;
    if (this.end + chunk.length > this.buffer.length) {
      if (length + chunk.length <= this.buffer.length) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(this.buffer.length * 2, length + chunk.length));
        grown.set(this.buffer.subarray(this.start, this.end));
        this.buffer = grown;
      }
      this.start = 0;
      this.end = length;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }

  private scan(): void {
    const buf = this.buffer;
    while (this.start < this.end) {
      const first = buf[this.start] as number;
      if (first === MARK) {
        this.marked = true;
        this.start++;
        continue;
      }
      if (first !== SOM) {
        this.skipGarbage();
        continue;
      }
      if (this.end - this.start < HEADER_BYTES) return;
      const length = (buf[this.start + 2] as number) | ((buf[this.start + 3] as number) << 8);
      const crc = ((buf[this.start + 4] as number) & 0x04) !== 0;
      if (length < MIN_PACKET + (crc ? 1 : 0) || length > this.maxPacket) {
        this.stats.badLength++;
        this.handlers.error(new OsdpError("BAD_LENGTH", `packet length ${length} out of range`));
        this.dropSom();
        continue;
      }
      if (this.end - this.start < length) return;
      const end = this.start + length;
      const ok = crc
        ? osdpCrc16(buf, this.start, end - 2) ===
          ((buf[end - 2] as number) | ((buf[end - 1] as number) << 8))
        : osdpChecksum(buf, this.start, end - 1) === buf[end - 1];
      if (!ok) {
        this.stats.badCheck++;
        this.handlers.error(
          new OsdpError(
            "BAD_CHECK",
            `${crc ? "CRC" : "checksum"} mismatch in a ${length}-byte packet`,
          ),
        );
        this.dropSom();
        continue;
      }
      const bytes = buf.slice(this.start, end);
      const marked = this.marked;
      this.start = end;
      this.marked = false;
      this.stats.frames++;
      this.handlers.frame({ bytes, marked });
    }
    this.start = 0;
    this.end = 0;
  }

  private dropSom(): void {
    this.start++;
    this.marked = false;
  }

  private skipGarbage(): void {
    const from = this.start;
    let i = from;
    while (i < this.end && this.buffer[i] !== SOM && this.buffer[i] !== MARK) i++;
    this.start = i;
    this.marked = false;
    this.stats.garbageBytes += i - from;
    this.handlers.error(new OsdpError("GARBAGE", `${i - from} byte(s) outside any packet skipped`));
  }
}
