import { describe, expect, it } from "vitest";
import { IamValidationError } from "../../src/iam/index.js";
import { admin, contact, iamFixture, registration } from "./support.js";

async function problemsOf(p: Promise<unknown>): Promise<{ path: string; message: string }[]> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IamValidationError);
  return [...(error as IamValidationError).problems];
}

const paths = (problems: { path: string }[]) => problems.map((p) => p.path).sort();

describe("company registration: validation", () => {
  it("accepts a valid registration and normalizes it", async () => {
    const { companies } = iamFixture();
    const company = await companies.register(admin, registration());
    expect(company.status).toBe("pending");
    expect(company.address).toEqual({
      street: "Industrieweg",
      number: "4",
      addition: null,
      line2: "Unit 3",
      postcode: "1234 AB",
      city: "Amersfoort",
      country: "NL",
    });
    expect(company.contactPersons).toHaveLength(1);
    expect(company.contactPersons[0]).toMatchObject({
      surnamePrefix: "van der",
      surname: "Berg",
      status: "pending",
      idNumber: "NX12345K7",
    });
  });

  it("reports every invalid field at once, with its path", async () => {
    const { companies } = iamFixture();
    const problems = await problemsOf(
      companies.register(
        admin,
        registration({
          customerName: " ",
          kvkName: "",
          kvkNumber: "1234567",
          address: { street: "", number: "0", postcode: "12345", city: "", country: "Nederland" },
          contactPersons: [
            contact({
              initials: "123",
              surname: "van der Berg",
              surnamePrefix: null,
              mobile: "0612345678",
              email: "info@gmail.com",
              address: { street: "X", number: "1", postcode: "123 AB", city: "Y", country: "NL" },
              birthDate: "1980-02-30",
              idType: "library-card",
              idNumber: "12",
            }),
          ],
        }),
      ),
    );
    expect(paths(problems)).toEqual(
      [
        "customerName",
        "kvkName",
        "kvkNumber",
        "address.street",
        "address.number",
        "address.city",
        "address.country",
        "contactPersons.0.initials",
        "contactPersons.0.surname",
        "contactPersons.0.mobile",
        "contactPersons.0.email",
        "contactPersons.0.email",
        "contactPersons.0.address.postcode",
        "contactPersons.0.birthDate",
        "contactPersons.0.idType",
        "contactPersons.0.idNumber",
      ].sort(),
    );
    const email = problems.filter((p) => p.path === "contactPersons.0.email").map((p) => p.message);
    expect(email.join(" ")).toMatch(/generic.*info@/);
    expect(email.join(" ")).toMatch(/free mail.*gmail\.com/);
  });

  it("checks Dutch postcodes only for NL addresses", async () => {
    const { companies } = iamFixture();
    const be = { street: "Meir", number: "1", postcode: "2000", city: "Antwerpen", country: "BE" };
    const ok = await companies.register(admin, registration({ address: be }));
    expect(ok.address.postcode).toBe("2000");
    const problems = await problemsOf(
      companies.register(
        admin,
        registration({ kvkNumber: "87654321", address: { ...be, country: "NL" } }),
      ),
    );
    expect(problems).toEqual([
      { path: "address.postcode", message: expect.stringMatching(/1234 AB/) },
    ]);
  });

  it("requires at least one contact person", async () => {
    const { companies } = iamFixture();
    const problems = await problemsOf(
      companies.register(admin, registration({ contactPersons: [] })),
    );
    expect(problems).toEqual([{ path: "contactPersons", message: "at least one contact person" }]);
  });

  it("refuses missing fields and wrong types with their paths", async () => {
    const { companies } = iamFixture();
    const problems = await problemsOf(companies.register(admin, { kvkNumber: 12345678 }));
    expect(paths(problems)).toEqual(
      ["address", "contactPersons", "customerName", "kvkName", "kvkNumber"].sort(),
    );
  });

  it.each([
    ["mobile", "+3161234567", "+316 and 8 digits"],
    ["mobile", "+31712345678", "+316 and 8 digits"],
    ["email", "not-an-address", "e-mail"],
    ["email", "sales@netbouw.nl", "generic"],
    ["email", "Admin@Netbouw.nl", "generic"],
    ["email", "jan@hotmail.com", "free mail"],
    ["email", "jan@ziggo.nl", "free mail"],
    ["email", "jan@kpnmail.nl", "free mail"],
    ["birthDate", "2026-03-02", "past"],
    ["birthDate", "17-05-1980", "YYYY-MM-DD"],
    ["surname", "de Vries", "surnamePrefix"],
    ["idType", "passport-ish", "passport"],
  ])("refuses contact %s %j", async (field, value, message) => {
    const { companies } = iamFixture();
    const problems = await problemsOf(
      companies.register(admin, registration({ contactPersons: [contact({ [field]: value })] })),
    );
    expect(problems).toEqual([
      { path: `contactPersons.0.${field}`, message: expect.stringContaining(message) },
    ]);
  });

  it("takes the role and free-mail lists from configuration", async () => {
    const { companies } = iamFixture({
      config: { roleAddresses: ["planning"], freeMailDomains: ["netbouw.nl"] },
    });
    const problems = await problemsOf(
      companies.register(
        admin,
        registration({ contactPersons: [contact({ email: "planning@netbouw.nl" })] }),
      ),
    );
    expect(problems).toHaveLength(2);
    const ok = await companies.register(
      admin,
      registration({ contactPersons: [contact({ email: "info@acme.nl" })] }),
    );
    expect(ok.contactPersons[0]?.email).toBe("info@acme.nl");
  });

  it("normalizes mobile, e-mail and ID number", async () => {
    const { companies } = iamFixture();
    const company = await companies.register(
      admin,
      registration({
        contactPersons: [
          contact({
            mobile: "+31 6 1234 5678",
            email: " J.Berg@Netbouw.NL ",
            idNumber: "nx12 345k7",
          }),
        ],
      }),
    );
    expect(company.contactPersons[0]).toMatchObject({
      mobile: "+31612345678",
      email: "j.berg@netbouw.nl",
      idNumber: "NX12345K7",
    });
  });
});
