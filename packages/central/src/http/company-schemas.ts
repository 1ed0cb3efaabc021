import { z } from "zod";
import { ID_TYPES } from "../iam/index.js";
import { PageQuerySchema } from "./pagination.js";
import { IdSchema } from "./params.js";

// --- request schemas: the shape of the service inputs (strict: unknown fields are a 400);
// the values are validated by the service, which reports every invalid field at once (422).

const AddressInputSchema = z.strictObject({
  street: z.string(),
  number: z.string().describe("House number: digits, not starting with 0"),
  addition: z.string().nullish().describe("House number addition, e.g. a"),
  line2: z.string().nullish(),
  postcode: z.string().describe("For NL: 4 digits and 2 letters, 1234 AB"),
  city: z.string(),
  country: z.string().describe("ISO 3166-1 alpha-2, e.g. NL"),
});

export const ContactPersonInputSchema = z.strictObject({
  initials: z.string().describe("Initials such as J.P."),
  surnamePrefix: z.string().nullish().describe('"van der", "de", ...'),
  surname: z.string().describe("The surname without its prefix"),
  mobile: z.string().describe("Dutch mobile: +316 and 8 digits"),
  email: z.string().describe("A personal business address (no role address, no free mail)"),
  address: AddressInputSchema,
  birthDate: z.string().describe("YYYY-MM-DD, in the past"),
  idType: z.string().describe(`One of ${ID_TYPES.join(", ")}`),
  idNumber: z.string().describe("6 to 20 letters and digits"),
});

export const RegistrationInputSchema = z.strictObject({
  customerName: z.string().describe("The wholesale customer name"),
  kvkName: z.string().describe("The name in the chamber-of-commerce register"),
  kvkNumber: z.string().describe("The 8-digit chamber-of-commerce number"),
  address: AddressInputSchema,
  colocation: z
    .boolean()
    .optional()
    .describe("A colocation customer (some catalogue entries exclude them); false by default"),
  contactPersons: z.array(ContactPersonInputSchema).describe("At least one"),
});

export const DecisionInputSchema = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().nullish().describe("Required (non-blank) for a rejection"),
});

const StatusSchema = z.enum(["pending", "approved", "rejected"]);

export const CompanyParamsSchema = z.strictObject({ companyId: IdSchema });
export const ContactPersonParamsSchema = z.strictObject({ contactPersonId: IdSchema });

export const CompanyListQuerySchema = z.strictObject({
  ...PageQuerySchema.shape,
  status: StatusSchema.optional().describe("Only companies with this status"),
});

export const IdempotencyHeadersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .describe("Required: a retry with the same key and body is answered once, not redone"),
});

export const IfMatchHeadersSchema = z.looseObject({
  "if-match": z
    .string()
    .optional()
    .describe("Required: the resource's current ETag (428 without, 412 when stale)"),
});

// --- response schemas ---

export const AddressSchema = z
  .object({
    street: z.string(),
    number: z.string(),
    addition: z.string().nullable(),
    line2: z.string().nullable(),
    postcode: z.string(),
    city: z.string(),
    country: z.string(),
  })
  .meta({ id: "Address" });

const decisionFields = {
  status: StatusSchema,
  requestedBy: z.string().describe("The submitting account; it cannot decide"),
  requestedAt: z.string().describe("ISO-8601 instant, UTC"),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable().describe("ISO-8601 instant, UTC"),
  decisionComment: z.string().nullable(),
};

export const ContactPersonSchema = z
  .object({
    id: z.number().int(),
    companyId: z.number().int(),
    initials: z.string(),
    surnamePrefix: z.string().nullable(),
    surname: z.string(),
    mobile: z.string(),
    email: z.string(),
    address: AddressSchema,
    birthDate: z.string(),
    idType: z.enum(ID_TYPES),
    idNumber: z.string(),
    ...decisionFields,
  })
  .meta({ id: "ContactPerson" });

export const CompanySchema = z
  .object({
    id: z.number().int(),
    customerName: z.string(),
    kvkName: z.string(),
    kvkNumber: z.string(),
    address: AddressSchema,
    colocation: z.boolean(),
    ...decisionFields,
  })
  .meta({ id: "Company" });

export const CompanyDetailsSchema = CompanySchema.extend({
  contactPersons: z.array(ContactPersonSchema),
}).meta({ id: "CompanyDetails" });

export type CompanyView = z.output<typeof CompanySchema>;
export type CompanyDetailsView = z.output<typeof CompanyDetailsSchema>;
export type ContactPersonView = z.output<typeof ContactPersonSchema>;
