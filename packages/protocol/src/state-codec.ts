/**
 * SiteState and SiteDelta on the wire (proto/acs.proto), hand-written like protobufjs's
 * static code but mapping straight to and from the model's plain objects: a state of
 * millions of records encodes and decodes in a few seconds.
 */

export { deleteEntrySize, upsertEntrySize } from "./state-codec/delta-sizes.js";
export { checkSize, guard, RECORD_KINDS, type RecordKind } from "./state-codec/shared.js";
export { decodeDelta, decodeDeltaUnlimited, encodeDelta } from "./state-codec/site-delta.js";
export { decodeSiteState, encodeSiteState } from "./state-codec/site-state.js";
