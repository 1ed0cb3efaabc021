import type { ShippingAddress } from "./request.js";
import type { CardKind, IamCardStatus } from "./schema.js";

/**
 * Why a card is replaced (source chapter 9: "vermist", "gestolen", "defect" block the old
 * card at once; "bijna verlopen" and the other reasons keep it valid until the new one is
 * activated).
 */
export const REPLACEMENT_REASONS = [
  "lost",
  "stolen",
  "defective",
  "expiring",
  "damaged",
  "name-change",
  "other",
] as const;
export type ReplacementReason = (typeof REPLACEMENT_REASONS)[number];

/** The reasons that make the old card inactive at once (what the doors see as its status). */
export const BLOCKING_REASONS = ["lost", "stolen", "defective"] as const;
export type BlockingReason = (typeof BLOCKING_REASONS)[number];

export function isBlocking(reason: string): reason is BlockingReason {
  return (BLOCKING_REASONS as readonly string[]).includes(reason);
}

/** Why a card is deactivated outside a replacement; lost/stolen/defective as the doors see it. */
export const DEACTIVATION_REASONS = ["lost", "stolen", "defective", "other"] as const;
export type DeactivationReason = (typeof DEACTIVATION_REASONS)[number];

/** Statuses of a card that is on its way (a second request would be a duplicate). */
export const PENDING_STATUSES: readonly IamCardStatus[] = [
  "requested",
  "approved",
  "in-production",
  "shipped",
];

/** A card as the services answer it (never the activation code or its hash). */
export interface Card {
  readonly id: number;
  readonly personId: number;
  readonly employmentId: number;
  readonly kind: CardKind;
  readonly status: IamCardStatus;
  /** The card number at the doors (access) or on the PoP system; set at production. */
  readonly cardNumber: string | null;
  /** The state card the doors read; null for a PoP card and before production. */
  readonly stateCardId: number | null;
  readonly replacesCardId: number | null;
  readonly replacementReason: string | null;
  /** The requester's remark with a replacement. */
  readonly requestNote: string | null;
  readonly shippingAddress: ShippingAddress | null;
  readonly validUntil: number | null;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly decisionComment: string | null;
  readonly producedAt: number | null;
  readonly shippedAt: number | null;
  /** While shipped: until when the code works and how many tries are left. */
  readonly activationExpiresAt: number | null;
  readonly activationAttemptsLeft: number | null;
  readonly activatedAt: number | null;
  readonly deactivatedAt: number | null;
  readonly deactivationReason: string | null;
  readonly toReturn: boolean;
  readonly returnedAt: number | null;
}

/** What a requester confirms before a card request: where the card will go. */
export interface CardRequestPreview {
  readonly employmentId: number;
  readonly personId: number;
  readonly address: ShippingAddress;
  /** A digest of the address: pass it back as `confirmedAddressVersion`. */
  readonly addressVersion: string;
  /** The person's active access card, if any (a replacement is the path then). */
  readonly activeAccessCardId: number | null;
}
