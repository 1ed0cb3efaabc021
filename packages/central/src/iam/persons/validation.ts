import { z } from "zod";
import { IamValidationError, type Problem } from "../errors.js";
import {
  addressFields,
  birthDate,
  date,
  INITIALS_MESSAGE,
  INITIALS_PATTERN,
  idNumber,
  idType,
  isCalendarDate,
  mobile,
  optionalText,
  parse,
  surname,
  surnamePrefix,
  text,
  withNlPostcode,
} from "../validation-common.js";

/** The same address rules as a company's (NL postcodes checked and written `1234 AB`). */
const address = z.strictObject(addressFields).transform(withNlPostcode);

/** Kept importable from here: the persons module's callers use it with the rest. */
export { isCalendarDate };

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
  .regex(INITIALS_PATTERN, INITIALS_MESSAGE)
  .transform(normaliseInitials);

function personFacts(today: string) {
  return z.strictObject({
    initials,
    surnamePrefix,
    surname,
    birthDate: birthDate(today),
  });
}

const email = z.string().trim().toLowerCase().pipe(z.email("an e-mail address"));

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
    idType,
    idNumber,
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
