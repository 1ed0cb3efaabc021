import { type EDGE_ENVELOPE_KINDS, type SigningKey, signEnvelope } from "@acs/protocol";

/** What an edge signs: its events, status, command results and snapshot requests. */
export type EdgeEnvelopeKind = (typeof EDGE_ENVELOPE_KINDS)[number];

/**
 * Signs what this edge sends with its own key (made at provisioning, registered at central
 * for this site): central refuses anything unsigned, wrongly signed or signed by another
 * site's key.
 */
export interface EdgeSigner {
  readonly keyId: string;
  sign(kind: EdgeEnvelopeKind, payload: Uint8Array): Uint8Array;
}

export function edgeSigner(key: SigningKey): EdgeSigner {
  return {
    keyId: key.keyId,
    sign: (kind, payload) => signEnvelope(kind, payload, key),
  };
}

/**
 * Bytes an envelope adds around its payload, at most: kind and key id (up to 128
 * characters) with their tags and lengths, the 64-byte signature, the payload's own tag
 * and length. A batch whose payload stays below MAX_MESSAGE_BYTES minus this fits signed.
 */
export const ENVELOPE_OVERHEAD_BYTES = 256;
