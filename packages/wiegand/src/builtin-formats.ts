import { defineFormat } from "./define-format.js";
import type { FixedFormat, RawFormat } from "./format.js";

// Built-ins go through defineFormat like a site's formats: same checks, same freezing.
function fixed(spec: Record<string, unknown>): FixedFormat {
  return defineFormat(spec) as FixedFormat;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** HID H10301, the open 26-bit format: facility 0..255, card 0..65535. */
export const H10301: FixedFormat = fixed({
  name: "H10301",
  description: "HID 26-bit standard",
  bitLength: 26,
  fields: [
    { name: "facility", start: 1, length: 8 },
    { name: "card", start: 9, length: 16 },
  ],
  parity: [
    { bit: 0, kind: "even", covers: range(1, 12) },
    { bit: 25, kind: "odd", covers: range(13, 24) },
  ],
});

/** HID H10306, 34-bit: facility 16 bits, card 16 bits. */
export const H10306: FixedFormat = fixed({
  name: "H10306",
  description: "HID 34-bit",
  bitLength: 34,
  fields: [
    { name: "facility", start: 1, length: 16 },
    { name: "card", start: 17, length: 16 },
  ],
  parity: [
    { bit: 0, kind: "even", covers: range(1, 16) },
    { bit: 33, kind: "odd", covers: range(17, 32) },
  ],
});

/** HID H10302, 37-bit without facility: a 35-bit card number. */
export const H10302: FixedFormat = fixed({
  name: "H10302",
  description: "HID 37-bit, no facility code",
  bitLength: 37,
  fields: [{ name: "card", start: 1, length: 35 }],
  parity: [
    { bit: 0, kind: "even", covers: range(1, 18) },
    { bit: 36, kind: "odd", covers: range(18, 35) },
  ],
});

/**
 * HID H10304, 37-bit with facility. Same length and parity masks as H10302, so every
 * valid card of one is a valid card of the other: the reader's order decides.
 */
export const H10304: FixedFormat = fixed({
  name: "H10304",
  description: "HID 37-bit with facility code",
  bitLength: 37,
  fields: [
    { name: "facility", start: 1, length: 16 },
    { name: "card", start: 17, length: 19 },
  ],
  parity: [
    { bit: 0, kind: "even", covers: range(1, 18) },
    { bit: 36, kind: "odd", covers: range(18, 35) },
  ],
});

/*
 * HID Corporate 1000. The masks are Proxmark3's, digit for digit
 * (RfidResearchGroup/proxmark3, client/src/wiegand_formats.c, Pack_C1k35s and
 * Pack_C1k48s: `(Mid << 32) | Bot` of each evenparity32/oddparity32 call), in the
 * same hex convention (card as one number, MSB = position 0), and computed in the
 * same order. For 35 bits, liblogicalaccess agrees position for position
 * (src/services/accesscontrol/formats/wiegand35format.cpp, getLeftParity2,
 * getRightParity, getLeftParity1, written in that order); for 48 bits Proxmark3 is
 * the only source found. The shape: position 1 even over two of every three bits,
 * the last bit odd over the other interleaving, position 0 odd over all other bits.
 * Field layout as in both and in The Tick's C1000_LAYOUTS: company id from
 * position 2, card number after it. The overall bit covers the other two parity
 * bits, so it is listed last.
 */

/** HID Corporate 1000 35-bit: company id (`facility`) 12 bits, card 20 bits. */
export const C1000_35: FixedFormat = fixed({
  name: "C1000_35",
  description: "HID Corporate 1000, 35-bit",
  bitLength: 35,
  fields: [
    { name: "facility", start: 2, length: 12 },
    { name: "card", start: 14, length: 20 },
  ],
  parity: [
    { bit: 1, kind: "even", mask: "0x1B6DB6DB6" },
    { bit: 34, kind: "odd", mask: "0x36DB6DB6C" },
    { bit: 0, kind: "odd", mask: "0x3FFFFFFFF" },
  ],
});

/** HID Corporate 1000 48-bit: company id (`facility`) 22 bits, card 23 bits. */
export const C1000_48: FixedFormat = fixed({
  name: "C1000_48",
  description: "HID Corporate 1000, 48-bit",
  bitLength: 48,
  fields: [
    { name: "facility", start: 2, length: 22 },
    { name: "card", start: 24, length: 23 },
  ],
  parity: [
    { bit: 1, kind: "even", mask: "0x1B6DB6DB6DB6" },
    { bit: 47, kind: "odd", mask: "0x36DB6DB6DB6C" },
    { bit: 0, kind: "odd", mask: "0x7FFFFFFFFFFF" },
  ],
});

/** Any card of 1..128 bits, kept as bits. */
export const RAW: RawFormat = defineFormat({
  kind: "raw",
  name: "RAW",
  description: "any bit count, kept as bits",
  minBits: 1,
  maxBits: 128,
}) as RawFormat;

/** The built-in formats by name. */
export const FORMATS = Object.freeze({ H10301, H10306, H10302, H10304, C1000_35, C1000_48, RAW });
