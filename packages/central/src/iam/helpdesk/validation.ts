import { z } from "zod";
import { SITE_ID_PATTERN } from "../../state/schemas.js";

const siteId = z.string().regex(SITE_ID_PATTERN, "a site id: 1..64 of a-z, 0-9, _ and -");
const doorId = z.string().min(1, "required").max(64, "at most 64 characters");
const id = z.number().int().positive();

export const doorInput = z.strictObject({
  siteId,
  doorId,
  areaId: id,
  name: z.string().trim().min(1, "required").max(100, "at most 100 characters"),
});
export type DoorInput = z.output<typeof doorInput>;

export const explainInput = z
  .strictObject({
    siteId,
    doorId,
    personId: id.optional(),
    cardNumber: z
      .string()
      .trim()
      .regex(/^\d{1,20}$/, "a card number: digits")
      .optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.personId === undefined) === (v.cardNumber === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["personId"],
        message: "give either personId or cardNumber",
      });
    }
  });
export type ExplainInput = z.output<typeof explainInput>;

export const remoteOpenInput = z.strictObject({
  siteId,
  doorId,
  reason: z
    .string()
    .trim()
    .min(5, "at least 5 characters: say why the door is opened")
    .max(500, "at most 500 characters"),
});
export type RemoteOpenInput = z.output<typeof remoteOpenInput>;
