import { OsdpError } from "../errors.js";
import { encodeCommand } from "../messages/index.js";
import type { Reply } from "../messages/types.js";
import { type Packet, SCS } from "../packet.js";
import {
  clientCryptogram,
  DEFAULT_SCBK,
  deriveSessionKeys,
  serverCryptogram,
} from "../secure/crypto.js";
import { SecureSession } from "../secure/session.js";
import type { PdLink } from "./pd-link.js";

// The CP's side of the secure-channel handshake: CHLNG -> CCRYPT, SCRYPT -> RMAC_I, then
// KEYSET for a PD enrolled under SCBK-D. Each step checks the PD's answer, updates the
// link's handshake state and says what to send next; the scheduler does the sending, so
// these stay free of timers, retries and the bus.

/** The next handshake command for the scheduler to transmit. */
export interface HandshakeFrame {
  readonly step: "chlng" | "scrypt" | "keyset";
  readonly code: number;
  readonly data: Uint8Array;
  /** The security block of CHLNG and SCRYPT, which go out before any session exists. */
  readonly security?: { type: number; data: Uint8Array };
}

/**
 * Starts a handshake under the PD's own key (0x01) or SCBK-D (0x00). Undefined when the
 * PD has no key: it runs in clear text.
 */
export function beginChallenge(
  link: PdLink,
  keyType: number,
  random: (length: number) => Uint8Array,
): HandshakeFrame | undefined {
  const key = keyType === 0x00 ? DEFAULT_SCBK : link.config.scbk;
  if (!key) return undefined;
  const rndA = random(8);
  link.handshake = { keys: deriveSessionKeys(key, rndA), rndA, keyType };
  link.session = undefined;
  return {
    step: "chlng",
    code: 0x76,
    data: rndA,
    security: { type: SCS.CHLNG, data: Uint8Array.of(keyType) },
  };
}

/**
 * Checks the PD's client cryptogram and answers with SCRYPT. Undefined when the PD's own
 * key failed but install mode lets the next turn try SCBK-D instead.
 */
export function answerClientCryptogram(
  link: PdLink,
  reply: Reply,
  installAllowed: boolean,
): HandshakeFrame | undefined {
  const pending = link.handshake;
  if (reply.kind !== "ccrypt" || !pending) {
    throw new OsdpError("BAD_PAYLOAD", `CHLNG answered with ${reply.kind}`);
  }
  const expected = clientCryptogram(pending.keys.enc, pending.rndA, reply.rndB);
  if (!sameBytes(expected, reply.clientCryptogram)) {
    link.handshake = undefined;
    if (pending.keyType === 0x01 && installAllowed) {
      link.usingDefaultKey = true;
      return undefined;
    }
    throw new OsdpError("BAD_CRYPTOGRAM", "the PD's client cryptogram does not verify: wrong key");
  }
  const cryptogram = serverCryptogram(pending.keys.enc, pending.rndA, reply.rndB);
  link.handshake = { ...pending, serverCryptogram: cryptogram };
  return {
    step: "scrypt",
    code: 0x77,
    data: cryptogram,
    security: { type: SCS.SCRYPT, data: Uint8Array.of(pending.keyType) },
  };
}

/**
 * Checks the PD's initial R-MAC and opens the session. Returns KEYSET when the PD was
 * reached with SCBK-D and has a key of its own to take; undefined when it can go online.
 */
export function acceptInitialRmac(
  link: PdLink,
  reply: Reply,
  packet: Packet,
): HandshakeFrame | undefined {
  const pending = link.handshake;
  const cryptogram = pending?.serverCryptogram;
  link.handshake = undefined;
  if (reply.kind !== "rmac_i" || !pending || !cryptogram || packet.security?.data[0] !== 0x01) {
    throw new OsdpError("BAD_CRYPTOGRAM", "the PD refused the server cryptogram");
  }
  const session = new SecureSession(pending.keys, cryptogram);
  if (!sameBytes(session.initialRmac, reply.initialRmac)) {
    throw new OsdpError("BAD_MAC", "the PD's initial R-MAC does not verify");
  }
  link.session = session;
  link.stats.sessions++;
  if (link.usingDefaultKey && link.config.scbk) {
    const { code, data } = encodeCommand({
      kind: "keyset",
      keyType: 0x01,
      key: link.config.scbk,
    });
    return { step: "keyset", code, data };
  }
  return undefined;
}

/** The PD took its own key: the next handshake uses it, so the SCBK-D session ends. */
export function acceptKeyset(link: PdLink, reply: Reply): void {
  if (reply.kind !== "ack")
    throw new OsdpError("BAD_PAYLOAD", `KEYSET answered with ${reply.kind}`);
  link.usingDefaultKey = false;
  link.session = undefined;
}

/** Constant-time comparison: a cryptogram or MAC check must not leak how much matched. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
