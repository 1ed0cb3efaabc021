import { z } from "zod";
import { parse } from "../validation-common.js";

/** The certificate types a training institute registers by default (source chapter 8). */
export const DEFAULT_CERTIFICATE_TYPES: readonly string[] = [
  "VCA",
  "VCA-VOL",
  "KVD",
  "TTG",
  "NEN3140",
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

const localDate = z.string().trim().refine(isCalendarDate, "a date YYYY-MM-DD");

function registration(types: readonly string[], today: string) {
  return z
    .strictObject({
      personId: z.number({ error: "a person id" }).int("a person id").positive("a person id"),
      type: z
        .string({ error: `one of ${types.join(", ")}` })
        .trim()
        .refine((v) => types.includes(v), `one of ${types.join(", ")}`),
      validFrom: localDate,
      validUntil: localDate,
    })
    .superRefine((v, ctx) => {
      if (!isCalendarDate(v.validFrom) || !isCalendarDate(v.validUntil)) return;
      if (v.validUntil <= v.validFrom) {
        ctx.addIssue({ code: "custom", path: ["validUntil"], message: "a date after validFrom" });
      } else if (v.validUntil <= today) {
        // A certificate that has lapsed already grants nothing; registering it is a mistake.
        ctx.addIssue({ code: "custom", path: ["validUntil"], message: "a date after today" });
      }
    });
}

export type CertificateRegistration = z.output<ReturnType<typeof registration>>;

/** Validates a certificate registration, every problem at once (IamValidationError). */
export function validateCertificate(
  types: readonly string[],
  today: string,
  input: unknown,
): CertificateRegistration {
  return parse(registration(types, today), input);
}
