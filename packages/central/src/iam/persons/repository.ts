import type { Selectable } from "kysely";
import type { IamDb } from "../db.js";
import type { EmploymentTable, PersonTable } from "./schema.js";
import type { AddressData, EmploymentData, EmploymentPatch, PersonFacts } from "./validation.js";
import { initialsKey, surnameKey } from "./validation.js";
import { type Employment, employmentOf } from "./views.js";

export type PersonRow = Selectable<PersonTable>;
export type EmploymentRow = Selectable<EmploymentTable>;

/** The employment number partners see and search on: "E" and the id, 7 digits. */
export const employmentNumberOf = (id: number): string => `E${String(id).padStart(7, "0")}`;

const addressColumns = (a: AddressData) => ({
  street: a.street,
  house_number: a.number,
  house_number_addition: a.addition,
  address_line2: a.line2,
  postcode: a.postcode,
  city: a.city,
  country: a.country,
});

/** Persons and employments: portable Kysely queries only (SQLite and PostgreSQL alike). */
export const personRepository = {
  async find(db: IamDb, id: number): Promise<PersonRow | undefined> {
    return db.selectFrom("iam_person").selectAll().where("id", "=", id).executeTakeFirst();
  },

  /** Persons with exactly this surname (prefix aside), these initials and birth date. */
  async matching(db: IamDb, facts: PersonFacts): Promise<PersonRow[]> {
    const rows = await db
      .selectFrom("iam_person")
      .selectAll()
      .where("surname_key", "=", surnameKey(facts.surname))
      .where("birth_date", "=", facts.birthDate)
      .orderBy("id")
      .execute();
    const initials = initialsKey(facts.initials);
    return rows.filter((r) => initialsKey(r.initials) === initials);
  },

  async insert(
    db: IamDb,
    facts: PersonFacts,
    statePersonId: number,
    by: { createdBy: string; createdAt: number },
  ): Promise<PersonRow> {
    return db
      .insertInto("iam_person")
      .values({
        state_person_id: statePersonId,
        initials: facts.initials,
        surname_prefix: facts.surnamePrefix,
        surname: facts.surname,
        surname_key: surnameKey(facts.surname),
        birth_date: facts.birthDate,
        created_by: by.createdBy,
        created_at: by.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },
};

export const employmentRepository = {
  async find(db: IamDb, id: number): Promise<EmploymentRow | undefined> {
    return db.selectFrom("iam_employment").selectAll().where("id", "=", id).executeTakeFirst();
  },

  async ofPair(db: IamDb, personId: number, companyId: number): Promise<EmploymentRow | undefined> {
    return db
      .selectFrom("iam_employment")
      .selectAll()
      .where("person_id", "=", personId)
      .where("company_id", "=", companyId)
      .executeTakeFirst();
  },

  /** A person's employments, by id; only those of `companyId` when given. */
  async ofPerson(db: IamDb, personId: number, companyId?: number): Promise<EmploymentRow[]> {
    let q = db.selectFrom("iam_employment").selectAll().where("person_id", "=", personId);
    if (companyId !== undefined) q = q.where("company_id", "=", companyId);
    return q.orderBy("id").execute();
  },

  /** Up to `limit` employments of a company after id `after`, by id. */
  async ofCompany(
    db: IamDb,
    companyId: number,
    page: { after?: number; limit: number },
  ): Promise<Employment[]> {
    const rows = await db
      .selectFrom("iam_employment")
      .innerJoin("iam_person", "iam_person.id", "iam_employment.person_id")
      .selectAll("iam_employment")
      .select([
        "iam_person.initials",
        "iam_person.surname_prefix",
        "iam_person.surname",
        "iam_person.state_person_id",
        "iam_person.surname_key",
        "iam_person.birth_date",
        "iam_person.created_by as p_created_by",
        "iam_person.created_at as p_created_at",
      ])
      .where("iam_employment.company_id", "=", companyId)
      .where("iam_employment.id", ">", page.after ?? 0)
      .orderBy("iam_employment.id")
      .limit(page.limit)
      .execute();
    return rows.map((r) =>
      employmentOf(r, {
        id: r.person_id,
        state_person_id: r.state_person_id,
        initials: r.initials,
        surname_prefix: r.surname_prefix,
        surname: r.surname,
        surname_key: r.surname_key,
        birth_date: r.birth_date,
        created_by: r.p_created_by,
        created_at: r.p_created_at,
      }),
    );
  },

  /**
   * Inserts an employment; its number comes from its id (a placeholder first: the column
   * is unique and not null, and the id is only known once inserted).
   */
  async insert(
    db: IamDb,
    data: EmploymentData,
    ids: { personId: number; stateEmploymentId: number },
    by: { createdBy: string; createdAt: number },
  ): Promise<EmploymentRow> {
    const inserted = await db
      .insertInto("iam_employment")
      .values({
        state_employment_id: ids.stateEmploymentId,
        person_id: ids.personId,
        company_id: data.companyId,
        employment_number: `pending-${ids.stateEmploymentId}`,
        manager_name: data.managerName,
        email: data.email,
        mobile: data.mobile,
        phone: data.phone,
        ...addressColumns(data.address),
        postal_choice: data.postalChoice,
        id_type: data.idType,
        id_number: data.idNumber,
        start_date: data.startDate,
        end_date: data.endDate,
        status: "active",
        ended_at: null,
        end_reason: null,
        created_by: by.createdBy,
        created_at: by.createdAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return db
      .updateTable("iam_employment")
      .set({ employment_number: employmentNumberOf(inserted.id) })
      .where("id", "=", inserted.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async update(db: IamDb, id: number, patch: EmploymentPatch): Promise<EmploymentRow> {
    return db
      .updateTable("iam_employment")
      .set({
        ...(patch.managerName === undefined ? {} : { manager_name: patch.managerName }),
        ...(patch.email === undefined ? {} : { email: patch.email }),
        ...(patch.mobile === undefined ? {} : { mobile: patch.mobile }),
        ...(patch.phone === undefined ? {} : { phone: patch.phone }),
        ...(patch.address === undefined ? {} : addressColumns(patch.address)),
        ...(patch.postalChoice === undefined ? {} : { postal_choice: patch.postalChoice }),
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async setEnd(
    db: IamDb,
    id: number,
    end: { endDate: string; reason: string | null; endedAt: number | null },
  ): Promise<EmploymentRow> {
    return db
      .updateTable("iam_employment")
      .set({
        end_date: end.endDate,
        end_reason: end.reason,
        ...(end.endedAt === null ? {} : { status: "ended" as const, ended_at: end.endedAt }),
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },
};
