/**
 * The two check characters OSDP allows (SIA OSDP v2.2, section 5.7): CRC-16/AUG-CCITT
 * (poly 0x1021, init 0x1D0F, no reflection, no final xor; sent LSB first), and the 8-bit
 * checksum (two's complement of the byte sum) for PDs that cannot do CRC.
 * CRC check value over ASCII "123456789" is 0xE5CC.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[i] = crc;
  }
  return table;
})();

export function osdpCrc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0x1d0f;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  }
  return crc;
}

export function osdpChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i] as number;
  return -sum & 0xff;
}
