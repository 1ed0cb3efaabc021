import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { ProtocolError } from "./errors.js";
import { MAX_MESSAGE_BYTES } from "./limits.js";
import { acsType } from "./proto-root.js";
import { KEY_ID_PATTERN } from "./validate.js";
import { malformed } from "./wire.js";

/**
 * Signed envelopes (acs.v1.SignedEnvelope): every message but a snapshot chunk is signed
 * with Ed25519, both ways. Central signs deltas, snapshot manifests, commands, event acks
 * and its own status with its key; each edge signs its event batches, status, command
 * results and snapshot requests with its own key, registered at central for its site. The
 * signature is over a domain-separated message,
 *
 *     "acs/v1 " + kind + "\0" + keyId + "\0" + payload
 *
 * so a signature made for one kind never verifies as another (a delta's bytes replayed
 * as a command, an edge's status as its events), nor under another key id. Snapshot
 * chunks are not signed: the signed manifest carries their SHA-256.
 */

/** What central signs. */
export const CENTRAL_ENVELOPE_KINDS = [
  "delta",
  "manifest",
  "command",
  "ack",
  "central-status",
] as const;
/** What an edge signs. */
export const EDGE_ENVELOPE_KINDS = [
  "events",
  "status",
  "command-result",
  "snapshot-request",
] as const;
export const ENVELOPE_KINDS = [...CENTRAL_ENVELOPE_KINDS, ...EDGE_ENVELOPE_KINDS] as const;
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number];

/** The keys a receiver trusts, by key id (a Map fits; central looks edges' keys up). */
export interface TrustedKeys {
  get(keyId: string): KeyObject | undefined;
}

/** An opened envelope: the payload and the key id whose signature verified. */
export interface OpenedEnvelope {
  readonly keyId: string;
  readonly payload: Uint8Array;
}

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

const SIGNATURE_BYTES = 64;
const DOMAIN = "acs/v1 ";

const envelopeType = acsType("SignedEnvelope");

function isEnvelopeKind(kind: string): kind is EnvelopeKind {
  return (ENVELOPE_KINDS as readonly string[]).includes(kind);
}

function checkKeyId(keyId: string): void {
  if (typeof keyId !== "string" || !KEY_ID_PATTERN.test(keyId)) {
    throw new TypeError(
      `key id ${JSON.stringify(keyId)}: expected 1..128 printable ASCII characters, no spaces`,
    );
  }
}

/** The bytes that are signed: domain, kind and key id, then the payload. */
function signedMessage(kind: EnvelopeKind, keyId: string, payload: Uint8Array): Buffer {
  const head = Buffer.from(`${DOMAIN}${kind}\0${keyId}\0`, "utf8");
  return Buffer.concat([head, payload]);
}

/**
 * Wraps `payload` (an encoded message of the kind) in an envelope
 * signed with `key`. Throws ProtocolError("OVERSIZED") when the envelope would be larger
 * than MAX_MESSAGE_BYTES (split the delta first: splitDelta).
 */
export function signEnvelope(kind: EnvelopeKind, payload: Uint8Array, key: SigningKey): Uint8Array {
  if (!isEnvelopeKind(kind)) throw new TypeError(`unknown envelope kind ${JSON.stringify(kind)}`);
  if (!(payload instanceof Uint8Array)) throw new TypeError("payload must be a Uint8Array");
  checkKeyId(key.keyId);
  if (key.privateKey.type !== "private" || key.privateKey.asymmetricKeyType !== "ed25519") {
    throw new TypeError(`key ${key.keyId}: not an Ed25519 private key`);
  }
  const signature = sign(null, signedMessage(kind, key.keyId, payload), key.privateKey);
  const bytes = new Uint8Array(
    envelopeType.encode({ kind, keyId: key.keyId, payload, signature }).finish(),
  );
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new ProtocolError(
      "OVERSIZED",
      `${kind} envelope: ${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`,
    );
  }
  return bytes;
}

/**
 * The payload of an envelope of kind `expected`, once its signature verified with the key
 * it names from `keys`. Throws ProtocolError: OVERSIZED (more than MAX_MESSAGE_BYTES),
 * MALFORMED (not an envelope), WRONG_KIND, UNKNOWN_KEY, BAD_SIGNATURE.
 */
export function openEnvelope(
  bytes: Uint8Array,
  expected: EnvelopeKind,
  keys: TrustedKeys,
): Uint8Array {
  return openSigned(bytes, expected, keys).payload;
}

/**
 * As openEnvelope, with the key id that signed it (central maps an edge's key id to its
 * site). The key lookup happens only after the envelope parsed and its kind matched.
 */
export function openSigned(
  bytes: Uint8Array,
  expected: EnvelopeKind,
  keys: TrustedKeys,
): OpenedEnvelope {
  if (!(bytes instanceof Uint8Array)) throw malformed("envelope: input is not bytes");
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new ProtocolError(
      "OVERSIZED",
      `envelope: ${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`,
    );
  }
  let kind: string;
  let keyId: string;
  let payload: Uint8Array;
  let signature: Uint8Array;
  try {
    const m = envelopeType.decode(bytes) as unknown as Record<string, unknown>;
    kind = typeof m.kind === "string" ? m.kind : "";
    keyId = typeof m.keyId === "string" ? m.keyId : "";
    payload = m.payload instanceof Uint8Array ? new Uint8Array(m.payload) : new Uint8Array(0);
    signature = m.signature instanceof Uint8Array ? new Uint8Array(m.signature) : new Uint8Array(0);
  } catch (error) {
    throw malformed(`envelope: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!isEnvelopeKind(kind)) throw malformed(`envelope: unknown kind ${JSON.stringify(kind)}`);
  if (!KEY_ID_PATTERN.test(keyId)) throw malformed(`envelope: bad key id ${JSON.stringify(keyId)}`);
  if (kind !== expected) {
    throw new ProtocolError("WRONG_KIND", `envelope: a ${kind}, expected a ${expected}`);
  }
  const key = keys.get(keyId);
  if (key === undefined) {
    throw new ProtocolError("UNKNOWN_KEY", `envelope: key ${JSON.stringify(keyId)} is not trusted`);
  }
  if (signature.length !== SIGNATURE_BYTES) {
    throw new ProtocolError(
      "BAD_SIGNATURE",
      `envelope: signature of ${signature.length} bytes, not ${SIGNATURE_BYTES}`,
    );
  }
  let ok = false;
  try {
    ok = verify(null, signedMessage(kind, keyId, payload), key, signature);
  } catch (error) {
    throw new ProtocolError(
      "BAD_SIGNATURE",
      `envelope: key ${JSON.stringify(keyId)} cannot verify (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  if (!ok) {
    throw new ProtocolError(
      "BAD_SIGNATURE",
      `envelope: signature does not verify with key ${keyId}`,
    );
  }
  return { keyId, payload };
}

/**
 * The key id an envelope claims, without verifying anything (to name the sender of a
 * refused message in a security event); undefined when it is not an envelope.
 */
export function claimedKeyId(bytes: Uint8Array): string | undefined {
  try {
    const m = envelopeType.decode(bytes) as unknown as Record<string, unknown>;
    return typeof m.keyId === "string" && KEY_ID_PATTERN.test(m.keyId) ? m.keyId : undefined;
  } catch {
    return undefined;
  }
}

/** A new Ed25519 key pair, as PEM (PKCS#8 private key, SPKI public key). */
export function generateSigningKeyPair(keyId: string): {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
} {
  checkKeyId(keyId);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519", {
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { keyId, privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** An Ed25519 private key from PEM; throws TypeError for anything else. */
export function loadPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ed25519") {
    throw new TypeError(`not an Ed25519 private key (${key.asymmetricKeyType ?? "unknown"})`);
  }
  return key;
}

/** An Ed25519 public key from PEM (a private key's PEM gives its public key); throws TypeError for anything else. */
export function loadPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== "ed25519") {
    throw new TypeError(`not an Ed25519 public key (${key.asymmetricKeyType ?? "unknown"})`);
  }
  return key;
}

/** The trusted keys by key id, for openEnvelope; throws TypeError on a duplicate key id. */
export function publicKeys(
  entries: ReadonlyArray<{ readonly keyId: string; readonly publicKeyPem: string }>,
): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const { keyId, publicKeyPem } of entries) {
    checkKeyId(keyId);
    if (keys.has(keyId)) throw new TypeError(`key id ${JSON.stringify(keyId)} appears twice`);
    keys.set(keyId, loadPublicKey(publicKeyPem));
  }
  return keys;
}

/**
 * A short fingerprint of an Ed25519 public key (PEM, or a private key's PEM): the first 16
 * hex digits of SHA-256 over its SPKI DER. Edge key ids are made from it, so two keys
 * never share an id and an operator can compare the id with the key file.
 */
export function keyFingerprint(pem: string): string {
  const der = loadPublicKey(pem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

/**
 * The reason to record for a message that did not open: the ProtocolError's code, but
 * UNSIGNED for bytes that are no envelope at all (a bare message, as a forger sends one).
 */
export function refusalReason(error: unknown, bytes: Uint8Array): string {
  const code = error instanceof ProtocolError ? error.code : "MALFORMED";
  if (code === "MALFORMED" && claimedKeyId(bytes) === undefined) return "UNSIGNED";
  return code;
}
