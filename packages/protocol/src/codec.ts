/**
 * Encoders and decoders of every message (proto/acs.proto). Decoders return the types of
 * model.ts and messages.ts exactly: null where the model says null, optional fields
 * absent when absent, arrays present even when empty. They check what protobuf cannot
 * (enum values the model knows, non-empty identifiers, site ids, positive ids, integers
 * below 2^53) and throw nothing but ProtocolError: MALFORMED for any bad input,
 * OVERSIZED for more than MAX_MESSAGE_BYTES (every decoder but decodeSiteState). Encoders
 * check the same and throw ProtocolError("MALFORMED") for a value they cannot send.
 *
 * SiteState and SiteDelta use the hand-written codec of state-codec.ts (millions of
 * records); the other messages go through protobufjs.
 */

export {
  decodeCommand,
  decodeCommandResult,
  encodeCommand,
  encodeCommandResult,
} from "./codec/commands.js";
export {
  decodeCentralStatus,
  decodeEdgeStatus,
  encodeCentralStatus,
  encodeEdgeStatus,
} from "./codec/edge-status.js";
export {
  decodeEventAck,
  decodeEventBatch,
  encodeEventAck,
  encodeEventBatch,
} from "./codec/events.js";
export {
  decodeChunk,
  decodeManifest,
  decodeSnapshotRequest,
  encodeChunk,
  encodeManifest,
  encodeSnapshotRequest,
} from "./codec/snapshot-messages.js";
export {
  decodeDelta,
  decodeDeltaUnlimited,
  decodeSiteState,
  encodeDelta,
  encodeSiteState,
  RECORD_KINDS,
  type RecordKind,
} from "./state-codec.js";
