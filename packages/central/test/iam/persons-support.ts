import { expect } from "vitest";
import { IamError } from "../../src/iam/errors.js";
import type { WorkflowFixture } from "./workflow-support.js";

/** A new engineer's employment with company `companyId`: J.P. van der Berg, born 1980-05-17. */
export function newEmployment(companyId: number, overrides: Record<string, unknown> = {}) {
  return {
    person: {
      initials: "J.P.",
      surnamePrefix: "van der",
      surname: "Berg",
      birthDate: "1980-05-17",
    },
    companyId,
    managerName: "P. de Boer",
    email: "jp.vanderberg@netbouw.nl",
    mobile: "+31612345678",
    address: {
      street: "Dorpsstraat",
      number: "12",
      postcode: "3511ab",
      city: "Utrecht",
      country: "NL",
    },
    postalChoice: "private",
    idType: "passport",
    idNumber: "NX12345K7",
    startDate: "2026-03-02",
    ...overrides,
  };
}

/** The look-up of J.P. van der Berg, in another spelling of the initials. */
export const lookUpFacts = {
  initials: "j. p.",
  surnamePrefix: "van der",
  surname: "Berg",
  birthDate: "1980-05-17",
};

export async function refusal(promise: Promise<unknown>): Promise<IamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IamError);
  return error as IamError;
}

export const count = (f: WorkflowFixture, table: "person" | "employment") =>
  (f.commands.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
