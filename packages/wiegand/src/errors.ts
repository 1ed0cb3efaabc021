/** Stable codes of everything that can go wrong turning Wiegand bits into a card. */
export type WiegandErrorCode =
  | "INVALID_BITS"
  | "UNKNOWN_LENGTH"
  | "PARITY"
  | "FIELD_RANGE"
  | "INVALID_FORMAT";

/** One problem in a format definition, with the path of the bad field (`fields[1].start`). */
export interface FormatProblem {
  readonly path: string;
  readonly message: string;
}

/** Base of every error of this package; `code` is stable, `bits` the offending input if any. */
export class WiegandError extends Error {
  readonly code: WiegandErrorCode;
  readonly bits: string | undefined;
  constructor(code: WiegandErrorCode, message: string, bits?: string) {
    super(message);
    this.name = "WiegandError";
    this.code = code;
    this.bits = bits;
  }
}

// A garbage frame can be long; the message stays readable, `bits` keeps all of it.
function shown(bits: string): string {
  return bits.length <= 140 ? `"${bits}"` : `"${bits.slice(0, 140)}…" (${bits.length} chars)`;
}

/** Input that is not a string of 1..128 characters '0' and '1'. */
export class InvalidBitsError extends WiegandError {
  constructor(reason: string, bits?: string) {
    super("INVALID_BITS", bits === undefined ? reason : `${reason}: ${shown(bits)}`, bits);
    this.name = "InvalidBitsError";
  }
}

/** A bit count that no accepted format takes. */
export class UnknownLengthError extends WiegandError {
  readonly bitLength: number;
  /** Every bit count the reader would have decoded, ascending. */
  readonly acceptedLengths: readonly number[];
  constructor(bits: string, acceptedLengths: readonly number[]) {
    super(
      "UNKNOWN_LENGTH",
      `no accepted format has ${bits.length} bits (accepted: ${
        acceptedLengths.length === 0 ? "none" : acceptedLengths.join(", ")
      })`,
      bits,
    );
    this.name = "UnknownLengthError";
    this.bitLength = bits.length;
    this.acceptedLengths = acceptedLengths;
  }
}

/** Formats of this length exist, but the card fails parity for all of them. */
export class ParityError extends WiegandError {
  /** The first candidate format in the reader's priority order. */
  readonly format: string;
  /** The first parity bit of that format (in its listed order) that does not check. */
  readonly parityBit: number;
  constructor(bits: string, format: string, parityBit: number) {
    super("PARITY", `${format}: parity bit ${parityBit} does not check in ${shown(bits)}`, bits);
    this.name = "ParityError";
    this.format = format;
    this.parityBit = parityBit;
  }
}

/** A field value that the format cannot carry (missing, negative, fractional, too large). */
export class FieldRangeError extends WiegandError {
  readonly format: string;
  readonly field: string;
  readonly value: unknown;
  /** The largest value the field holds; `null` when the format has no such field. */
  readonly max: number | null;
  constructor(format: string, field: string, value: unknown, max: number | null) {
    super(
      "FIELD_RANGE",
      max === null
        ? `${format} has no field "${field}"`
        : `${format}: field "${field}" must be an integer 0..${max}, got ${String(value)}`,
    );
    this.name = "FieldRangeError";
    this.format = format;
    this.field = field;
    this.value = value;
    this.max = max;
  }
}

/** A format definition with problems; all of them are listed, each with its path. */
export class InvalidFormatError extends WiegandError {
  readonly problems: readonly FormatProblem[];
  constructor(problems: readonly FormatProblem[], name?: string) {
    const list = problems.map((p) => `${p.path === "" ? "(format)" : p.path}: ${p.message}`);
    super(
      "INVALID_FORMAT",
      `invalid card format${name === undefined ? "" : ` "${name}"`}: ${list.join("; ")}`,
    );
    this.name = "InvalidFormatError";
    this.problems = problems;
  }
}
