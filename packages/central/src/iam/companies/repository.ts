import type { Selectable } from "kysely";
import type { CompanyTable, ContactPersonTable, DecisionStatus, IamDb } from "../db.js";
import type { Address, Company, ContactPerson, IdType } from "./model.js";
import type { AddressData, ContactPersonData, RegistrationData } from "./validation.js";

/** What a decision writes. */
export interface DecisionWrite {
  readonly status: Exclude<DecisionStatus, "pending">;
  readonly decidedBy: string;
  readonly decidedAt: number;
  readonly comment: string | null;
}

interface Requested {
  readonly requestedBy: string;
  readonly requestedAt: number;
}

type AddressRow = Pick<
  CompanyTable,
  | "street"
  | "house_number"
  | "house_number_addition"
  | "address_line2"
  | "postcode"
  | "city"
  | "country"
>;

const addressColumns = (a: AddressData): AddressRow => ({
  street: a.street,
  house_number: a.number,
  house_number_addition: a.addition,
  address_line2: a.line2,
  postcode: a.postcode,
  city: a.city,
  country: a.country,
});

const addressOf = (r: AddressRow): Address => ({
  street: r.street,
  number: r.house_number,
  addition: r.house_number_addition,
  line2: r.address_line2,
  postcode: r.postcode,
  city: r.city,
  country: r.country,
});

function companyOf(r: Selectable<CompanyTable>): Company {
  return {
    id: r.id,
    customerName: r.customer_name,
    kvkName: r.kvk_name,
    kvkNumber: r.kvk_number,
    address: addressOf(r),
    colocation: r.colocation === 1,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionComment: r.decision_comment,
  };
}

function contactOf(r: Selectable<ContactPersonTable>): ContactPerson {
  return {
    id: r.id,
    companyId: r.company_id,
    initials: r.initials,
    surnamePrefix: r.surname_prefix,
    surname: r.surname,
    mobile: r.mobile,
    email: r.email,
    address: addressOf(r),
    birthDate: r.birth_date,
    idType: r.id_type as IdType,
    idNumber: r.id_number,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionComment: r.decision_comment,
  };
}

/** Companies: portable Kysely queries only (SQLite and PostgreSQL alike). */
export const companyRepository = {
  async insert(db: IamDb, data: RegistrationData, by: Requested): Promise<Company> {
    const row = await db
      .insertInto("iam_company")
      .values({
        customer_name: data.customerName,
        kvk_name: data.kvkName,
        kvk_number: data.kvkNumber,
        colocation: data.colocation ? 1 : 0,
        ...addressColumns(data.address),
        status: "pending",
        requested_by: by.requestedBy,
        requested_at: by.requestedAt,
        decided_by: null,
        decided_at: null,
        decision_comment: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return companyOf(row);
  },

  async find(db: IamDb, id: number): Promise<Company | undefined> {
    const row = await db
      .selectFrom("iam_company")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : companyOf(row);
  },

  /** The pending or approved company with this KvK number (a rejected one does not count). */
  async findLiveByKvk(db: IamDb, kvkNumber: string): Promise<Company | undefined> {
    const row = await db
      .selectFrom("iam_company")
      .selectAll()
      .where("kvk_number", "=", kvkNumber)
      .where("status", "<>", "rejected")
      .executeTakeFirst();
    return row === undefined ? undefined : companyOf(row);
  },

  async list(db: IamDb, filter: { status?: DecisionStatus; id?: number } = {}): Promise<Company[]> {
    let q = db.selectFrom("iam_company").selectAll();
    if (filter.status !== undefined) q = q.where("status", "=", filter.status);
    if (filter.id !== undefined) q = q.where("id", "=", filter.id);
    return (await q.orderBy("id").execute()).map(companyOf);
  },

  /** Decides a pending company; undefined when it is not (or no longer) pending. */
  async decide(db: IamDb, id: number, d: DecisionWrite): Promise<Company | undefined> {
    const row = await db
      .updateTable("iam_company")
      .set({
        status: d.status,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
        decision_comment: d.comment,
      })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : companyOf(row);
  },
};

/** Contact persons: portable Kysely queries only. */
export const contactPersonRepository = {
  async insert(
    db: IamDb,
    companyId: number,
    data: ContactPersonData,
    by: Requested,
  ): Promise<ContactPerson> {
    const row = await db
      .insertInto("iam_contact_person")
      .values({
        company_id: companyId,
        initials: data.initials,
        surname_prefix: data.surnamePrefix,
        surname: data.surname,
        mobile: data.mobile,
        email: data.email,
        ...addressColumns(data.address),
        birth_date: data.birthDate,
        id_type: data.idType,
        id_number: data.idNumber,
        status: "pending",
        requested_by: by.requestedBy,
        requested_at: by.requestedAt,
        decided_by: null,
        decided_at: null,
        decision_comment: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return contactOf(row);
  },

  async find(db: IamDb, id: number): Promise<ContactPerson | undefined> {
    const row = await db
      .selectFrom("iam_contact_person")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : contactOf(row);
  },

  async ofCompany(db: IamDb, companyId: number): Promise<ContactPerson[]> {
    const rows = await db
      .selectFrom("iam_contact_person")
      .selectAll()
      .where("company_id", "=", companyId)
      .orderBy("id")
      .execute();
    return rows.map(contactOf);
  },

  /** Decides a pending contact person; undefined when it is not (or no longer) pending. */
  async decide(db: IamDb, id: number, d: DecisionWrite): Promise<ContactPerson | undefined> {
    const row = await db
      .updateTable("iam_contact_person")
      .set({
        status: d.status,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
        decision_comment: d.comment,
      })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : contactOf(row);
  },
};
