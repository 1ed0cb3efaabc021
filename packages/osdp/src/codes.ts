import type { CommandKind, ReplyKind } from "./messages/types.js";

/**
 * Command codes (CP -> PD) of SIA OSDP v2.2, by command kind. Codes the specification
 * deprecated or never assigned (DIAG 0x63, TDSET 0x6D, XWR 0xA1, PIVDATA 0xA3, ...) are
 * deliberately absent: decoding them gives UnknownCodeError, which a PD answers with
 * NAK 0x03.
 */
export const COMMAND_CODES = {
  poll: 0x60,
  id: 0x61,
  cap: 0x62,
  lstat: 0x64,
  istat: 0x65,
  ostat: 0x66,
  rstat: 0x67,
  out: 0x68,
  led: 0x69,
  buz: 0x6a,
  text: 0x6b,
  comset: 0x6e,
  bioread: 0x73,
  biomatch: 0x74,
  keyset: 0x75,
  chlng: 0x76,
  scrypt: 0x77,
  acurxsize: 0x7b,
  filetransfer: 0x7c,
  mfg: 0x80,
  abort: 0xa2,
  keepactive: 0xa7,
} as const satisfies Record<CommandKind, number>;

/** Reply codes (PD -> CP) of SIA OSDP v2.2, by reply kind. */
export const REPLY_CODES = {
  ack: 0x40,
  nak: 0x41,
  pdid: 0x45,
  pdcap: 0x46,
  lstatr: 0x48,
  istatr: 0x49,
  ostatr: 0x4a,
  rstatr: 0x4b,
  raw: 0x50,
  fmt: 0x51,
  keypad: 0x53,
  com: 0x54,
  bioreadr: 0x57,
  biomatchr: 0x58,
  ccrypt: 0x76,
  rmac_i: 0x78,
  busy: 0x79,
  ftstat: 0x7a,
  mfgrep: 0x90,
} as const satisfies Record<ReplyKind, number>;

function invert<K extends string>(codes: Record<K, number>): ReadonlyMap<number, K> {
  return new Map(Object.entries<number>(codes).map(([kind, code]) => [code, kind as K]));
}

const COMMAND_KINDS = invert<CommandKind>(COMMAND_CODES);
const REPLY_KINDS = invert<ReplyKind>(REPLY_CODES);

/** The command kind of a command code, or undefined for a code v2.2 does not define. */
export function commandKindOf(code: number): CommandKind | undefined {
  return COMMAND_KINDS.get(code);
}

/** The reply kind of a reply code, or undefined for a code v2.2 does not define. */
export function replyKindOf(code: number): ReplyKind | undefined {
  return REPLY_KINDS.get(code);
}

/** osdp_NAK error codes (the first data byte of a NAK reply). */
export const NAK_CODES = {
  NONE: 0x00,
  /** Message check character(s) error: bad checksum or CRC. */
  CHECK_CHARACTER: 0x01,
  /** Command length error. */
  COMMAND_LENGTH: 0x02,
  /** Unknown command code: the PD does not support the command. */
  UNKNOWN_COMMAND: 0x03,
  /** Unexpected sequence number detected in the header. */
  SEQUENCE: 0x04,
  /** Unsupported security block, or security conditions not met. */
  SECURITY: 0x05,
  /** Encrypted communication is required to process this command. */
  ENCRYPTION_REQUIRED: 0x06,
  /** BIO_TYPE not supported. */
  BIO_TYPE: 0x07,
  /** BIO_FORMAT not supported. */
  BIO_FORMAT: 0x08,
  /** Unable to process command record. */
  UNABLE_TO_PROCESS: 0x09,
} as const;

const NAK_DESCRIPTIONS: ReadonlyMap<number, string> = new Map([
  [NAK_CODES.NONE, "no error"],
  [NAK_CODES.CHECK_CHARACTER, "message check character error"],
  [NAK_CODES.COMMAND_LENGTH, "command length error"],
  [NAK_CODES.UNKNOWN_COMMAND, "unknown command code"],
  [NAK_CODES.SEQUENCE, "unexpected sequence number"],
  [NAK_CODES.SECURITY, "unsupported security block or security conditions not met"],
  [NAK_CODES.ENCRYPTION_REQUIRED, "encrypted communication required"],
  [NAK_CODES.BIO_TYPE, "BIO type not supported"],
  [NAK_CODES.BIO_FORMAT, "BIO format not supported"],
  [NAK_CODES.UNABLE_TO_PROCESS, "unable to process command record"],
]);

/** A human-readable NAK error code, for logs; codes v2.2 reserves are named as such. */
export function describeNak(errorCode: number): string {
  const hex = `0x${errorCode.toString(16).padStart(2, "0")}`;
  return `${NAK_DESCRIPTIONS.get(errorCode) ?? "reserved NAK code"} (${hex})`;
}

/** PDCAP function codes: what each 3-byte capability record describes. */
export const CAPABILITY = {
  CONTACT_STATUS_MONITORING: 1,
  OUTPUT_CONTROL: 2,
  CARD_DATA_FORMAT: 3,
  READER_LED_CONTROL: 4,
  READER_AUDIBLE_OUTPUT: 5,
  READER_TEXT_OUTPUT: 6,
  /** Deprecated by v2.2 (osdp_TDSET is gone), still reported by older PDs. */
  TIME_KEEPING: 7,
  /** Check character support: compliance 1 means the PD can use CRC-16. */
  CHECK_CHARACTER: 8,
  COMMUNICATION_SECURITY: 9,
  RECEIVE_BUFFER_SIZE: 10,
  LARGEST_COMBINED_MESSAGE_SIZE: 11,
  SMART_CARD_SUPPORT: 12,
  READERS: 13,
  BIOMETRICS: 14,
  SECURE_PIN_ENTRY: 15,
  OSDP_VERSION: 16,
} as const;
