/** Either the covered positions or why the mask cannot be read. */
export type MaskResult = { readonly covers: number[] } | { readonly error: string };

const HEX_DIGITS = /^[0-9a-fA-F]+$/;

/**
 * Reads a parity mask of a `bitLength`-bit card.
 *
 * - `"0010…"`: exactly `bitLength` characters, character p is position p.
 * - `"0x1FFE000"`: the card read as one binary number, MSB = position 0, so the last
 *   hex digit's lowest bit is the last bit sent. This is how raw card values are
 *   written (a 26-bit card 0x270012D) and how Proxmark3 writes its masks, so a mask
 *   can be checked against a published one digit for digit. Leading zero digits may be
 *   left out; a bit set beyond the card's length is an error.
 */
export function parseMask(mask: string, bitLength: number): MaskResult {
  const isHex = mask.startsWith("0x") || mask.startsWith("0X");
  const binary = isHex ? hexToBinary(mask.slice(2), bitLength) : mask;
  if (typeof binary !== "string") return binary;
  if (!isHex && (binary.length !== bitLength || !/^[01]*$/.test(binary))) {
    return {
      error: `must be ${bitLength} characters '0'/'1' (or hex with a 0x prefix), got "${mask}"`,
    };
  }
  const covers: number[] = [];
  for (let p = 0; p < bitLength; p++) if (binary.charCodeAt(p) === 49) covers.push(p);
  return { covers };
}

function hexToBinary(digits: string, bitLength: number): string | { readonly error: string } {
  if (!HEX_DIGITS.test(digits)) return { error: `"0x${digits}" is not a hex number` };
  let binary = "";
  for (const digit of digits) binary += Number.parseInt(digit, 16).toString(2).padStart(4, "0");
  const excess = binary.length - bitLength;
  if (excess > 0) {
    if (binary.slice(0, excess).includes("1")) {
      return { error: `0x${digits} has bits set beyond a ${bitLength}-bit card` };
    }
    return binary.slice(excess);
  }
  return binary.padStart(bitLength, "0");
}
