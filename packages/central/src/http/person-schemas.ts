import { z } from "zod";
import { ID_TYPES } from "../iam/companies/model.js";
import { IdSchema } from "./params.js";

// --- request schemas: the shape only (strict: unknown fields are a 400); the values are
// validated by the service, which reports every invalid field at once (422).

const AddressInputSchema = z.strictObject({
  street: z.string(),
  number: z.string().describe("House number: digits, not starting with 0"),
  addition: z.string().nullish(),
  line2: z.string().nullish(),
  postcode: z.string().describe("For NL: 4 digits and 2 letters, 1234 AB"),
  city: z.string(),
  country: z.string().describe("ISO 3166-1 alpha-2, e.g. NL"),
});

export const PersonFactsInputSchema = z.strictObject({
  initials: z.string().describe('"JP", "J.P." and "j. p." are the same initials'),
  surnamePrefix: z.string().nullish().describe('"van der", "de", ...: kept apart'),
  surname: z.string().describe("Exact, without its prefix"),
  birthDate: z.string().describe("YYYY-MM-DD"),
});

const contactFields = {
  managerName: z.string(),
  email: z.string(),
  mobile: z.string().describe("Dutch mobile: +316 and 8 digits"),
  phone: z.string().nullish(),
  address: AddressInputSchema.describe("Cards and keys go here when postalChoice is private"),
  postalChoice: z.enum(["business", "private"]).describe("business: the company's address"),
};

export const EmploymentInputSchema = z.strictObject({
  personId: z.number().int().optional().describe("The person the look-up found"),
  person: PersonFactsInputSchema.optional().describe("A person the look-up did not find"),
  companyId: z.number().int().describe("A partner contact: its own company"),
  ...contactFields,
  idType: z.string().describe(`One of ${ID_TYPES.join(", ")}`),
  idNumber: z.string(),
  startDate: z.string().describe("YYYY-MM-DD"),
  endDate: z.string().nullish().describe("YYYY-MM-DD, after today: the end is scheduled"),
  requestCard: z.boolean().optional().describe("Start a card request if needed (default true)"),
});

export const EmploymentPatchSchema = z.strictObject({
  managerName: contactFields.managerName.optional(),
  email: contactFields.email.optional(),
  mobile: contactFields.mobile.optional(),
  phone: contactFields.phone,
  address: AddressInputSchema.optional(),
  postalChoice: contactFields.postalChoice.optional(),
});

export const EndInputSchema = z.strictObject({
  date: z.string().optional().describe("YYYY-MM-DD; absent, today or earlier: at once"),
  reason: z.string().nullish(),
});

export const EmploymentParams = z.strictObject({ employmentId: IdSchema });

export const idempotencyKey = (required: boolean) =>
  z.looseObject({
    "idempotency-key": required
      ? z.string().describe("Required: a retry with the same key and body is answered once")
      : z.string().optional().describe("Optional: a retry with the same key is answered once"),
  });

export const ifNoneMatch = z.looseObject({
  "if-none-match": z.string().optional().describe("ETag of the copy held: 304 if current"),
});

// --- response schemas ---

const AddressSchema = z
  .object({
    street: z.string(),
    number: z.string(),
    addition: z.string().nullable(),
    line2: z.string().nullable(),
    postcode: z.string(),
    city: z.string(),
    country: z.string(),
  })
  .meta({ id: "EmploymentAddress" });

const nameFields = {
  id: z.number().int(),
  initials: z.string(),
  surnamePrefix: z.string().nullable(),
  surname: z.string(),
  name: z.string().describe('"J.P. van der Berg"'),
};

const PersonNameSchema = z.object(nameFields).meta({ id: "EmploymentPersonName" });

const instant = z.string().describe("ISO-8601 instant, UTC");

export const EmploymentSchema = z
  .object({
    id: z.number().int(),
    employmentNumber: z.string(),
    person: PersonNameSchema,
    companyId: z.number().int(),
    managerName: z.string(),
    email: z.string(),
    mobile: z.string(),
    phone: z.string().nullable(),
    address: AddressSchema,
    postalChoice: z.enum(["business", "private"]),
    idType: z.enum(ID_TYPES),
    idNumber: z.string(),
    startDate: z.string(),
    endDate: z.string().nullable(),
    status: z.enum(["active", "ended"]),
    endedAt: instant.nullable(),
    endReason: z.string().nullable(),
    createdBy: z.string(),
    createdAt: instant,
  })
  .meta({ id: "Employment" });

export const EmploymentCreatedSchema = z
  .object({
    employment: EmploymentSchema,
    personCreated: z.boolean(),
    cardRequestId: z.number().int().nullable().describe("The card request started"),
    activeCardId: z.number().int().nullable().describe("The person's active card: no request"),
    pendingCardId: z.number().int().nullable().describe("A card on its way: no second request"),
  })
  .meta({ id: "EmploymentCreated" });

export const EmploymentEndSchema = z
  .object({
    employment: EmploymentSchema,
    ended: z.boolean().describe("false: scheduled for employment.endDate"),
    endsAt: instant,
    endedAuthorizationIds: z.array(z.number().int()),
    cardsToReturn: z.array(
      z.object({ cardId: z.number().int(), cardNumber: z.string().nullable() }),
    ),
    keysToReturn: z.array(
      z.object({
        keyIssueId: z.number().int(),
        authorizationId: z.number().int(),
        keyType: z.string(),
      }),
    ),
    keptCardId: z.number().int().nullable().describe("Kept active by another employment"),
  })
  .meta({ id: "EmploymentEnd" });

const employmentRef = z.object({
  id: z.number().int(),
  companyId: z.number().int(),
  employmentNumber: z.string(),
  status: z.enum(["active", "ended"]),
});

export const LookUpResultSchema = z
  .object({
    items: z.array(
      z.object({
        ...nameFields,
        birthDate: z.string().optional().describe("Not shown to partner contacts"),
        employments: z.array(employmentRef).describe("A partner contact: its own company's"),
      }),
    ),
  })
  .meta({ id: "PersonLookUpResult" });

export const PersonDetailsSchema = z
  .object({ ...nameFields, birthDate: z.string(), employments: z.array(EmploymentSchema) })
  .meta({ id: "PersonDetails" });
