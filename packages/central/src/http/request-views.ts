import { z } from "zod";
import type { Delegation, KeyIssue, RequestItem } from "../iam/requests/model.js";

/** Shared by the request, delegation and key routes. */
export const RouteIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, "a positive whole number")
  .transform(Number);

export const IdempotencyHeadersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .describe("Required: a retry with the same key and body is answered once, not redone"),
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const instant = () => z.string().nullable().describe("ISO-8601 instant, UTC");

export const RequestItemSchema = z
  .object({
    id: z.number().int(),
    companyId: z.number().int(),
    basketOwner: z.string().describe("The account whose basket held it"),
    action: z.enum(["grant", "revoke"]),
    employmentId: z.number().int(),
    entryId: z.number().int(),
    authorizationId: z
      .number()
      .int()
      .nullable()
      .describe("revoke: the one to end; grant: the one it became"),
    motivation: z.string().nullable(),
    status: z.enum(["draft", "pending", "approved", "rejected", "expired", "withdrawn"]),
    ready: z.boolean().describe("A draft with motivation: goes with the next submission"),
    submissionId: z.number().int().nullable(),
    submittedBy: z.string().nullable(),
    submittedAt: instant(),
    dueAt: instant().describe("End of the lead time (Dutch working days)"),
    escalatedAt: instant(),
    escalatedTo: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedFor: z.string().nullable().describe("The manager a deputy decided for"),
    decidedAt: instant(),
    decisionComment: z.string().nullable(),
    expiresAt: instant(),
    createdAt: z.string(),
  })
  .meta({ id: "RequestItem" });

export function requestItemView(i: RequestItem): z.output<typeof RequestItemSchema> {
  return {
    ...i,
    submittedAt: iso(i.submittedAt),
    dueAt: iso(i.dueAt),
    escalatedAt: iso(i.escalatedAt),
    decidedAt: iso(i.decidedAt),
    expiresAt: iso(i.expiresAt),
    createdAt: new Date(i.createdAt).toISOString(),
  };
}

export const RequestDelegationSchema = z
  .object({
    id: z.number().int(),
    managerAccountId: z.string(),
    deputyAccountId: z.string(),
    validFrom: z.string(),
    validUntil: z.string(),
    createdAt: z.string(),
    withdrawnAt: instant(),
  })
  .meta({ id: "RequestDelegation" });

export function delegationView(d: Delegation): z.output<typeof RequestDelegationSchema> {
  return {
    ...d,
    validFrom: new Date(d.validFrom).toISOString(),
    validUntil: new Date(d.validUntil).toISOString(),
    createdAt: new Date(d.createdAt).toISOString(),
    withdrawnAt: iso(d.withdrawnAt),
  };
}

export const RequestKeySchema = z
  .object({
    id: z.number().int(),
    authorizationId: z.number().int(),
    employmentId: z.number().int(),
    companyId: z.number().int(),
    keyType: z.string(),
    status: z.enum(["approved", "shipped", "issued", "to-return", "returned", "cancelled"]),
    shippingAddress: z.record(z.string(), z.string().nullable()),
    shippedAt: instant(),
    issuedAt: instant(),
    returnRequestedAt: instant(),
    returnedAt: instant(),
  })
  .meta({ id: "RequestKey" });

export function keyView(k: KeyIssue): z.output<typeof RequestKeySchema> {
  return {
    ...k,
    shippingAddress: { ...k.shippingAddress },
    shippedAt: iso(k.shippedAt),
    issuedAt: iso(k.issuedAt),
    returnRequestedAt: iso(k.returnRequestedAt),
    returnedAt: iso(k.returnedAt),
  };
}
