import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TemplateSealError extends Error {
  readonly code = "TEMPLATE_UNSEALABLE";
  constructor(message: string) {
    super(message);
    this.name = "TemplateSealError";
  }
}

/** The site's template key: 32 bytes, given in the site config as 64 hex digits. */
export function parseTemplateKey(hex: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new TemplateSealError("the fingerprint key must be 64 hex digits");
  return Buffer.from(hex, "hex");
}

/** Binds a sealed template to the person and the card it was enrolled with. */
function binding(personId: number, cardId: number): Buffer {
  return Buffer.from(`fingerprint-template/v1|person=${personId}|card=${cardId}`);
}

/**
 * Encrypts a fingerprint template for storage (AES-256-GCM: iv | tag | ciphertext). The
 * person and card are authenticated data, so a template copied to another card (a new
 * card needs a new enrollment) or another person does not open.
 */
export function sealTemplate(
  key: Buffer,
  personId: number,
  cardId: number,
  template: Uint8Array,
): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(binding(personId, cardId));
  const body = Buffer.concat([cipher.update(template), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function openTemplate(
  key: Buffer,
  personId: number,
  cardId: number,
  sealed: Uint8Array,
): Uint8Array {
  if (sealed.length < IV_BYTES + TAG_BYTES)
    throw new TemplateSealError("sealed template too short");
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(binding(personId, cardId));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new TemplateSealError("template does not open with this key for this person and card");
  }
}
