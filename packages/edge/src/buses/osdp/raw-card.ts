/** osdp_RAW card data (bit-packed, MSB first) as the bit string the Wiegand decoder takes. */
export function rawBits(data: Uint8Array, bitCount: number): string {
  let bits = "";
  for (let i = 0; i < bitCount; i++) {
    const byte = data[i >> 3] ?? 0;
    bits += (byte >> (7 - (i & 7))) & 1 ? "1" : "0";
  }
  return bits;
}
