/**
 * The SIA OSDP v2.2 values the simulated peripheral devices use, beyond the NAK codes and
 * capability function codes `@acs/osdp` exports (NAK_CODES, CAPABILITY). Cross-checked against
 * libosdp (goToMain/libosdp, include/osdp.h and doc/protocol/pd-capabilities.rst) and
 * OSDP.Net (bytedreamer/OSDP.Net, Model/CommandData and Model/ReplyData), which agree on
 * every value below.
 */
import { CAPABILITY } from "@acs/osdp";
import type { Capability, Reply } from "./osdp-types.js";

/**
 * Compliance levels used by the simulated PDs.
 * - contact status monitoring 1: state reported without supervision, default encoding;
 * - output control 3: direct on/off plus timed commands (no inverted-drive configuration);
 * - card data format 1: card data as an array of bits, at most 1024 bits;
 * - LED 4: timed commands, tri-colour (RGB) LED, so all eight OSDP colours;
 * - audible output 2: timed commands;
 * - text output 1: one row of 16 characters;
 * - check character 1: CRC-16 supported;
 * - communication security: bit 0 = AES-128; number-of bit 0 = the default key (SCBK-D);
 * - biometrics 1: fingerprint, template 1;
 * - OSDP version 2: SIA OSDP 2.2 (0 unspecified, 1 IEC 60839-11-5).
 */
export const COMPLIANCE = {
  CONTACT_STATUS_UNSUPERVISED: 1,
  OUTPUT_TIMED: 3,
  CARD_DATA_BITS: 1,
  LED_TIMED_TRICOLOR: 4,
  AUDIBLE_TIMED: 2,
  TEXT_1_ROW_16: 1,
  CRC16: 1,
  AES128: 0x01,
  BIO_FINGERPRINT_TEMPLATE_1: 1,
  OSDP_2_2: 2,
} as const;

/** Longest card osdp_RAW carries at card data format compliance 1. */
export const MAX_CARD_BITS = 1024;

/** osdp_RAW format codes. */
export const RAW_FORMAT = {
  /** Raw bit array, no interpretation. */
  RAW: 0x00,
  /** Wiegand bits, parity included. */
  WIEGAND: 0x01,
} as const;

/** OSDP LED colour codes 0..7 and the names the simulation reports (0, "black", is "off"). */
export const LED_COLOR_NAMES = [
  "off",
  "red",
  "green",
  "amber",
  "blue",
  "magenta",
  "cyan",
  "white",
] as const;
export type LedColorName = (typeof LED_COLOR_NAMES)[number];

/** osdp_BUZ tone codes: 0 no tone (i.e. off; deprecated), 1 off, 2 the default tone. */
export const TONE = { NO_TONE: 0, OFF: 1, DEFAULT: 2 } as const;

/**
 * osdp_BIOREAD / osdp_BIOMATCH biometric type (spec Table 24): 0x00 not specified (PD default),
 * 0x01 right thumb, 0x02 right index, 0x03 right middle, 0x04 right ring, 0x05 right little,
 * 0x06 left thumb, 0x07 left index, 0x08 left middle, 0x09 left ring, 0x0A left little,
 * 0x0B right iris, 0x0C right retina, 0x0D left iris, 0x0E left retina, 0x0F full face,
 * 0x10 right hand geometry, 0x11 left hand geometry.
 */
export const BIO_TYPE = {
  NOT_SPECIFIED: 0x00,
  RIGHT_THUMB: 0x01,
  LEFT_LITTLE: 0x0a,
  RIGHT_IRIS: 0x0b,
  LEFT_HAND_GEOMETRY: 0x11,
} as const;

/**
 * Biometric data format (spec Table 25): 0x00 not specified (the PD's default method),
 * 0x01 raw fingerprint image as PGM, 0x02 ANSI/INCITS 378 fingerprint template.
 */
export const BIO_FORMAT = {
  NOT_SPECIFIED: 0x00,
  RAW_PGM: 0x01,
  ANSI_INCITS_378: 0x02,
} as const;

/** osdp_BIOREADR / osdp_BIOMATCHR status: 0x00 success, 0x01 timeout, 0xFF unknown error. */
export const BIO_STATUS = {
  SUCCESS: 0x00,
  TIMEOUT: 0x01,
  UNKNOWN_ERROR: 0xff,
} as const;

export const ACK: Reply = Object.freeze({ kind: "ack" });

export function nak(errorCode: number): Reply {
  return { kind: "nak", errorCode, data: new Uint8Array(0) };
}

/** What the OSDP link layer under a PD application provides; advertised by every PD. */
export interface LinkCapabilityOptions {
  /** CRC-16 check character (otherwise checksum only). Default true. */
  readonly crc?: boolean;
  /** AES-128 secure channel. Default true. */
  readonly secureChannel?: boolean;
  /** The default key SCBK-D is accepted (install mode). Default true. */
  readonly defaultKey?: boolean;
  /** Largest single message the PD receives, in bytes. Default 256. */
  readonly receiveBufferSize?: number;
}

export const DEFAULT_RECEIVE_BUFFER_SIZE = 256;

/** The capability records that describe the link layer rather than the device. */
export function linkCapabilities(options: LinkCapabilityOptions = {}): Capability[] {
  const {
    crc = true,
    secureChannel = true,
    defaultKey = true,
    receiveBufferSize = DEFAULT_RECEIVE_BUFFER_SIZE,
  } = options;
  if (!Number.isInteger(receiveBufferSize) || receiveBufferSize < 1 || receiveBufferSize > 0xffff) {
    throw new RangeError(`receiveBufferSize must be an integer 1..65535, got ${receiveBufferSize}`);
  }
  return [
    {
      functionCode: CAPABILITY.CHECK_CHARACTER,
      compliance: crc ? COMPLIANCE.CRC16 : 0,
      numberOf: 0,
    },
    {
      functionCode: CAPABILITY.COMMUNICATION_SECURITY,
      compliance: secureChannel ? COMPLIANCE.AES128 : 0,
      numberOf: secureChannel && defaultKey ? 0x01 : 0,
    },
    // Compliance carries the LSB of the size, number-of the MSB.
    {
      functionCode: CAPABILITY.RECEIVE_BUFFER_SIZE,
      compliance: receiveBufferSize & 0xff,
      numberOf: receiveBufferSize >>> 8,
    },
    { functionCode: CAPABILITY.OSDP_VERSION, compliance: COMPLIANCE.OSDP_2_2, numberOf: 0 },
  ];
}
