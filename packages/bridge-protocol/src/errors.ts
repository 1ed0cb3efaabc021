/** Stable codes of everything that can be wrong with bytes on the bridge line. */
export type BridgeErrorCode =
  | "GARBAGE"
  | "BAD_LENGTH"
  | "BAD_CRC"
  | "TRUNCATED"
  | "UNKNOWN_TYPE"
  | "BAD_PAYLOAD";

/** Base of every bridge-protocol error; `code` is stable, `bytes` the offending input. */
export class BridgeProtocolError extends Error {
  readonly code: BridgeErrorCode;
  readonly bytes: Uint8Array;
  constructor(code: BridgeErrorCode, message: string, bytes: Uint8Array) {
    super(message);
    this.name = "BridgeProtocolError";
    this.code = code;
    this.bytes = bytes;
  }
}

/** Bytes before a start-of-message byte that belong to no frame. */
export class GarbageError extends BridgeProtocolError {
  constructor(bytes: Uint8Array) {
    super("GARBAGE", `${bytes.length} byte(s) outside any frame skipped`, bytes);
    this.name = "GarbageError";
  }
}

/** A length byte larger than any frame may be: the start byte was not a frame start. */
export class BadLengthError extends BridgeProtocolError {
  constructor(length: number, bytes: Uint8Array) {
    super("BAD_LENGTH", `payload length ${length} exceeds the maximum`, bytes);
    this.name = "BadLengthError";
  }
}

export class BadCrcError extends BridgeProtocolError {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number, bytes: Uint8Array) {
    super(
      "BAD_CRC",
      `CRC mismatch: frame carries 0x${actual.toString(16).padStart(4, "0")}, computed 0x${expected
        .toString(16)
        .padStart(4, "0")}`,
      bytes,
    );
    this.name = "BadCrcError";
    this.expected = expected;
    this.actual = actual;
  }
}

/** A frame that started but did not complete before the inter-byte timeout. */
export class TruncatedFrameError extends BridgeProtocolError {
  constructor(bytes: Uint8Array) {
    super("TRUNCATED", `frame truncated after ${bytes.length} byte(s)`, bytes);
    this.name = "TruncatedFrameError";
  }
}

export class UnknownTypeError extends BridgeProtocolError {
  readonly type: number;
  constructor(type: number, bytes: Uint8Array) {
    super("UNKNOWN_TYPE", `unknown frame type 0x${type.toString(16).padStart(2, "0")}`, bytes);
    this.name = "UnknownTypeError";
    this.type = type;
  }
}

export class BadPayloadError extends BridgeProtocolError {
  constructor(message: string, bytes: Uint8Array) {
    super("BAD_PAYLOAD", message, bytes);
    this.name = "BadPayloadError";
  }
}
