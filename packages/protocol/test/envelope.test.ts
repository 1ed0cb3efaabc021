import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  acsType,
  encodeCommand,
  generateSigningKeyPair,
  loadPrivateKey,
  loadPublicKey,
  MAX_MESSAGE_BYTES,
  openEnvelope,
  ProtocolError,
  publicKeys,
  type SigningKey,
  signEnvelope,
} from "../src/index.js";

const pairA = generateSigningKeyPair("central-2026");
const pairB = generateSigningKeyPair("central-old");
const keyA: SigningKey = { keyId: pairA.keyId, privateKey: loadPrivateKey(pairA.privateKeyPem) };
const keyB: SigningKey = { keyId: pairB.keyId, privateKey: loadPrivateKey(pairB.privateKeyPem) };
const trusted = publicKeys([pairA, pairB]);

const payload = encodeCommand({
  id: "cmd-1",
  site: "ams-01",
  issuedAt: 1,
  expiresAt: 2,
  action: { kind: "remote-open", doorId: "main", reason: "stuck", operator: "alice" },
});

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  return "none";
}

const Envelope = acsType("SignedEnvelope");

/** The envelope with fields replaced, the signature kept. */
function reframe(envelope: Uint8Array, fields: { kind?: string; keyId?: string }): Uint8Array {
  const message = Envelope.toObject(Envelope.decode(envelope));
  return Envelope.encode({ ...message, ...fields }).finish();
}

/** Finds `needle` in `haystack` (the envelope's fields are laid out plainly). */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack).indexOf(Buffer.from(needle));
}

describe("signed envelopes", () => {
  it("opens what it signs, with the payload unchanged", () => {
    const envelope = signEnvelope("command", payload, keyA);
    expect([...openEnvelope(envelope, "command", trusted)]).toEqual([...payload]);
    const other = signEnvelope("delta", payload, keyB);
    expect([...openEnvelope(other, "delta", trusted)]).toEqual([...payload]);
  });

  it("refuses a tampered payload", () => {
    const envelope = signEnvelope("command", payload, keyA);
    const at = indexOf(envelope, payload);
    expect(at).toBeGreaterThan(0);
    for (const offset of [0, Math.floor(payload.length / 2), payload.length - 1]) {
      const tampered = envelope.slice();
      tampered[at + offset]! ^= 0x01;
      expect(codeOf(() => openEnvelope(tampered, "command", trusted))).toBe("BAD_SIGNATURE");
    }
  });

  it("refuses a tampered signature", () => {
    const envelope = signEnvelope("command", payload, keyA);
    const tampered = envelope.slice();
    tampered[tampered.length - 1]! ^= 0x80; // the signature is the last field
    expect(codeOf(() => openEnvelope(tampered, "command", trusted))).toBe("BAD_SIGNATURE");
  });

  it("refuses a signature by another key under a trusted key id", () => {
    const stranger = generateKeyPairSync("ed25519").privateKey;
    const forged = signEnvelope("command", payload, { keyId: keyA.keyId, privateKey: stranger });
    expect(codeOf(() => openEnvelope(forged, "command", trusted))).toBe("BAD_SIGNATURE");
  });

  it("binds the key id: a signature under one key id fails under another for the same key", () => {
    const keys = new Map(trusted);
    keys.set("central-2027", trusted.get(keyA.keyId)!);
    const envelope = signEnvelope("command", payload, keyA);
    expect([...openEnvelope(reframe(envelope, {}), "command", keys)]).toEqual([...payload]);
    const relabelled = reframe(envelope, { keyId: "central-2027" });
    expect(codeOf(() => openEnvelope(relabelled, "command", keys))).toBe("BAD_SIGNATURE");
  });

  it("binds the kind: a delta's signature never passes as a command's", () => {
    const relabelled = reframe(signEnvelope("delta", payload, keyA), { kind: "command" });
    expect(codeOf(() => openEnvelope(relabelled, "command", trusted))).toBe("BAD_SIGNATURE");
  });

  it("refuses an unknown key id", () => {
    const stranger = generateSigningKeyPair("stranger");
    const envelope = signEnvelope("command", payload, {
      keyId: stranger.keyId,
      privateKey: loadPrivateKey(stranger.privateKeyPem),
    });
    expect(codeOf(() => openEnvelope(envelope, "command", trusted))).toBe("UNKNOWN_KEY");
  });

  it("refuses the wrong kind, and a kind relabelled in the bytes", () => {
    const delta = signEnvelope("delta", payload, keyA);
    expect(codeOf(() => openEnvelope(delta, "command", trusted))).toBe("WRONG_KIND");
    expect(codeOf(() => openEnvelope(delta, "manifest", trusted))).toBe("WRONG_KIND");
    // "delta" relabelled "xxxxx" is no kind at all.
    const relabelled = Buffer.from(delta.slice());
    relabelled.write("xxxxx", relabelled.indexOf(Buffer.from("delta")));
    expect(codeOf(() => openEnvelope(new Uint8Array(relabelled), "delta", trusted))).toBe(
      "MALFORMED",
    );
  });

  it("refuses truncated bytes and garbage with MALFORMED or BAD_SIGNATURE", () => {
    const envelope = signEnvelope("manifest", payload, keyA);
    for (let n = 0; n < envelope.length; n++) {
      const code = codeOf(() => openEnvelope(envelope.subarray(0, n), "manifest", trusted));
      expect(["MALFORMED", "BAD_SIGNATURE", "WRONG_KIND"]).toContain(code);
    }
    expect(codeOf(() => openEnvelope(new Uint8Array([0xff, 0xff, 0xff]), "delta", trusted))).toBe(
      "MALFORMED",
    );
    expect(codeOf(() => openEnvelope(new Uint8Array(0), "delta", trusted))).toBe("MALFORMED");
  });

  it("refuses more than MAX_MESSAGE_BYTES, both ways", () => {
    expect(
      codeOf(() => openEnvelope(new Uint8Array(MAX_MESSAGE_BYTES + 1), "delta", trusted)),
    ).toBe("OVERSIZED");
    expect(codeOf(() => signEnvelope("delta", new Uint8Array(MAX_MESSAGE_BYTES), keyA))).toBe(
      "OVERSIZED",
    );
  });

  it("keys: PEM round trip, a private key's PEM gives its public key, only Ed25519", () => {
    expect(loadPublicKey(pairA.publicKeyPem).asymmetricKeyType).toBe("ed25519");
    expect(loadPublicKey(pairA.privateKeyPem).asymmetricKeyType).toBe("ed25519");
    const rsa = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    expect(() => loadPrivateKey(rsa.privateKey)).toThrow(TypeError);
    expect(() => loadPublicKey(rsa.publicKey)).toThrow(TypeError);
    expect(() => publicKeys([pairA, pairA])).toThrow(/twice/);
    expect(() => generateSigningKeyPair("has space")).toThrow(TypeError);
  });
});
