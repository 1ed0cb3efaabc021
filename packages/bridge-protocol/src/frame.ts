import { crc16 } from "./crc16.js";

/** Start of every frame (docs/bridge-protocol.md §2). */
export const SOM = 0xa5;
/** Largest payload a frame may carry; a larger length byte marks a false start. */
export const MAX_PAYLOAD = 240;
/** SOM, LEN, TYPE, SEQ before the payload; CRC (2) after it. */
export const HEADER_BYTES = 4;
export const TRAILER_BYTES = 2;
export const FRAME_OVERHEAD = HEADER_BYTES + TRAILER_BYTES;

/** A frame as it travels: type, sequence number (0 = unsequenced) and payload. */
export interface RawFrame {
  readonly type: number;
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** Builds the bytes of one frame: SOM LEN TYPE SEQ PAYLOAD CRC16(LE) over LEN..PAYLOAD. */
export function encodeFrame(frame: RawFrame): Uint8Array {
  const { type, seq, payload } = frame;
  if (payload.length > MAX_PAYLOAD) {
    throw new RangeError(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  }
  const out = new Uint8Array(FRAME_OVERHEAD + payload.length);
  out[0] = SOM;
  out[1] = payload.length;
  out[2] = type & 0xff;
  out[3] = seq & 0xff;
  out.set(payload, HEADER_BYTES);
  const crc = crc16(out, 1, HEADER_BYTES + payload.length);
  out[HEADER_BYTES + payload.length] = crc & 0xff;
  out[HEADER_BYTES + payload.length + 1] = crc >> 8;
  return out;
}
