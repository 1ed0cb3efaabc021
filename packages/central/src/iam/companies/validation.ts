import { z } from "zod";
import type { IamConfig } from "../config.js";
import {
  addressFields,
  birthDate,
  INITIALS_MESSAGE,
  INITIALS_PATTERN,
  idNumber,
  idType,
  mobile,
  optionalText,
  parse,
  surname,
  surnamePrefix,
  text,
  withNlPostcode,
} from "../validation-common.js";

const address = z.object(addressFields).transform(withNlPostcode);

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
    initials: z.string().trim().regex(INITIALS_PATTERN, INITIALS_MESSAGE),
    surnamePrefix,
    surname,
    mobile,
    email: email(config),
    address,
    birthDate: birthDate(today),
    idType,
    idNumber,
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
