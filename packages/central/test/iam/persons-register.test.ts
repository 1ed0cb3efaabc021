import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CompanyService } from "../../src/iam/companies/service.js";
import { IamValidationError } from "../../src/iam/errors.js";
import { PersonService } from "../../src/iam/persons/service.js";
import { count, lookUpFacts, newEmployment, refusal } from "./persons-support.js";
import { registration } from "./support.js";
import {
  actors,
  seedActiveCard,
  seedEmployment,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

describe("persons and employments (chapter 5)", () => {
  let f: WorkflowFixture;
  let persons: PersonService;

  beforeEach(async () => {
    f = await workflowFixture();
    persons = new PersonService(f.ctx);
  });
  afterEach(() => f.close());

  it("scenario 1: a person not found is created with the employment and a card request", async () => {
    expect(await persons.lookUp(f.partnerA, lookUpFacts)).toEqual([]);
    const statePersons = count(f, "person");

    const created = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));

    expect(created.personCreated).toBe(true);
    expect(created.cardRequestId).toEqual(expect.any(Number));
    expect(created.activeCardId).toBeNull();
    const e = created.employment;
    expect(e.employmentNumber).toBe(`E${String(e.id).padStart(7, "0")}`);
    expect(e.person).toMatchObject({ initials: "J.P.", surnamePrefix: "van der", surname: "Berg" });
    expect(e.person.name).toBe("J.P. van der Berg");
    expect(e.address.postcode).toBe("3511 AB");
    expect(e.status).toBe("active");
    // The state rows the doors will read: the person and its employment from the start day.
    expect(count(f, "person")).toBe(statePersons + 1);
    const iam = await f.ctx.db
      .selectFrom("iam_employment")
      .innerJoin("iam_person", "iam_person.id", "iam_employment.person_id")
      .select(["state_employment_id", "state_person_id"])
      .where("iam_employment.id", "=", e.id)
      .executeTakeFirstOrThrow();
    const state = f.commands.store.db
      .prepare(
        "SELECT e.start_at, e.end_at, p.display_name FROM employment e JOIN person p ON p.id = e.person_id WHERE e.id = ?",
      )
      .get(iam.state_employment_id) as {
      start_at: number;
      end_at: number | null;
      display_name: string;
    };
    expect(state).toEqual({
      start_at: f.ctx.workingDays.startOfDay("2026-03-02"),
      end_at: null,
      display_name: "J.P. van der Berg",
    });
    const card = await f.ctx.db
      .selectFrom("iam_card")
      .selectAll()
      .where("id", "=", created.cardRequestId ?? -1)
      .executeTakeFirstOrThrow();
    expect(card).toMatchObject({ status: "requested", kind: "access", employment_id: e.id });
    expect(JSON.parse(card.shipping_address)).toMatchObject({
      street: "Dorpsstraat",
      postcode: "3511 AB",
    });

    // The look-up now finds the person, whatever the spelling of the initials.
    for (const initials of ["JP", "J.P.", "j. p."]) {
      const [match] = await persons.lookUp(actors.manager, { ...lookUpFacts, initials });
      expect(match).toMatchObject({ id: e.person.id, birthDate: "1980-05-17" });
    }
    expect(await persons.lookUp(f.partnerA, { ...lookUpFacts, birthDate: "1980-05-18" })).toEqual(
      [],
    );
    expect(await persons.lookUp(f.partnerA, { ...lookUpFacts, initials: "J." })).toEqual([]);
  });

  it("scenario 2: a person known at another company gets only an employment added", async () => {
    const first = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));
    const statePersons = count(f, "person");

    // Partner B finds the person by name only: no birth date, no employment of company A.
    const [match] = await persons.lookUp(f.partnerB, lookUpFacts);
    expect(match).toEqual({
      id: first.employment.person.id,
      initials: "J.P.",
      surnamePrefix: "van der",
      surname: "Berg",
      name: "J.P. van der Berg",
      employments: [],
    });
    const second = await persons.createEmployment(
      f.partnerB,
      newEmployment(f.companyB, {
        person: lookUpFacts,
        personId: match?.id,
        email: "jp@glasweb.nl",
      }),
    );

    expect(second.personCreated).toBe(false);
    expect(second.employment.person.id).toBe(first.employment.person.id);
    expect(count(f, "person")).toBe(statePersons);
    // The card requested through company A is on its way: no second request.
    expect(second).toMatchObject({ cardRequestId: null, pendingCardId: first.cardRequestId });
    const [again] = await persons.lookUp(f.partnerB, lookUpFacts);
    expect(again?.employments).toEqual([
      expect.objectContaining({ id: second.employment.id, companyId: f.companyB }),
    ]);
    const staff = await persons.lookUp(actors.manager, lookUpFacts);
    expect(staff[0]?.employments.map((x) => x.companyId)).toEqual([f.companyA, f.companyB]);
  });

  it("takes a partner's person id only with the look-up's facts (no walking through ids)", async () => {
    const first = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));
    const personId = first.employment.person.id;
    const employments = count(f, "employment");
    const bare = await refusal(
      persons.createEmployment(
        f.partnerB,
        newEmployment(f.companyB, { person: undefined, personId }),
      ),
    );
    expect(bare.code).toBe("NOT_FOUND");
    const wrong = await refusal(
      persons.createEmployment(
        f.partnerB,
        newEmployment(f.companyB, {
          person: { ...lookUpFacts, birthDate: "1980-05-18" },
          personId,
        }),
      ),
    );
    expect(wrong.code).toBe("NOT_FOUND");
    expect(count(f, "employment")).toBe(employments);
    const added = await persons.createEmployment(
      f.partnerB,
      newEmployment(f.companyB, { person: lookUpFacts, personId }),
    );
    expect(added.employment.person.id).toBe(personId);
  });

  it("a person with an active access card gets no card request", async () => {
    const seeded = await seedEmployment(f, f.companyA, {
      initials: "K.",
      surname: "Visser",
      birthDate: "1975-01-30",
    });
    const { cardId } = await seedActiveCard(f, seeded);
    const [match] = await persons.lookUp(f.partnerB, {
      initials: "k",
      surname: "visser",
      birthDate: "1975-01-30",
    });
    expect(match?.id).toBe(seeded.personId);

    const created = await persons.createEmployment(
      f.partnerB,
      newEmployment(f.companyB, {
        person: { initials: "K.", surname: "Visser", birthDate: "1975-01-30" },
        personId: seeded.personId,
      }),
    );

    expect(created).toMatchObject({
      activeCardId: cardId,
      cardRequestId: null,
      pendingCardId: null,
    });
    const cards = await f.ctx.db.selectFrom("iam_card").select("id").execute();
    expect(cards).toEqual([{ id: cardId }]);
  });

  it("refuses a new person who exists (PERSON_EXISTS), naming that person", async () => {
    const first = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));
    const error = await refusal(
      persons.createEmployment(
        f.partnerB,
        newEmployment(f.companyB, {
          person: {
            initials: "JP",
            surnamePrefix: "van der",
            surname: "Berg",
            birthDate: "1980-05-17",
          },
        }),
      ),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.rule).toBe("PERSON_EXISTS");
    expect(error.details).toEqual({
      existing: { personId: first.employment.person.id, name: "J.P. van der Berg" },
    });
  });

  it("refuses a second employment of the same person and company, naming the first", async () => {
    const first = await persons.createEmployment(f.partnerA, newEmployment(f.companyA));
    const employments = count(f, "employment");
    const error = await refusal(
      persons.createEmployment(
        actors.manager,
        newEmployment(f.companyA, { person: undefined, personId: first.employment.person.id }),
      ),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.rule).toBe("DUPLICATE_EMPLOYMENT");
    expect(error.details).toEqual({
      existing: {
        employmentId: first.employment.id,
        employmentNumber: first.employment.employmentNumber,
      },
    });
    expect(count(f, "employment")).toBe(employments);
  });

  it("reports every invalid field at once", async () => {
    const error = await refusal(
      persons.createEmployment(f.partnerA, {
        person: { initials: "1", surname: "van Dijk", birthDate: "2030-01-01" },
        personId: 5,
        companyId: f.companyA,
        managerName: " ",
        email: "not-an-address",
        mobile: "0612345678",
        phone: "12",
        address: { street: "", number: "0", postcode: "12345", city: "Utrecht", country: "NL" },
        postalChoice: "home",
        idType: "badge",
        idNumber: "x",
        startDate: "2026-02-30",
        endDate: "2026-01-01",
        colour: "blue",
      }),
    );
    expect(error).toBeInstanceOf(IamValidationError);
    const paths = (error as IamValidationError).problems.map((p) => p.path).sort();
    expect(paths).toEqual(
      [
        "(input)",
        "address.number",
        "address.street",
        "email",
        "idNumber",
        "idType",
        "managerName",
        "mobile",
        "person.birthDate",
        "person.initials",
        "person.surname",
        "phone",
        "postalChoice",
        "startDate",
      ].sort(),
    );
    // The NL postcode rule runs once the address itself is well-formed; an end before start too.
    const second = await refusal(
      persons.createEmployment(
        f.partnerA,
        newEmployment(f.companyA, {
          address: { street: "A", number: "1", postcode: "12345", city: "B", country: "NL" },
          endDate: "2026-03-01",
        }),
      ),
    );
    expect((second as IamValidationError).problems.map((p) => p.path).sort()).toEqual([
      "address.postcode",
      "endDate",
    ]);
  });

  it("refuses a company that is not approved (COMPANY_NOT_APPROVED)", async () => {
    const companies = new CompanyService({ db: f.ctx.db, clock: f.clock, commands: f.commands });
    const pending = await companies.register(
      actors.admin,
      registration({ customerName: "Nieuw", kvkName: "Nieuw B.V.", kvkNumber: "11223344" }),
    );
    const error = await refusal(
      persons.createEmployment(actors.manager, newEmployment(pending.id)),
    );
    expect(error.code).toBe("RULE");
    expect(error.rule).toBe("COMPANY_NOT_APPROVED");
  });
});
