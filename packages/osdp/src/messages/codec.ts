import type { PayloadReader, PayloadWriter } from "./bytes.js";

/**
 * The payload codec of one command or reply kind. `decode` gets a reader over the whole
 * payload and checks the layout's length itself (so its error can say what the layout
 * is); the dispatcher then rejects anything left unread.
 */
export interface Codec<T> {
  encode(value: T, out: PayloadWriter): void;
  decode(input: PayloadReader): T;
}

/** Where a layout check reports its problem: the reader or writer of the payload. */
export interface Rejects {
  fail(problem: string): never;
}

/** A message with no data: POLL, the status requests, ABORT, ACK, BUSY. */
export function empty<T extends { readonly kind: string }>(kind: T["kind"]): Codec<T> {
  return {
    encode() {},
    decode(input) {
      input.expectLength(0, "payload");
      return { kind } as T;
    },
  };
}

/** Variable-length data with an explicit length field must agree with the payload. */
export function checkedLength(input: PayloadReader, length: number, what: string): Uint8Array {
  input.expectRemaining(length, what);
  return input.bytes(length);
}
