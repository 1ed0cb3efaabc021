/**
 * The character sets OSDP payloads carry. Each check returns the offending position so
 * the codecs can name it in a BadPayloadError; strings and bytes map one to one, so a
 * value that passes survives encode/decode unchanged.
 */

/** osdp_TEXT: what a reader display can show, 0x20 (space) .. 0x7E ('~'). */
export function isPrintableAscii(charCode: number): boolean {
  return charCode >= 0x20 && charCode <= 0x7e;
}

/** osdp_FMT: the specification only says "ASCII", so any 7-bit character is kept. */
export function isAscii(charCode: number): boolean {
  return charCode >= 0x00 && charCode <= 0x7f;
}

/** Index of the first character (or byte) that fails `allowed`, or -1. */
export function firstInvalid(
  codes: ArrayLike<number> | string,
  allowed: (code: number) => boolean,
): number {
  for (let i = 0; i < codes.length; i++) {
    const code = typeof codes === "string" ? codes.charCodeAt(i) : codes[i]!;
    if (!allowed(code)) return i;
  }
  return -1;
}

export function asciiToBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

export function bytesToAscii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/**
 * osdp_KEYPAD key encoding: digits as ASCII, '*' (clear/delete) as DEL 0x7F, '#' (enter)
 * as CR 0x0D, and function keys as upper-case ASCII: A..D = F1..F4, E = F1&F2,
 * F = F2&F3, G = F3&F4, H = F1&F4.
 */
const KEY_TO_WIRE: ReadonlyMap<string, number> = new Map([
  ...Array.from("0123456789ABCDEFGH", (key): [string, number] => [key, key.charCodeAt(0)]),
  ["*", 0x7f],
  ["#", 0x0d],
]);
const WIRE_TO_KEY: ReadonlyMap<number, string> = new Map(
  Array.from(KEY_TO_WIRE, ([key, wire]): [number, string] => [wire, key]),
);

/** The wire bytes of keypad digits, or the index of the first key that has none. */
export function keysToWire(digits: string): Uint8Array | number {
  const wire = new Uint8Array(digits.length);
  for (let i = 0; i < digits.length; i++) {
    const byte = KEY_TO_WIRE.get(digits.charAt(i));
    if (byte === undefined) return i;
    wire[i] = byte;
  }
  return wire;
}

/** Keypad digits from their wire bytes, or the index of the first unknown byte. */
export function wireToKeys(wire: Uint8Array): string | number {
  let digits = "";
  for (let i = 0; i < wire.length; i++) {
    const key = WIRE_TO_KEY.get(wire[i]!);
    if (key === undefined) return i;
    digits += key;
  }
  return digits;
}
