import { z } from "zod";
import { parse } from "../validation-common.js";
import { DEACTIVATION_REASONS, REPLACEMENT_REASONS } from "./model.js";

const version = z.string().trim().min(1, "required: the addressVersion of the preview").max(100);
const note = z
  .string()
  .trim()
  .max(1000, "at most 1000 characters")
  .nullish()
  .transform((v) => (v === undefined || v === null || v === "" ? null : v));

const schemas = {
  request: z.strictObject({
    kind: z.enum(["access", "pop"]).default("access"),
    confirmedAddressVersion: version,
  }),
  replacement: z.strictObject({
    reason: z.enum(REPLACEMENT_REASONS),
    note,
    confirmedAddressVersion: version,
  }),
  production: z.strictObject({
    number: z.number().int().min(1, "at least 1").max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  activation: z.strictObject({
    code: z
      .string()
      .trim()
      .regex(/^\d{8}$/, "the 8-digit activation code"),
  }),
  deactivation: z.strictObject({ reason: z.enum(DEACTIVATION_REASONS), note }),
  comment: (required: boolean) =>
    z.object({
      comment: required
        ? z.string().trim().min(1, "required for a rejection").max(1000)
        : note.pipe(z.string().max(1000).nullable()),
    }),
};

export type CardRequestData = z.output<typeof schemas.request>;
export type ReplacementData = z.output<typeof schemas.replacement>;
export type ProductionData = z.output<typeof schemas.production>;
export type DeactivationData = z.output<typeof schemas.deactivation>;

export const validateCardRequest = (input: unknown): CardRequestData =>
  parse(schemas.request, input);
export const validateReplacement = (input: unknown): ReplacementData =>
  parse(schemas.replacement, input);
export const validateProduction = (input: unknown): ProductionData =>
  parse(schemas.production, input ?? {});
export const validateActivation = (input: unknown): { code: string } =>
  parse(schemas.activation, input);
export const validateDeactivation = (input: unknown): DeactivationData =>
  parse(schemas.deactivation, input);
export const validateDecisionComment = (comment: unknown, required: boolean): string | null =>
  parse(schemas.comment(required), { comment }).comment;
