/** Stable codes of everything that can be wrong on an OSDP bus. */
export type OsdpErrorCode =
  | "GARBAGE"
  | "BAD_LENGTH"
  | "BAD_CHECK"
  | "BAD_HEADER"
  | "TRUNCATED"
  | "UNKNOWN_CODE"
  | "BAD_PAYLOAD"
  | "BAD_SECURITY_BLOCK"
  | "BAD_MAC"
  | "BAD_CRYPTOGRAM"
  | "BAD_PADDING"
  | "WRONG_ADDRESS"
  | "WRONG_SEQUENCE"
  | "NOT_SECURE"
  | "TIMEOUT"
  | "NAK";

/** Base of every OSDP error; `code` is stable and safe to count and log. */
export class OsdpError extends Error {
  readonly code: OsdpErrorCode;
  constructor(code: OsdpErrorCode, message: string) {
    super(message);
    this.name = "OsdpError";
    this.code = code;
  }
}

/** A command or reply payload that does not match its layout in the specification. */
export class BadPayloadError extends OsdpError {
  /** The command or reply code whose payload is wrong. */
  readonly messageCode: number;
  constructor(messageCode: number, message: string) {
    super("BAD_PAYLOAD", `0x${messageCode.toString(16).padStart(2, "0")}: ${message}`);
    this.name = "BadPayloadError";
    this.messageCode = messageCode;
  }
}

export class UnknownCodeError extends OsdpError {
  readonly messageCode: number;
  constructor(messageCode: number, what: "command" | "reply") {
    super("UNKNOWN_CODE", `unknown ${what} code 0x${messageCode.toString(16).padStart(2, "0")}`);
    this.name = "UnknownCodeError";
    this.messageCode = messageCode;
  }
}
