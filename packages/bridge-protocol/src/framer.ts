import { crc16 } from "./crc16.js";
import {
  BadCrcError,
  BadLengthError,
  type BridgeProtocolError,
  GarbageError,
  TruncatedFrameError,
} from "./errors.js";
import { FRAME_OVERHEAD, HEADER_BYTES, MAX_PAYLOAD, type RawFrame, SOM } from "./frame.js";

export interface FramerStats {
  frames: number;
  garbageBytes: number;
  badCrc: number;
  badLength: number;
  truncated: number;
}

export interface FramerHandlers {
  frame(frame: RawFrame): void;
  error(error: BridgeProtocolError): void;
}

/**
 * Reassembles frames from an arbitrary byte stream (docs/bridge-protocol.md §3).
 * It survives any byte sequence: bytes before a SOM are garbage; a bad length or
 * CRC drops only the SOM byte and rescans, so a real frame hidden behind a false
 * start is still found. A frame left incomplete is dropped by `expire()`, which
 * the owner calls when the line has been quiet for the inter-byte timeout.
 */
export class Framer {
  readonly stats: FramerStats = {
    frames: 0,
    garbageBytes: 0,
    badCrc: 0,
    badLength: 0,
    truncated: 0,
  };
  private buffer = new Uint8Array(1024);
  private start = 0;
  private end = 0;
  private readonly handlers: FramerHandlers;

  constructor(handlers: FramerHandlers) {
    this.handlers = handlers;
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    this.append(chunk);
    this.scan();
  }

  /** Drops a partial frame after the line went quiet, then rescans what followed its SOM. */
  expire(): void {
    if (this.end === this.start) return;
    const dropped = this.buffer.slice(this.start, this.end);
    this.stats.truncated++;
    this.start++;
    this.handlers.error(new TruncatedFrameError(dropped));
    this.scan();
    if (this.end > this.start && this.buffer[this.start] === SOM) {
      // What is left is another incomplete frame start: it is as stale as the first.
      this.expire();
    }
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
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
      if (buf[this.start] !== SOM) {
        this.skipGarbage();
        continue;
      }
      if (this.end - this.start < 2) return;
      const length = buf[this.start + 1] as number;
      if (length > MAX_PAYLOAD) {
        this.stats.badLength++;
        this.handlers.error(new BadLengthError(length, buf.slice(this.start, this.start + 2)));
        this.start++;
        continue;
      }
      const total = FRAME_OVERHEAD + length;
      if (this.end - this.start < total) return;
      const crcAt = this.start + HEADER_BYTES + length;
      const expected = crc16(buf, this.start + 1, crcAt);
      const actual = (buf[crcAt] as number) | ((buf[crcAt + 1] as number) << 8);
      if (expected !== actual) {
        this.stats.badCrc++;
        this.handlers.error(
          new BadCrcError(expected, actual, buf.slice(this.start, this.start + total)),
        );
        this.start++;
        continue;
      }
      const frame: RawFrame = {
        type: buf[this.start + 2] as number,
        seq: buf[this.start + 3] as number,
        payload: buf.slice(this.start + HEADER_BYTES, crcAt),
      };
      this.start += total;
      this.stats.frames++;
      this.handlers.frame(frame);
    }
    this.start = 0;
    this.end = 0;
  }

  private skipGarbage(): void {
    const from = this.start;
    let i = from;
    while (i < this.end && this.buffer[i] !== SOM) i++;
    this.start = i;
    this.stats.garbageBytes += i - from;
    this.handlers.error(new GarbageError(this.buffer.slice(from, i)));
  }
}
