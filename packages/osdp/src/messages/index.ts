/** The typed payloads of every OSDP v2.2 command and reply, their codecs and codes. */
export {
  CAPABILITY,
  COMMAND_CODES,
  commandKindOf,
  describeNak,
  NAK_CODES,
  REPLY_CODES,
  replyKindOf,
} from "../codes.js";
export { decodeCommand, type EncodedCommand, encodeCommand } from "./commands.js";
export { decodeReply, type EncodedReply, encodeReply } from "./replies.js";
export * from "./types.js";
