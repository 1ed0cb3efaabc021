import { z } from "zod";

/** A resource id in a path: a positive whole number, as text in the URL. */
export const IdSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, "a positive whole number")
  .transform(Number);
