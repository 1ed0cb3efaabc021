/**
 * Card formats are data, so a site can add one in its configuration without code.
 *
 * Bit positions count from 0 = the first bit sent on the wire (MSB first, as HID
 * numbers them in its format documents, less one: HID's "bit 1" is position 0 here).
 */

/** A card as received: characters '0' and '1', first transmitted bit first. */
export type Bits = string;

/** Longest card the bridge board frames (docs/bridge-protocol.md §6). */
export const MAX_BITS = 128;

/** Widest field whose every value a JS number holds exactly (2^53 - 1 > 2^52 - 1). */
export const MAX_FIELD_BITS = 52;

/** A run of bits read as an unsigned binary number, most significant bit first. */
export interface FieldSpec {
  readonly name: string;
  readonly start: number;
  readonly length: number;
}

export type ParityKind = "even" | "odd";

/**
 * A parity bit: with `kind: "even"` the bit plus the covered bits hold an even number
 * of ones, with `"odd"` an odd number.
 */
export interface ParitySpec {
  readonly bit: number;
  readonly kind: ParityKind;
  /** Positions covered, ascending; never the parity bit itself. */
  readonly covers: readonly number[];
}

/** A format of one exact length with named fields and parity bits. */
export interface FixedFormat {
  readonly kind?: "fixed";
  readonly name: string;
  readonly description?: string;
  readonly bitLength: number;
  readonly fields: readonly FieldSpec[];
  /** Checked all on decode; computed in this order on encode. */
  readonly parity: readonly ParitySpec[];
}

/** Takes any card of `minBits..maxBits` bits as bits, without fields or parity. */
export interface RawFormat {
  readonly kind: "raw";
  readonly name: string;
  readonly description?: string;
  readonly minBits: number;
  readonly maxBits: number;
}

export type Format = FixedFormat | RawFormat;

/** A card read through a format. */
export interface DecodedCard {
  readonly format: string;
  readonly bitLength: number;
  readonly bits: Bits;
  /** Field values by field name; empty for a raw card. */
  readonly fields: Readonly<Record<string, number>>;
}

/** Tells a raw format from a fixed one. */
export function isRawFormat(format: Format): format is RawFormat {
  return format.kind === "raw";
}
