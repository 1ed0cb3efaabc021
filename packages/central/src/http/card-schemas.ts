import { z } from "zod";
import { DEACTIVATION_REASONS, REPLACEMENT_REASONS } from "../iam/cards/model.js";
import { IdSchema } from "./params.js";

export const CardParams = z.strictObject({ cardId: IdSchema });
export const EmploymentParams = z.strictObject({ employmentId: IdSchema });
export const PersonParams = z.strictObject({ personId: IdSchema });

export const IdempotencyHeaders = z.looseObject({
  "idempotency-key": z
    .string()
    .describe("Required: a retry with the same key and body is answered once, not redone"),
});
export const IfMatchHeaders = (required: boolean) =>
  z.looseObject({
    "if-match": z
      .string()
      .optional()
      .describe(
        required
          ? "Required: the card's current ETag (428 without, 412 when stale)"
          : "Optional: the card's ETag; 412 when the card changed meanwhile",
      ),
  });
export const NoBody = z.strictObject({}).nullish();

// --- bodies: shapes only; the service validates values and reports every field at once ---

export const CardRequestInput = z.strictObject({
  kind: z.enum(["access", "pop"]).optional().describe("access (default) or pop: the PoP card"),
  confirmedAddressVersion: z.string().describe("addressVersion of the card-request preview"),
});
export const ReplacementInput = z.strictObject({
  reason: z.enum(REPLACEMENT_REASONS).describe("lost, stolen, defective block the old card now"),
  note: z.string().nullish(),
  confirmedAddressVersion: z.string().describe("addressVersion of the card-request preview"),
});
export const DecisionInput = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().nullish().describe("Required (non-blank) for a rejection"),
});
export const ProductionInput = z
  .strictObject({ number: z.number().int().optional().describe("A free number; else the next") })
  .nullish();
export const ActivationInput = z.strictObject({
  code: z.string().describe("The 8-digit code sent by SMS"),
});
export const DeactivationInput = z.strictObject({
  reason: z.enum(DEACTIVATION_REASONS),
  note: z.string().nullish(),
});

// --- responses ---

const CardAddressSchema = z
  .object({
    name: z.string(),
    street: z.string(),
    number: z.string(),
    addition: z.string().nullable(),
    line2: z.string().nullable(),
    postcode: z.string(),
    city: z.string(),
    country: z.string(),
  })
  .meta({ id: "CardShippingAddress" });

const instant = z.string().nullable().describe("ISO-8601 instant, UTC");

export const CardSchema = z
  .object({
    id: z.number().int(),
    personId: z.number().int(),
    employmentId: z.number().int(),
    kind: z.enum(["access", "pop"]),
    status: z.enum([
      "requested",
      "approved",
      "rejected",
      "in-production",
      "shipped",
      "active",
      "inactive",
      "expired",
      "returned",
    ]),
    cardNumber: z.string().nullable(),
    stateCardId: z.number().int().nullable().describe("The card at the doors (access cards)"),
    replacesCardId: z.number().int().nullable(),
    replacementReason: z.string().nullable(),
    requestNote: z.string().nullable(),
    shippingAddress: CardAddressSchema.nullable(),
    validUntil: instant,
    requestedBy: z.string(),
    requestedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: instant,
    decisionComment: z.string().nullable(),
    producedAt: instant,
    shippedAt: instant,
    activationExpiresAt: instant,
    activationAttemptsLeft: z.number().int().nullable(),
    activatedAt: instant,
    deactivatedAt: instant,
    deactivationReason: z.string().nullable(),
    toReturn: z.boolean(),
    returnedAt: instant,
  })
  .meta({ id: "Card" });

export const CardRequestPreviewSchema = z
  .object({
    employmentId: z.number().int(),
    personId: z.number().int(),
    address: CardAddressSchema,
    addressVersion: z.string().describe("Send back as confirmedAddressVersion"),
    activeAccessCardId: z.number().int().nullable(),
  })
  .meta({ id: "CardRequestPreview" });
