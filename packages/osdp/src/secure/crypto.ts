/**
 * Secure channel cryptography of SIA OSDP v2.2, Annex D: session key derivation, the
 * client and server cryptograms, the initial R-MAC, the chained MAC and the encryption
 * of the data field. Pure functions over AES-128 from `node:crypto`; no state is kept
 * except a cache of AES-ECB contexts keyed by the key arrays (see `ecbCache`).
 *
 * Names follow the specification: RND.A is the CP's (server's) challenge, RND.B the
 * PD's (client's) random; "client" is the PD and "server" the CP.
 */
import {
  type Cipher,
  createCipheriv,
  createDecipheriv,
  type Decipher,
  timingSafeEqual,
} from "node:crypto";
import { OsdpError } from "../errors.js";

/** AES block size; keys, cryptograms and full MACs are this long. */
export const BLOCK_SIZE = 16;
/** Length of RND.A, RND.B and cUID. */
export const RANDOM_SIZE = 8;
/** Bytes of the 16-byte MAC that are carried on the wire. */
export const MAC_WIRE_SIZE = 4;

/** SCBK-D, the default (install mode) Secure Channel Base Key: 0x30, 0x31 .. 0x3F. */
export const DEFAULT_SCBK: Uint8Array = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);

/** The three session keys derived from the SCBK and RND.A. */
export interface SessionKeys {
  /** S-ENC: cryptograms and data encryption. */
  readonly enc: Uint8Array;
  /** S-MAC1: MAC of every block but the last. */
  readonly mac1: Uint8Array;
  /** S-MAC2: MAC of the last block. */
  readonly mac2: Uint8Array;
}

/** First two bytes of the key derivation blocks (Annex D): S-ENC, S-MAC1, S-MAC2. */
const KEY_PREFIXES = [
  [0x01, 0x82],
  [0x01, 0x01],
  [0x01, 0x02],
] as const;

const PAD_MARKER = 0x80;

function checkLength(value: Uint8Array, length: number, what: string): void {
  if (value.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, got ${value.length}`);
  }
}

/** A plain Uint8Array view of a Buffer (no copy), so callers never see Buffer semantics. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface CachedEcb {
  /** A private copy of the key the contexts were made with. */
  readonly key: Uint8Array;
  readonly encrypt: Cipher;
  decrypt?: Decipher;
}

/**
 * AES-128-ECB contexts, one pair per key array. ECB without padding keeps no state between
 * `update` calls, so a context can be reused for any number of blocks and is never
 * finalised. An entry goes away with its key array, and is rebuilt if the array's bytes
 * were changed in place since the contexts were made.
 */
const ecbCache = new WeakMap<Uint8Array, CachedEcb>();

function ecbEntry(key: Uint8Array): CachedEcb {
  const hit = ecbCache.get(key);
  if (hit !== undefined && sameBytes(hit.key, key)) return hit;
  checkLength(key, BLOCK_SIZE, "AES-128 key");
  const encrypt = createCipheriv("aes-128-ecb", key, null);
  encrypt.setAutoPadding(false);
  const entry: CachedEcb = { key: Uint8Array.from(key), encrypt };
  ecbCache.set(key, entry);
  return entry;
}

function ecbDecipher(key: Uint8Array): Decipher {
  const entry = ecbEntry(key);
  if (entry.decrypt === undefined) {
    entry.decrypt = createDecipheriv("aes-128-ecb", key, null);
    entry.decrypt.setAutoPadding(false);
  }
  return entry.decrypt;
}

/** AES-128-ECB of whole blocks. */
function encryptBlocks(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  return plain(ecbEntry(key).encrypt.update(blocks));
}

/**
 * Up to this many blocks, CBC is done block by block over the cached ECB context with the
 * XOR in JS; beyond, a fresh native CBC context is cheaper (creating one costs about as
 * much as three single-block `update` calls). Typical OSDP frames are one or two blocks.
 */
const CBC_VIA_ECB_MAX_BLOCKS = 2;

/** AES-128-CBC encryption of whole blocks, no padding. */
function cbcEncrypt(key: Uint8Array, iv: Uint8Array, blocks: Uint8Array): Uint8Array {
  if (blocks.length > CBC_VIA_ECB_MAX_BLOCKS * BLOCK_SIZE) {
    checkLength(key, BLOCK_SIZE, "AES-128 key");
    const cipher = createCipheriv("aes-128-cbc", key, iv);
    cipher.setAutoPadding(false);
    return plain(cipher.update(blocks));
  }
  const cipher = ecbEntry(key).encrypt;
  const out = new Uint8Array(blocks.length);
  const x = new Uint8Array(BLOCK_SIZE);
  let chain = iv;
  for (let at = 0; at < blocks.length; at += BLOCK_SIZE) {
    for (let i = 0; i < BLOCK_SIZE; i++) x[i] = blocks[at + i]! ^ chain[i]!;
    chain = cipher.update(x);
    out.set(chain, at);
  }
  return out;
}

/** AES-128-CBC decryption of whole blocks, no padding. */
function cbcDecrypt(key: Uint8Array, iv: Uint8Array, blocks: Uint8Array): Uint8Array {
  if (blocks.length > CBC_VIA_ECB_MAX_BLOCKS * BLOCK_SIZE) {
    checkLength(key, BLOCK_SIZE, "AES-128 key");
    const decipher = createDecipheriv("aes-128-cbc", key, iv);
    decipher.setAutoPadding(false);
    return plain(decipher.update(blocks));
  }
  const out = plain(ecbDecipher(key).update(blocks));
  for (let at = out.length - BLOCK_SIZE; at >= 0; at -= BLOCK_SIZE) {
    const previous = at === 0 ? iv : blocks.subarray(at - BLOCK_SIZE, at);
    for (let i = 0; i < BLOCK_SIZE; i++) out[at + i]! ^= previous[i]!;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The IV of data encryption: the bitwise complement of the other side's last MAC. */
function complement(mac: Uint8Array): Uint8Array {
  checkLength(mac, BLOCK_SIZE, "last MAC");
  const iv = new Uint8Array(BLOCK_SIZE);
  for (let i = 0; i < BLOCK_SIZE; i++) iv[i] = ~mac[i]! & 0xff;
  return iv;
}

/**
 * Session keys (Annex D): each is AES-128-ECB under the SCBK of a block made of a
 * two-byte prefix (S-ENC 01 82, S-MAC1 01 01, S-MAC2 01 02), RND.A[0..5], then eight
 * zero bytes.
 */
export function deriveSessionKeys(scbk: Uint8Array, rndA: Uint8Array): SessionKeys {
  checkLength(scbk, BLOCK_SIZE, "SCBK");
  checkLength(rndA, RANDOM_SIZE, "RND.A");
  const input = new Uint8Array(3 * BLOCK_SIZE);
  KEY_PREFIXES.forEach(([a, b], i) => {
    const at = i * BLOCK_SIZE;
    input[at] = a;
    input[at + 1] = b;
    input.set(rndA.subarray(0, 6), at + 2);
  });
  const out = encryptBlocks(scbk, input);
  return {
    enc: out.slice(0, BLOCK_SIZE),
    mac1: out.slice(BLOCK_SIZE, 2 * BLOCK_SIZE),
    mac2: out.slice(2 * BLOCK_SIZE, 3 * BLOCK_SIZE),
  };
}

/** Client cryptogram, sent by the PD in osdp_CCRYPT: AES-ECB(S-ENC, RND.A || RND.B). */
export function clientCryptogram(sEnc: Uint8Array, rndA: Uint8Array, rndB: Uint8Array): Uint8Array {
  checkLength(rndA, RANDOM_SIZE, "RND.A");
  checkLength(rndB, RANDOM_SIZE, "RND.B");
  return encryptBlocks(sEnc, concat(rndA, rndB));
}

/** Server cryptogram, sent by the CP in osdp_SCRYPT: AES-ECB(S-ENC, RND.B || RND.A). */
export function serverCryptogram(sEnc: Uint8Array, rndA: Uint8Array, rndB: Uint8Array): Uint8Array {
  checkLength(rndA, RANDOM_SIZE, "RND.A");
  checkLength(rndB, RANDOM_SIZE, "RND.B");
  return encryptBlocks(sEnc, concat(rndB, rndA));
}

function cryptogramEquals(expected: Uint8Array, received: Uint8Array): boolean {
  return received.length === BLOCK_SIZE && timingSafeEqual(expected, received);
}

/**
 * The CP's check of osdp_CCRYPT: throws OsdpError BAD_CRYPTOGRAM unless `received` is the
 * client cryptogram for these randoms, i.e. the PD holds the same SCBK.
 */
export function verifyClientCryptogram(
  sEnc: Uint8Array,
  rndA: Uint8Array,
  rndB: Uint8Array,
  received: Uint8Array,
): void {
  if (!cryptogramEquals(clientCryptogram(sEnc, rndA, rndB), received)) {
    throw new OsdpError("BAD_CRYPTOGRAM", "client cryptogram does not verify (wrong SCBK?)");
  }
}

/**
 * The PD's check of osdp_SCRYPT: throws OsdpError BAD_CRYPTOGRAM unless `received` is the
 * server cryptogram for these randoms.
 */
export function verifyServerCryptogram(
  sEnc: Uint8Array,
  rndA: Uint8Array,
  rndB: Uint8Array,
  received: Uint8Array,
): void {
  if (!cryptogramEquals(serverCryptogram(sEnc, rndA, rndB), received)) {
    throw new OsdpError("BAD_CRYPTOGRAM", "server cryptogram does not verify (wrong SCBK?)");
  }
}

/**
 * Initial R-MAC (RMAC_I), sent by the PD in osdp_RMAC_I and used as the IV of the first
 * command's MAC: AES-ECB(S-MAC2, AES-ECB(S-MAC1, server cryptogram)).
 */
export function initialRmac(
  sMac1: Uint8Array,
  sMac2: Uint8Array,
  serverCryptogram: Uint8Array,
): Uint8Array {
  checkLength(serverCryptogram, BLOCK_SIZE, "server cryptogram");
  return encryptBlocks(sMac2, encryptBlocks(sMac1, serverCryptogram));
}

/**
 * The MAC of a secure message (SCS_15..18) over `message`, the bytes from SOM through the
 * last data byte (data already encrypted). A length that is not a multiple of 16 is padded
 * with 0x80 then zeros; a multiple of 16 gets no padding (as libosdp and OSDP.Net do).
 * Every block but the last is AES-CBC under S-MAC1 starting from `iv`; the last block is
 * AES-CBC under S-MAC2 chained from the previous ciphertext block (or from `iv` alone when
 * there is one block).
 *
 * `iv` is the other side's last MAC: for a command the last R-MAC (RMAC_I for the first
 * command), for a reply the C-MAC of the command it answers. Returns all 16 bytes, which
 * become the next chaining value; the wire carries the first four.
 */
export function computeMac(
  sMac1: Uint8Array,
  sMac2: Uint8Array,
  iv: Uint8Array,
  message: Uint8Array,
): Uint8Array {
  checkLength(iv, BLOCK_SIZE, "MAC IV");
  if (message.length === 0) throw new RangeError("cannot MAC an empty message");
  const tail = message.length % BLOCK_SIZE;
  const lastStart = tail === 0 ? message.length - BLOCK_SIZE : message.length - tail;
  let chain: Uint8Array = iv;
  if (lastStart > 0) {
    const head = cbcEncrypt(sMac1, iv, message.subarray(0, lastStart));
    chain = head.subarray(lastStart - BLOCK_SIZE);
  }
  const last = new Uint8Array(BLOCK_SIZE);
  last.set(message.subarray(lastStart));
  if (tail !== 0) last[tail] = PAD_MARKER;
  for (let i = 0; i < BLOCK_SIZE; i++) last[i]! ^= chain[i]!;
  return encryptBlocks(sMac2, last);
}

/**
 * Encrypts the data field of an SCS_17/18 message: appends 0x80 then zeros up to a
 * multiple of 16 (always, so 16 bytes become 32 and 0 bytes become 16), then AES-128-CBC
 * under S-ENC with IV = the complement of the other side's last MAC (~R-MAC for a command,
 * ~C-MAC for a reply).
 */
export function encryptData(
  sEnc: Uint8Array,
  lastMacFromOtherSide: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  const iv = complement(lastMacFromOtherSide);
  const padded = new Uint8Array((Math.floor(data.length / BLOCK_SIZE) + 1) * BLOCK_SIZE);
  padded.set(data);
  padded[data.length] = PAD_MARKER;
  return cbcEncrypt(sEnc, iv, padded);
}

/**
 * Reverses `encryptData`. Throws OsdpError BAD_PADDING when the ciphertext is not a
 * non-empty multiple of 16 bytes or the plaintext does not end with 0x80 followed only by
 * zeros. Verify the MAC (which covers the ciphertext) before calling this.
 */
export function decryptData(
  sEnc: Uint8Array,
  lastMacFromOtherSide: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % BLOCK_SIZE !== 0) {
    throw new OsdpError(
      "BAD_PADDING",
      `encrypted data must be a non-empty multiple of 16 bytes, got ${ciphertext.length}`,
    );
  }
  const plaintext = cbcDecrypt(sEnc, complement(lastMacFromOtherSide), ciphertext);
  let end = plaintext.length - 1;
  while (end >= 0 && plaintext[end] === 0) end--;
  if (end < 0 || plaintext[end] !== PAD_MARKER) {
    throw new OsdpError("BAD_PADDING", "decrypted data does not end with 0x80 then zeros");
  }
  return plaintext.subarray(0, end);
}

/**
 * Constant-time comparison of the transmitted part of two MACs (their first four bytes);
 * either side may be the full 16-byte MAC or the four wire bytes. Shorter input is false.
 */
export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length < MAC_WIRE_SIZE || b.length < MAC_WIRE_SIZE) return false;
  return timingSafeEqual(a.subarray(0, MAC_WIRE_SIZE), b.subarray(0, MAC_WIRE_SIZE));
}
