export {
  decodeMessage,
  encodeMessage,
  MAX_CARD_BITS,
  packBits,
  toFrame,
  unpackBits,
} from "./codec.js";
export { crc16 } from "./crc16.js";
export * from "./errors.js";
export {
  encodeFrame,
  FRAME_OVERHEAD,
  HEADER_BYTES,
  MAX_PAYLOAD,
  type RawFrame,
  SOM,
  TRAILER_BYTES,
} from "./frame.js";
export { Framer, type FramerHandlers, type FramerStats } from "./framer.js";
export * from "./messages.js";
export {
  type LinkTimers,
  QueueFullError,
  ReliableChannel,
  type ReliableChannelOptions,
} from "./reliable-channel.js";
export { FIRST_SEQ, nextSeq, prevSeq, seqDistance } from "./sequence.js";
