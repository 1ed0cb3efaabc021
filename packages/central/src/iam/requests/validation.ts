import { z } from "zod";
import { parse } from "../validation-common.js";

const id = z.number().int().positive();

const addItemsInput = z
  .strictObject({
    employmentIds: z.array(id).min(1, "at least one employment").max(200, "at most 200 at once"),
    entryId: id,
    action: z.enum(["grant", "revoke"]),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<number>();
    v.employmentIds.forEach((e, i) => {
      if (seen.has(e)) {
        ctx.addIssue({ code: "custom", path: ["employmentIds", i], message: "named twice" });
      }
      seen.add(e);
    });
  });
export type AddItemsInput = z.output<typeof addItemsInput>;

const motivation = z.string().trim().min(1, "required").max(2000, "at most 2000 characters");

const decisionInput = z
  .strictObject({
    decision: z.enum(["approve", "reject"]),
    comment: z.string().trim().max(2000, "at most 2000 characters").nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.decision === "reject" && (v.comment ?? "") === "") {
      ctx.addIssue({ code: "custom", path: ["comment"], message: "a rejection needs a comment" });
    }
  })
  .transform((v) => ({ decision: v.decision, comment: v.comment ? v.comment : null }));
export type DecisionInput = z.output<typeof decisionInput>;

const instant = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));

const delegationInput = z
  .strictObject({
    deputyAccountId: z.string().trim().min(1, "required").max(100),
    from: instant,
    until: instant,
  })
  .superRefine((v, ctx) => {
    if (v.until <= v.from) {
      ctx.addIssue({ code: "custom", path: ["until"], message: "must be after from" });
    }
  });
export type DelegationInput = z.output<typeof delegationInput>;

export const validateAddItems = (input: unknown): AddItemsInput => parse(addItemsInput, input);
export const validateMotivation = (input: unknown): string =>
  parse(z.strictObject({ motivation }), { motivation: input }).motivation;
export const validateDecision = (input: unknown): DecisionInput => parse(decisionInput, input);
export const validateDelegation = (input: unknown): DelegationInput =>
  parse(delegationInput, input);
export const validateAccountId = (input: unknown): string =>
  parse(z.strictObject({ accountId: z.string().trim().min(1, "required").max(100) }), {
    accountId: input,
  }).accountId;
