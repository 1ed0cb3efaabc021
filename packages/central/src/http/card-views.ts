import type { FastifyReply } from "fastify";
import type { z } from "zod";
import type { Card, CardRequestPreview } from "../iam/cards/model.js";
import type { ShippingAddress } from "../iam/cards/request.js";
import type { CardSchema } from "./card-schemas.js";
import { etag, representationVersion } from "./conditional.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const addressView = (a: ShippingAddress) => ({ ...a });

export function cardView(c: Card): z.output<typeof CardSchema> {
  return {
    ...c,
    shippingAddress: c.shippingAddress === null ? null : addressView(c.shippingAddress),
    validUntil: iso(c.validUntil),
    requestedAt: new Date(c.requestedAt).toISOString(),
    decidedAt: iso(c.decidedAt),
    producedAt: iso(c.producedAt),
    shippedAt: iso(c.shippedAt),
    activationExpiresAt: iso(c.activationExpiresAt),
    activatedAt: iso(c.activatedAt),
    deactivatedAt: iso(c.deactivatedAt),
    returnedAt: iso(c.returnedAt),
  };
}

export const previewView = (p: CardRequestPreview) => ({ ...p, address: addressView(p.address) });

/** Sends a card with its ETag. */
export function sendCard(reply: FastifyReply, card: Card, status = 200) {
  const view = cardView(card);
  void reply.header("etag", etag(representationVersion(view)));
  return { status, body: view };
}

/** Location and ETag of a 201, first answer and idempotent replay alike. */
export async function createdHeaders(_request: unknown, reply: FastifyReply, payload: unknown) {
  if (reply.statusCode === 201 && typeof payload === "string") {
    const body = JSON.parse(payload) as { id?: unknown };
    if (typeof body.id === "number") void reply.header("location", `/cards/${body.id}`);
    void reply.header("etag", etag(representationVersion(body)));
  }
  return payload;
}
