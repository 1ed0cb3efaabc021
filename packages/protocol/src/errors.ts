/** What went wrong with a message, as a stable code a caller can switch on. */
export type ProtocolErrorCode =
  /** Not a valid message of the expected type (bad protobuf, unknown enum value, bad id, ...). */
  | "MALFORMED"
  /** Larger than MAX_MESSAGE_BYTES (or, for a delta record, larger than any message may be). */
  | "OVERSIZED"
  /** The envelope's signature does not verify with the named key. */
  | "BAD_SIGNATURE"
  /** The envelope names a key the receiver does not trust. */
  | "UNKNOWN_KEY"
  /** The envelope is of another kind than expected (e.g. a delta where a command was awaited). */
  | "WRONG_KIND"
  /** A snapshot's bytes do not match its manifest's length or SHA-256. */
  | "HASH_MISMATCH"
  /** A topic outside the acs/v1 topic map, or a bad site id. */
  | "BAD_TOPIC"
  /** A snapshot is asked for before all its chunks are in. */
  | "INCOMPLETE";

export const PROTOCOL_ERROR_CODES: readonly ProtocolErrorCode[] = [
  "MALFORMED",
  "OVERSIZED",
  "BAD_SIGNATURE",
  "UNKNOWN_KEY",
  "WRONG_KIND",
  "HASH_MISMATCH",
  "BAD_TOPIC",
  "INCOMPLETE",
];

/** Every problem with a message on the wire; nothing else is thrown by the decoders. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

export function isProtocolError(error: unknown, code?: ProtocolErrorCode): error is ProtocolError {
  return error instanceof ProtocolError && (code === undefined || error.code === code);
}
