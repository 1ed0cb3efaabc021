import { osdpChecksum, osdpCrc16 } from "./check.js";
import { OsdpError } from "./errors.js";

/** Start of message (SIA OSDP v2.2, 5.7). */
export const SOM = 0x53;
/** The mark byte a v2.2 sender puts before SOM; receivers skip it. */
export const MARK = 0xff;
/** The configuration/broadcast address. */
export const BROADCAST = 0x7f;
/** Set in the address byte of every reply. */
export const REPLY_BIT = 0x80;
/** SOM, ADDR, LEN_LSB, LEN_MSB, CTRL. */
export const HEADER_BYTES = 5;
/** SOM, ADDR, LEN (2), CTRL, CODE, checksum: nothing can be shorter. */
export const MIN_PACKET = 7;
export const MAC_BYTES = 4;

const CTRL_SEQUENCE = 0x03;
const CTRL_CRC = 0x04;
const CTRL_SCB = 0x08;

/** Security control block types (Annex D). */
export const SCS = {
  /** CP -> PD osdp_CHLNG; data: key type. */
  CHLNG: 0x11,
  /** PD -> CP osdp_CCRYPT; data: key type. */
  CCRYPT: 0x12,
  /** CP -> PD osdp_SCRYPT; data: key type. */
  SCRYPT: 0x13,
  /** PD -> CP osdp_RMAC_I; data: 0x01 accepted, 0xFF refused. */
  RMAC_I: 0x14,
  /** CP -> PD, MAC, data (if any) in clear; used when there is no data. */
  COMMAND_MAC: 0x15,
  REPLY_MAC: 0x16,
  /** CP -> PD, MAC and encrypted data. */
  COMMAND_ENCRYPTED: 0x17,
  REPLY_ENCRYPTED: 0x18,
} as const;

export interface SecurityBlock {
  readonly type: number;
  readonly data: Uint8Array;
}

export interface PacketHeader {
  /** 0..0x7F, without the reply bit. */
  readonly address: number;
  readonly reply: boolean;
  readonly sequence: number;
  /** CRC-16 (true) or the 8-bit checksum. */
  readonly crc: boolean;
  readonly security?: SecurityBlock;
}

export interface Packet extends PacketHeader {
  readonly code: number;
  /** As on the wire: still encrypted for SCS_17 and SCS_18. */
  readonly data: Uint8Array;
  /** The 4 MAC bytes of SCS_15..SCS_18. */
  readonly mac?: Uint8Array;
  /** SOM through the last data byte: what the MAC covers. */
  readonly macInput: Uint8Array;
}

export function hasMac(securityType: number | undefined): boolean {
  return securityType !== undefined && securityType >= 0x15 && securityType <= 0x18;
}

/**
 * Builds one packet. With `mac`, the MAC is computed over SOM..data and its first four
 * bytes go before the check character, as SCS_15..SCS_18 require.
 */
export function encodePacket(
  header: PacketHeader,
  code: number,
  data: Uint8Array,
  options: { mark?: boolean; mac?: (macInput: Uint8Array) => Uint8Array } = {},
): Uint8Array {
  const { security } = header;
  const scbBytes = security ? 2 + security.data.length : 0;
  const macBytes = hasMac(security?.type) ? MAC_BYTES : 0;
  if (macBytes > 0 && !options.mac) {
    throw new OsdpError("BAD_SECURITY_BLOCK", "a MAC'd security block needs a MAC function");
  }
  const checkBytes = header.crc ? 2 : 1;
  const length = HEADER_BYTES + scbBytes + 1 + data.length + macBytes + checkBytes;
  if (length > 0xffff) throw new OsdpError("BAD_LENGTH", `packet of ${length} bytes`);
  const offset = options.mark ? 1 : 0;
  const out = new Uint8Array(offset + length);
  if (options.mark) out[0] = MARK;
  let at = offset;
  out[at++] = SOM;
  out[at++] = (header.address & 0x7f) | (header.reply ? REPLY_BIT : 0);
  out[at++] = length & 0xff;
  out[at++] = length >> 8;
  out[at++] =
    (header.sequence & CTRL_SEQUENCE) | (header.crc ? CTRL_CRC : 0) | (security ? CTRL_SCB : 0);
  if (security) {
    out[at++] = scbBytes;
    out[at++] = security.type;
    out.set(security.data, at);
    at += security.data.length;
  }
  out[at++] = code;
  out.set(data, at);
  at += data.length;
  if (macBytes > 0 && options.mac) {
    const mac = options.mac(out.subarray(offset, at));
    out.set(mac.subarray(0, MAC_BYTES), at);
    at += MAC_BYTES;
  }
  if (header.crc) {
    const crc = osdpCrc16(out, offset, at);
    out[at++] = crc & 0xff;
    out[at++] = crc >> 8;
  } else {
    out[at++] = osdpChecksum(out, offset, at);
  }
  return out;
}

/**
 * Splits a frame whose length and check character the framer has verified (SOM first,
 * no mark) into its fields. Throws OsdpError for a security block that does not fit.
 */
export function decodePacket(frame: Uint8Array): Packet {
  const ctrl = frame[4] as number;
  const crc = (ctrl & CTRL_CRC) !== 0;
  const end = frame.length - (crc ? 2 : 1);
  let at = HEADER_BYTES;
  let security: SecurityBlock | undefined;
  if (ctrl & CTRL_SCB) {
    const scbLength = frame[at];
    if (scbLength === undefined || scbLength < 2 || at + scbLength >= end) {
      throw new OsdpError("BAD_SECURITY_BLOCK", `security block length ${scbLength ?? "missing"}`);
    }
    security = { type: frame[at + 1] as number, data: frame.slice(at + 2, at + scbLength) };
    at += scbLength;
  }
  const macBytes = hasMac(security?.type) ? MAC_BYTES : 0;
  const dataEnd = end - macBytes;
  if (at >= dataEnd) throw new OsdpError("BAD_LENGTH", "packet has no command or reply code");
  const address = frame[1] as number;
  return {
    address: address & 0x7f,
    reply: (address & REPLY_BIT) !== 0,
    sequence: ctrl & CTRL_SEQUENCE,
    crc,
    ...(security ? { security } : {}),
    code: frame[at] as number,
    data: frame.slice(at + 1, dataEnd),
    ...(macBytes ? { mac: frame.slice(dataEnd, end) } : {}),
    macInput: frame.subarray(0, dataEnd),
  };
}

/** Bytes a packet takes on the wire (mark included when sent), for bus-time accounting. */
export function packetBytes(options: {
  data: number;
  secure: "none" | "mac" | "encrypted";
  crc?: boolean;
  mark?: boolean;
}): number {
  const dataBytes =
    options.secure === "encrypted" && options.data > 0
      ? (Math.floor(options.data / 16) + 1) * 16
      : options.data;
  return (
    (options.mark === false ? 0 : 1) +
    HEADER_BYTES +
    (options.secure === "none" ? 0 : 2 + MAC_BYTES) +
    1 +
    dataBytes +
    (options.crc === false ? 1 : 2)
  );
}
