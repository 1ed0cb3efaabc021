import { REPLY_CODES, replyKindOf } from "../codes.js";
import { BadPayloadError, OsdpError, UnknownCodeError } from "../errors.js";
import { PayloadReader, PayloadWriter } from "./bytes.js";
import type { Codec } from "./codec.js";
import { REPLY_CODECS } from "./reply-codecs.js";
import type { Reply } from "./types.js";

/** A reply on the wire: its code and its data (everything between code and MAC/check). */
export interface EncodedReply {
  readonly code: number;
  readonly data: Uint8Array;
}

// REPLY_CODECS is keyed by kind with a matching codec type; TypeScript cannot follow
// that correlation through an indexed access, so the lookup widens to the union once here.
function codecOf(kind: Reply["kind"]): Codec<Reply> | undefined {
  return REPLY_CODECS[kind] as Codec<Reply> | undefined;
}

/** The code and data of a reply. Throws BadPayloadError for a value out of range. */
export function encodeReply(reply: Reply): EncodedReply {
  const code: number | undefined = REPLY_CODES[reply.kind];
  const codec = codecOf(reply.kind);
  if (code === undefined || codec === undefined) {
    throw new OsdpError("UNKNOWN_CODE", `unknown reply kind ${String(reply.kind)}`);
  }
  const out = new PayloadWriter(code);
  codec.encode(reply, out);
  return { code, data: out.finish() };
}

/**
 * The typed reply of a code and its data. Throws UnknownCodeError for a code v2.2 does
 * not define and BadPayloadError for data that does not match the layout; nothing else,
 * whatever the bytes.
 */
export function decodeReply(code: number, data: Uint8Array): Reply {
  const kind = replyKindOf(code);
  if (kind === undefined) throw new UnknownCodeError(code, "reply");
  if (!(data instanceof Uint8Array)) throw new BadPayloadError(code, "data must be a Uint8Array");
  const input = new PayloadReader(code, data);
  const reply = codecOf(kind)!.decode(input);
  input.expectEnd();
  return reply;
}
