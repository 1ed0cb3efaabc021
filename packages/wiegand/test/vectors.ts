/*
 * Golden vectors, derived by hand. Positions count from 0 = first bit on the wire.
 * For each: the fields in binary, then every parity bit with the ones it counts.
 * "ones" is the number of 1s among the covered positions; an even parity bit makes
 * the total (covered + itself) even, an odd one makes it odd.
 */
import {
  C1000_35,
  C1000_48,
  type FixedFormat,
  H10301,
  H10302,
  H10304,
  H10306,
} from "../src/index.js";

export interface GoldenVector {
  readonly format: FixedFormat;
  readonly fields: Readonly<Record<string, number>>;
  readonly bits: string;
  readonly source: string;
}

export const GOLDEN: readonly GoldenVector[] = [
  {
    // facility 18    = 00010010          (positions 1..8)
    // card     12345 = 0x3039 = 0011000000111001 (positions 9..24)
    // bit 0  even over 1..12  = 00010010 0011  -> 4 ones, even already -> 0
    // bit 25 odd  over 13..24 = 000000111001   -> 4 ones, needs one more -> 1
    // 0 00010010 0011000000111001 1
    format: H10301,
    fields: { facility: 18, card: 12345 },
    bits: "00001001000110000001110011",
    source: "by hand",
  },
  {
    // Proxmark3 `wiegand decode --raw 2006f623ae` (its help example): without the
    // HID preamble 0x2004000000 the 26 bits are 0x2F623AE.
    // facility 123 = 01111011, card 4567 = 0x11D7 = 0001000111010111
    // bit 0  even over 1..12  = 01111011 0001 -> 7 ones -> 1
    // bit 25 odd  over 13..24 = 000111010111  -> 7 ones, odd already -> 0
    format: H10301,
    fields: { facility: 123, card: 4567 },
    bits: "10111101100010001110101110",
    source: "Proxmark3 wiegand decode example",
  },
  {
    // jessety/wiegand-encoder README: encode(324, 90) -> '00101101000000001010001000'
    // facility 90 = 01011010, card 324 = 0000000101000100
    // bit 0  even over 1..12  = 01011010 0000 -> 4 ones -> 0
    // bit 25 odd  over 13..24 = 000101000100  -> 3 ones -> 0
    format: H10301,
    fields: { facility: 90, card: 324 },
    bits: "00101101000000001010001000",
    source: "wiegand-encoder README",
  },
  {
    // facility 1234  = 0x04D2 = 0000010011010010 (positions 1..16), 5 ones
    // card     56789 = 0xDDD5 = 1101110111010101 (positions 17..32), 11 ones
    // bit 0  even over 1..16  -> 5 ones  -> 1
    // bit 33 odd  over 17..32 -> 11 ones -> 0
    // 1 0000010011010010 1101110111010101 0
    format: H10306,
    fields: { facility: 1234, card: 56789 },
    bits: "1000001001101001011011101110101010",
    source: "by hand",
  },
  {
    // card 12345678901 = 0x2DFDC1C35 = 01011011111110111000001110000110101 (1..35)
    // bit 0  even over 1..18  = 010110111111101110 -> 13 ones -> 1
    // bit 36 odd  over 18..35 = 000001110000110101 -> 7 ones  -> 0
    // 1 01011011111110111000001110000110101 0
    format: H10302,
    fields: { card: 12345678901 },
    bits: "1010110111111101110000011100001101010",
    source: "by hand",
  },
  {
    // facility 1234   = 0000010011010010    (positions 1..16)
    // card     345678 = 0x5464E = 1010100011001001110 (positions 17..35)
    // bit 0  even over 1..18  = 0000010011010010 10 -> 6 ones -> 0
    // bit 36 odd  over 18..35 = 010100011001001110  -> 8 ones -> 1
    // 0 0000010011010010 1010100011001001110 1
    format: H10304,
    fields: { facility: 1234, card: 345678 },
    bits: "0000001001101001010101000110010011101",
    source: "by hand",
  },
  {
    // company 1234  = 0x4D2   = 010011010010         (positions 2..13), 5 ones
    // card  567890  = 0x8AA52 = 10001010101001010010 (positions 14..33), 8 ones
    // data by position: 2:0 3:1 4:0 5:0 6:1 7:1 8:0 9:1 10:0 11:0 12:1 13:0
    //   14:1 15:0 16:0 17:0 18:1 19:0 20:1 21:0 22:1 23:0 24:1 25:0 26:0 27:1
    //   28:0 29:1 30:0 31:0 32:1 33:0
    // bit 1  even over 2..33 except 4,7,..,31 (p % 3 = 1):
    //   ones at 3 6 9 12 14 18 20 24 27 29 32 -> 11 -> 1
    // bit 34 odd over 1..32 except 3,6,..,30 (p % 3 = 0), bit 1 included:
    //   ones at 1 7 14 20 22 29 32 -> 7 -> 0
    // bit 0  odd over 1..34: bit 1 (1) + 5 + 8 + bit 34 (0) = 14 ones -> 1
    // 1 1 010011010010 10001010101001010010 0
    format: C1000_35,
    fields: { facility: 1234, card: 567890 },
    bits: "11010011010010100010101010010100100",
    source: "by hand; equals Proxmark3 Pack_C1k35s",
  },
  {
    // company 2345678 = 0x23CACE = 1000111100101011001110 (positions 2..23), 12 ones
    // card    7654321 = 0x74CBB1 = 11101001100101110110001 (positions 24..46), 13 ones
    // bit 1  even over 3..46 except 5,8,..,44 (p % 3 = 2); covered bits in order
    //   001110100100111101010001101001 -> 15 ones -> 1
    // bit 47 odd over 2..45 except 4,7,..,43 (p % 3 = 1); covered bits in order
    //   100111011010110110001010111100 -> 17 ones -> 0
    // bit 0  odd over 1..47: bit 1 (1) + 12 + 13 + bit 47 (0) = 26 ones -> 1
    // 1 1 1000111100101011001110 11101001100101110110001 0
    format: C1000_48,
    fields: { facility: 2345678, card: 7654321 },
    bits: "111000111100101011001110111010011001011101100010",
    source: "by hand; equals Proxmark3 Pack_C1k48s",
  },
];

/** Flips the bit at `position`. */
export function flip(bits: string, position: number): string {
  return `${bits.slice(0, position)}${bits[position] === "1" ? "0" : "1"}${bits.slice(position + 1)}`;
}
