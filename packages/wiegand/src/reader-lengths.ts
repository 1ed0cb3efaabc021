import { compiled } from "./compiled-format.js";
import type { Format } from "./format.js";

/**
 * The longest card the reader accepts (a raw format counts with its `maxBits`); 0 for
 * none. The bridge board ends a card frame at once at this count
 * (docs/bridge-protocol.md §6), so a 26-bit-only reader reports at the 26th pulse.
 *
 * @throws {InvalidFormatError} when a format in the list is not valid.
 */
export function longestBits(accepted: readonly Format[]): number {
  let longest = 0;
  for (const format of accepted) {
    const c = compiled(format);
    longest = Math.max(longest, c.kind === "raw" ? c.maxBits : c.bitLength);
  }
  return longest;
}

/** Every bit count some accepted format decodes, ascending. */
export function acceptedLengths(accepted: readonly Format[]): number[] {
  const lengths = new Set<number>();
  for (const format of accepted) {
    const c = compiled(format);
    if (c.kind === "fixed") lengths.add(c.bitLength);
    else for (let n = c.minBits; n <= c.maxBits; n++) lengths.add(n);
  }
  return [...lengths].sort((a, b) => a - b);
}
