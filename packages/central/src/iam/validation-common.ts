import { z } from "zod";
import { ID_TYPES } from "./companies/model.js";
import { IamValidationError, type Problem } from "./errors.js";

/**
 * Validates `input` against `schema`, reporting every problem at once with its path
 * (IamValidationError); `more` are problems found by rules outside the schema.
 */
export function parse<S extends z.ZodType>(
  schema: S,
  input: unknown,
  more: Problem[] = [],
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success && more.length === 0) return result.data;
  const problems: Problem[] = (result.error?.issues ?? []).map((issue) => ({
    path: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
  }));
  throw new IamValidationError([...problems, ...more]);
}

export const text = (max: number) =>
  z.string().trim().min(1, "required").max(max, `at most ${max} characters`);

/** Optional text: absent, null and blank all mean "none" (null). */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v));

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

export const date = z.string().trim().refine(isCalendarDate, "a date YYYY-MM-DD");

/** A birth date: a calendar date from 1900 up to (not including) today. */
export const birthDate = (today: string) =>
  date.refine((v) => !isCalendarDate(v) || (v >= "1900-01-01" && v < today), "a date in the past");

const NL_POSTCODE = /^([1-9][0-9]{3}) ?([A-Za-z]{2})$/;

/** The fields of a postal address (a company's, an employment's). */
export const addressFields = {
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
};

type AddressFields = z.output<z.ZodObject<typeof addressFields>>;

/** A Dutch address's postcode checked and written `1234 AB`; other countries as given. */
export function withNlPostcode<A extends AddressFields>(a: A, ctx: z.RefinementCtx<A>): A {
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
}

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

export const surname = text(80).superRefine((v, ctx) => {
  const lower = v.toLowerCase();
  const prefix = SURNAME_PREFIXES.find((p) => lower.startsWith(`${p} `));
  if (prefix !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `the surname without its prefix: put "${prefix}" in surnamePrefix`,
    });
  }
});

export const surnamePrefix = optionalText(20).transform((v) => v?.toLowerCase() ?? null);

export const INITIALS_PATTERN = /^(?:[A-Za-z]{1,2}\.? ?){1,6}$/;
export const INITIALS_MESSAGE = "initials such as J.P. or Th.";

export const mobile = z
  .string()
  .transform((v) => v.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\+316\d{8}$/, "a Dutch mobile number: +316 and 8 digits"));

export const idType = z.enum(ID_TYPES, { error: `one of ${ID_TYPES.join(", ")}` });

export const idNumber = z
  .string()
  .transform((v) => v.replace(/\s/g, "").toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9]{6,20}$/, "6 to 20 letters and digits"));
