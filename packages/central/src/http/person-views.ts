import type { z } from "zod";
import type {
  Employment,
  EmploymentCreated,
  EmploymentEnd,
  LookUpMatch,
  Person,
} from "../iam/persons/views.js";
import type { EmploymentSchema } from "./person-schemas.js";

const iso = (ms: number): string => new Date(ms).toISOString();

export const employmentView = (e: Employment): z.output<typeof EmploymentSchema> => ({
  ...e,
  person: { ...e.person },
  address: { ...e.address },
  endedAt: e.endedAt === null ? null : iso(e.endedAt),
  createdAt: iso(e.createdAt),
});

export const createdView = (c: EmploymentCreated) => ({
  ...c,
  employment: employmentView(c.employment),
});
export const endView = (e: EmploymentEnd) => ({
  ...e,
  employment: employmentView(e.employment),
  endsAt: iso(e.endsAt),
  endedAuthorizationIds: [...e.endedAuthorizationIds],
  cardsToReturn: [...e.cardsToReturn],
  keysToReturn: [...e.keysToReturn],
});
export const lookUpView = (m: LookUpMatch) => ({ ...m, employments: [...m.employments] });
export const personView = (p: Person) => ({ ...p, employments: p.employments.map(employmentView) });
