import { z } from "zod";
import { parse } from "../validation-common.js";

const decision = z.strictObject({
  decision: z.enum(["confirmed", "not-confirmed"], { error: "confirmed or not-confirmed" }),
  comment: z
    .string()
    .trim()
    .max(1000, "at most 1000 characters")
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v)),
});

export type LineDecision = z.output<typeof decision>;

/** A contact person's decision on one line, every problem at once (IamValidationError). */
export function validateLineDecision(input: unknown): LineDecision {
  return parse(decision, input);
}
