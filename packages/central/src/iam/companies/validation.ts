import { z } from "zod";
import type { IamConfig } from "../config.js";
import { IamValidationError, type Problem } from "../errors.js";
import { ID_TYPES } from "./model.js";

const text = (max: number) =>
  z.string().trim().min(1, "required").max(max, `at most ${max} characters`);

/** Optional text: absent, null and blank all mean "none" (null). */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v));

const NL_POSTCODE = /^([1-9][0-9]{3}) ?([A-Za-z]{2})$/;

const address = z
  .object({
    street: text(100),
    number: z
      .string()
      .trim()
      .regex(/^[1-9][0-9]{0,5}$/, "a house number: digits, not starting with 0"),
    addition: optionalText(10),
    line2: optionalText(100),
    postcode: text(12).transform((v) => v.toUpperCase()),
    city: text(80),
    country: z
      .string()
      .trim()
      .transform((v) => v.toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{2}$/, "an ISO 3166 country code such as NL")),
  })
  .transform((a, ctx) => {
    if (a.country !== "NL") return a;
    const m = NL_POSTCODE.exec(a.postcode);
    if (m === null) {
      ctx.addIssue({
        code: "custom",
        path: ["postcode"],
        message: "a Dutch postcode: 4 digits and 2 letters (1234 AB)",
      });
      return z.NEVER;
    }
    return { ...a, postcode: `${m[1]} ${m[2]?.toUpperCase()}` };
  });

/** Prefixes that belong in surnamePrefix, not at the start of the surname. */
const SURNAME_PREFIXES = [
  "van der",
  "van den",
  "van de",
  "van 't",
  "van",
  "de",
  "der",
  "den",
  "het",
  "'t",
  "ten",
  "ter",
  "te",
  "in 't",
  "op de",
  "uit den",
];

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(v: string): boolean {
  const m = dateOnly.exec(v);
  if (m === null) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

function email(config: IamConfig) {
  const roles = new Set(config.roleAddresses.map((r) => r.toLowerCase()));
  const free = new Set(config.freeMailDomains.map((d) => d.toLowerCase()));
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email("an e-mail address"))
    .superRefine((v, ctx) => {
      const at = v.lastIndexOf("@");
      const local = v.slice(0, at);
      const domain = v.slice(at + 1);
      if (roles.has(local)) {
        ctx.addIssue({
          code: "custom",
          message: `a personal address, not a generic one (${local}@)`,
        });
      }
      if (free.has(domain)) {
        ctx.addIssue({
          code: "custom",
          message: `a business address, not free mail (${domain})`,
        });
      }
    });
}

function contactPerson(config: IamConfig, today: string) {
  return z.object({
    initials: z
      .string()
      .trim()
      .regex(/^(?:[A-Za-z]{1,2}\.? ?){1,6}$/, "initials such as J.P. or Th."),
    surnamePrefix: optionalText(20).transform((v) => v?.toLowerCase() ?? null),
    surname: text(80).superRefine((v, ctx) => {
      const lower = v.toLowerCase();
      const prefix = SURNAME_PREFIXES.find((p) => lower.startsWith(`${p} `));
      if (prefix !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: `the surname without its prefix: put "${prefix}" in surnamePrefix`,
        });
      }
    }),
    mobile: z
      .string()
      .transform((v) => v.replace(/[\s-]/g, ""))
      .pipe(z.string().regex(/^\+316\d{8}$/, "a Dutch mobile number: +316 and 8 digits")),
    email: email(config),
    address,
    birthDate: z
      .string()
      .trim()
      .refine(isCalendarDate, "a date YYYY-MM-DD")
      .refine((v) => !isCalendarDate(v) || (v >= "1900-01-01" && v < today), "a date in the past"),
    idType: z.enum(ID_TYPES, { error: `one of ${ID_TYPES.join(", ")}` }),
    idNumber: z
      .string()
      .transform((v) => v.replace(/\s/g, "").toUpperCase())
      .pipe(z.string().regex(/^[A-Z0-9]{6,20}$/, "6 to 20 letters and digits")),
  });
}

function registration(config: IamConfig, today: string) {
  return z.object({
    customerName: text(100),
    kvkName: text(150),
    kvkNumber: z
      .string()
      .trim()
      .regex(/^\d{8}$/, "a KvK number: 8 digits"),
    address,
    colocation: z.boolean().default(false),
    contactPersons: z.array(contactPerson(config, today)).min(1, "at least one contact person"),
  });
}

export type ContactPersonData = z.output<ReturnType<typeof contactPerson>>;
export type RegistrationData = z.output<ReturnType<typeof registration>>;
export type AddressData = z.output<typeof address>;
export type ContactPersonInput = z.input<ReturnType<typeof contactPerson>>;
export type RegisterCompanyInput = z.input<ReturnType<typeof registration>>;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems: Problem[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
  }));
  throw new IamValidationError(problems);
}

const isoDay = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** Validates a company registration, reporting every problem at once (IamValidationError). */
export function validateRegistration(
  config: IamConfig,
  now: number,
  input: unknown,
): RegistrationData {
  return parse(registration(config, isoDay(now)), input);
}

/** Validates one contact person, reporting every problem at once (IamValidationError). */
export function validateContactPerson(
  config: IamConfig,
  now: number,
  input: unknown,
): ContactPersonData {
  return parse(contactPerson(config, isoDay(now)), input);
}

/** A decision's comment: required (non-blank) for a rejection, optional for an approval. */
export function validateComment(comment: unknown, required: boolean): string | null {
  const schema = z.object({ comment: required ? text(1000) : optionalText(1000) });
  return parse(schema, { comment }).comment;
}
