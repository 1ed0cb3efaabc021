import { REPLY_CODES, replyKindOf } from "../codes.js";
import { decodeMessage, type EncodedMessage, encodeMessage, type MessageSet } from "./codec.js";
import { REPLY_CODECS } from "./reply-codecs.js";
import type { Reply } from "./types.js";

/** A reply on the wire: its code and its data (everything between code and MAC/check). */
export type EncodedReply = EncodedMessage;

const REPLIES: MessageSet<Reply> = {
  what: "reply",
  codes: REPLY_CODES,
  codecs: REPLY_CODECS,
  kindOf: replyKindOf,
};

/** The code and data of a reply. Throws BadPayloadError for a value out of range. */
export function encodeReply(reply: Reply): EncodedReply {
  return encodeMessage(REPLIES, reply);
}

/**
 * The typed reply of a code and its data. Throws UnknownCodeError for a code v2.2 does
 * not define and BadPayloadError for data that does not match the layout; nothing else,
 * whatever the bytes.
 */
export function decodeReply(code: number, data: Uint8Array): Reply {
  return decodeMessage(REPLIES, code, data);
}
