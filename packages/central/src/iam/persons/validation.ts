import { z } from "zod";
import { ID_TYPES } from "../companies/model.js";
import { IamValidationError, type Problem } from "../errors.js";

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

/** The same address rules as a company's (NL postcodes checked and written `1234 AB`). */
const address = z
  .strictObject({
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

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

const date = z.string().trim().refine(isCalendarDate, "a date YYYY-MM-DD");

/**
 * Initials in one written form, whatever was typed: "JP", "J.P.", "j. p." all become
 * "J.P."; a dotted two-letter initial stays one ("Th." for Theodorus).
 */
export function normaliseInitials(input: string): string {
  const trimmed = input.trim();
  const separated = /[.\s]/.test(trimmed);
  const parts = trimmed.split(/[.\s]+/).filter((p) => p !== "");
  const initials = separated ? parts : [...(parts[0] ?? "")];
  return initials.map((p) => `${p.charAt(0).toUpperCase()}${p.slice(1).toLowerCase()}.`).join("");
}

/** What two spellings of the same initials share: "J.P.", "JP" and "j p" give "JP". */
export function initialsKey(initials: string): string {
  return initials.replace(/[.\s]/g, "").toUpperCase();
}

/** The look-up key of a surname (its prefix kept apart). */
export const surnameKey = (surname: string): string => surname.trim().toLowerCase();

const initials = z
  .string()
  .trim()
  .regex(/^(?:[A-Za-z]{1,2}\.? ?){1,6}$/, "initials such as J.P. or Th.")
  .transform(normaliseInitials);

const surname = text(80).superRefine((v, ctx) => {
  const lower = v.toLowerCase();
  const prefix = SURNAME_PREFIXES.find((p) => lower.startsWith(`${p} `));
  if (prefix !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `the surname without its prefix: put "${prefix}" in surnamePrefix`,
    });
  }
});

const surnamePrefix = optionalText(20).transform((v) => v?.toLowerCase() ?? null);

function personFacts(today: string) {
  return z.strictObject({
    initials,
    surnamePrefix,
    surname,
    birthDate: date.refine(
      (v) => !isCalendarDate(v) || (v >= "1900-01-01" && v < today),
      "a date in the past",
    ),
  });
}

const email = z.string().trim().toLowerCase().pipe(z.email("an e-mail address"));

const mobile = z
  .string()
  .transform((v) => v.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\+316\d{8}$/, "a Dutch mobile number: +316 and 8 digits"));

const phone = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === null ? null : v.replace(/[\s()-]/g, "") || null))
  .refine(
    (v) => v === null || /^(?:\+\d{8,15}|0\d{9})$/.test(v),
    "a phone number: + and 8 to 15 digits, or 0 and 9 digits",
  );

const postalChoice = z.enum(["business", "private"], { error: "business or private" });

/** The fields of an employment a partner keeps up to date (a move, a new phone). */
const contactFields = {
  managerName: text(100),
  email,
  mobile,
  phone,
  address,
  postalChoice,
};

function employment(today: string) {
  return z.strictObject({
    personId: z.number().int().positive().optional(),
    person: personFacts(today).optional(),
    companyId: z.number().int().positive(),
    ...contactFields,
    idType: z.enum(ID_TYPES, { error: `one of ${ID_TYPES.join(", ")}` }),
    idNumber: z
      .string()
      .transform((v) => v.replace(/\s/g, "").toUpperCase())
      .pipe(z.string().regex(/^[A-Z0-9]{6,20}$/, "6 to 20 letters and digits")),
    startDate: date,
    endDate: date.nullish().transform((v) => v ?? null),
    requestCard: z.boolean().default(true),
  });
}

/**
 * The rules across fields, on the raw input: run whatever else is wrong (a schema's own
 * refinements are skipped once a field failed), so that every problem is reported at once.
 */
function employmentCrossProblems(today: string, input: unknown): Problem[] {
  if (input === null || typeof input !== "object") return [];
  const raw = input as Record<string, unknown>;
  const problems: Problem[] = [];
  if (raw.personId === undefined && raw.person === undefined) {
    problems.push({
      path: "personId",
      message:
        "personId (a person found by the look-up, with the look-up's facts as person) or person (a new one)",
    });
  }
  const start = typeof raw.startDate === "string" ? raw.startDate.trim() : "";
  const endDate = typeof raw.endDate === "string" ? raw.endDate.trim() : "";
  if (isCalendarDate(start) && isCalendarDate(endDate)) {
    if (endDate <= start) problems.push({ path: "endDate", message: "after startDate" });
    else if (endDate <= today) problems.push({ path: "endDate", message: "a date after today" });
  }
  return problems;
}

const update = z
  .strictObject({
    managerName: contactFields.managerName.optional(),
    email: email.optional(),
    mobile: mobile.optional(),
    phone: contactFields.phone.optional(),
    address: address.optional(),
    postalChoice: postalChoice.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "at least one field to change");

const end = z.strictObject({
  date: date.optional(),
  reason: optionalText(500),
});

export type PersonFacts = z.output<ReturnType<typeof personFacts>>;
export type EmploymentData = z.output<ReturnType<typeof employment>>;
export type EmploymentInput = z.input<ReturnType<typeof employment>>;
export type EmploymentPatch = z.output<typeof update>;
export type EmploymentPatchInput = z.input<typeof update>;
export type AddressData = z.output<typeof address>;
export type EndData = z.output<typeof end>;

function parse<S extends z.ZodType>(schema: S, input: unknown, more: Problem[] = []): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success && more.length === 0) return result.data;
  const problems: Problem[] = (result.error?.issues ?? []).map((issue) => ({
    path: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
  }));
  throw new IamValidationError([...problems, ...more]);
}

/** The look-up's facts: exact surname (prefix apart), initials, birth date. */
export const validateLookUp = (today: string, input: unknown): PersonFacts =>
  parse(personFacts(today), input);

/** A new employment (and maybe its new person), every problem at once. */
export const validateEmployment = (today: string, input: unknown): EmploymentData =>
  parse(employment(today), input, employmentCrossProblems(today, input));

export const validateEmploymentPatch = (input: unknown): EmploymentPatch => parse(update, input);

export const validateEnd = (input: unknown): EndData => parse(end, input ?? {});

/** One more problem after the schema passed (a rule that needs the stored row). */
export function invalidField(path: string, message: string): IamValidationError {
  return new IamValidationError([{ path, message }]);
}
