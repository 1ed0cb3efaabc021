import { fixedClock } from "../../src/clock.js";
import type { Actor } from "../../src/iam/index.js";
import {
  AuditService,
  CompanyService,
  type CompanyServiceOptions,
  openIamDb,
} from "../../src/iam/index.js";
import { NOW, openTestStore } from "../support/fixture.js";

export const admin: Actor = { accountId: "adm-1", role: "wholesale-admin" };
export const manager: Actor = { accountId: "mgr-1", role: "manager" };
export const manager2: Actor = { accountId: "mgr-2", role: "manager" };
export const auditor: Actor = { accountId: "aud-1", role: "auditor" };

export function iamFixture(options: Partial<CompanyServiceOptions> = {}) {
  const { store } = openTestStore();
  const clock = fixedClock(NOW);
  const db = openIamDb(store.db);
  const companies = new CompanyService({ db, clock, ...options });
  const audit = new AuditService(db);
  return { store, clock, db, companies, audit };
}

export function contact(overrides: Record<string, unknown> = {}) {
  return {
    initials: "J.P.",
    surnamePrefix: "van der",
    surname: "Berg",
    mobile: "+31612345678",
    email: "j.vanderberg@netbouw.nl",
    address: {
      street: "Dorpsstraat",
      number: "12",
      addition: "a",
      postcode: "3511 AB",
      city: "Utrecht",
      country: "NL",
    },
    birthDate: "1980-05-17",
    idType: "passport",
    idNumber: "NX12345K7",
    ...overrides,
  };
}

export function registration(overrides: Record<string, unknown> = {}) {
  return {
    customerName: "Netbouw",
    kvkName: "Netbouw Infra B.V.",
    kvkNumber: "12345678",
    address: {
      street: "Industrieweg",
      number: "4",
      line2: "Unit 3",
      postcode: "1234ab",
      city: "Amersfoort",
      country: "nl",
    },
    contactPersons: [contact()],
    ...overrides,
  };
}
