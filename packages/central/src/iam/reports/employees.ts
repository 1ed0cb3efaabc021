import { sql } from "kysely";
import type { IamDb } from "../db.js";

/** One employment as the "Rapportage > Medewerkers" tab lists it. */
export interface EmployeeRow {
  readonly employmentId: number;
  readonly employmentNumber: string;
  readonly companyId: number;
  readonly personId: number;
  readonly initials: string;
  readonly surnamePrefix: string | null;
  readonly surname: string;
  /** The lower-case surname the name search runs on (part of the page key). */
  readonly surnameKey: string;
  readonly status: string;
  readonly startDate: string;
  readonly endDate: string | null;
  /** The person's active access card, if any. */
  readonly cardNumber: string | null;
}

/**
 * A page's sort key: [employmentId] for "%", [surnameKey, personId, companyId] by name (a
 * person has one employment per company: the order of the indexes walked, no sort).
 */
export type EmployeeKey = readonly (string | number)[];

export interface EmployeeSearch {
  readonly q: string;
  /** Undefined: every company. */
  readonly companyId: number | undefined;
  readonly limit: number;
  readonly after: EmployeeKey | undefined;
}

const SURNAME_PREFIXES = [
  "van der",
  "van den",
  "van de",
  "van 't",
  "in 't",
  "op de",
  "van",
  "de",
  "der",
  "den",
  "het",
  "te",
  "ter",
  "ten",
  "'t",
];

/** The surname key a name search runs on: lower case, without a leading Dutch prefix. */
export function searchKey(q: string): string {
  const lower = q.trim().toLowerCase().replace(/\s+/g, " ");
  for (const prefix of SURNAME_PREFIXES) {
    if (lower.startsWith(`${prefix} `) && lower.length > prefix.length + 1) {
      return lower.slice(prefix.length + 1);
    }
  }
  return lower;
}

/** The smallest string above every string starting with `prefix` (binary order). */
function prefixEnd(prefix: string): string {
  const last = prefix.codePointAt(prefix.length - 1) ?? 0;
  const head = prefix.slice(0, prefix.length - (last > 0xffff ? 2 : 1));
  return head + String.fromCodePoint(last + 1);
}

function employmentColumns() {
  return [
    "e.id as employmentId",
    "e.employment_number as employmentNumber",
    "e.company_id as companyId",
    "p.id as personId",
    "p.initials as initials",
    "p.surname_prefix as surnamePrefix",
    "p.surname as surname",
    "p.surname_key as surnameKey",
    "e.status as status",
    "e.start_date as startDate",
    "e.end_date as endDate",
  ] as const;
}

type Found = Omit<EmployeeRow, "cardNumber">;

/**
 * Up to `limit + 1` employments after `after`, every query a walk along an index: "%" the
 * employments by id (per company: iam_employment_company), a name the persons in surname
 * order from the prefix on (iam_person_surname; a range, never LIKE, so it stays
 * index-backed and case-insensitive through the lower-case key), an employment or card
 * number a point look-up.
 */
export async function searchEmployees(
  db: IamDb,
  search: EmployeeSearch,
): Promise<{ rows: EmployeeRow[]; keyOf: (row: EmployeeRow) => EmployeeKey }> {
  const q = search.q.trim();
  if (q === "%") return withCards(db, await all(db, search), (r) => [r.employmentId]);
  const exact = await byNumber(db, q, search.companyId);
  if (exact.length > 0) return withCards(db, search.after === undefined ? exact : [], byId);
  return withCards(db, await byName(db, searchKey(q), search), (r) => [
    r.surnameKey,
    r.personId,
    r.companyId,
  ]);
}

const byId = (r: EmployeeRow): EmployeeKey => [r.employmentId];

async function all(db: IamDb, search: EmployeeSearch): Promise<Found[]> {
  let query = db
    .selectFrom("iam_employment as e")
    .innerJoin("iam_person as p", "p.id", "e.person_id")
    .select(employmentColumns());
  if (search.companyId !== undefined) query = query.where("e.company_id", "=", search.companyId);
  const after = search.after?.[0];
  if (typeof after === "number") query = query.where("e.id", ">", after);
  // Ordered as iam_employment_company is, so a company's page walks that index from the
  // cursor on (company constant: the same order as by id).
  if (search.companyId !== undefined) query = query.orderBy("e.company_id");
  return query
    .orderBy("e.id")
    .limit(search.limit + 1)
    .execute();
}

async function byNumber(db: IamDb, q: string, companyId: number | undefined): Promise<Found[]> {
  // Two point look-ups (the unique employment number; the card number's person), each on
  // its own index: an OR of both would leave the choice of index to the planner.
  const base = () => {
    const query = db
      .selectFrom("iam_employment as e")
      .innerJoin("iam_person as p", "p.id", "e.person_id")
      .select(employmentColumns());
    return companyId === undefined
      ? query
      : query.where(sql`${sql.ref("e.company_id")} + 0`, "=", companyId);
  };
  const byEmployment = await base()
    .where("e.employment_number", "in", [q, q.toUpperCase()])
    .execute();
  const card = await db
    .selectFrom("iam_card")
    .select("person_id")
    .where("kind", "=", "access")
    .where("card_number", "=", q)
    .executeTakeFirst();
  const byCard =
    card === undefined ? [] : await base().where("e.person_id", "=", card.person_id).execute();
  const seen = new Set<number>();
  return [...byEmployment, ...byCard]
    .filter((r) => !seen.has(r.employmentId) && seen.add(r.employmentId) !== undefined)
    .sort((x, y) => x.employmentId - y.employmentId);
}

/** A company with at most this many employments is searched through its own employments. */
const SMALL_COMPANY = 2_000;

/** Whether the company has at most SMALL_COMPANY employments (a bounded index walk). */
async function isSmallCompany(db: IamDb, companyId: number): Promise<boolean> {
  const beyond = await db
    .selectFrom("iam_employment")
    .select("id")
    .where("company_id", "=", companyId)
    .orderBy("id")
    .limit(1)
    .offset(SMALL_COMPANY)
    .executeTakeFirst();
  return beyond === undefined;
}

/**
 * The name search. Which index leads is chosen here, not by the planner (which, without
 * statistics, takes the company's employments even for a company of 50,000): all companies
 * and a large company walk persons in surname order (iam_person_surname, then each person's
 * employments: already the page order, no sort); a small company walks its own employments
 * (iam_employment_company) and sorts at most SMALL_COMPANY rows. The index not meant to
 * lead is hidden behind an expression (`x || ''`, `x + 0`: valid SQL on every engine).
 */
async function byName(db: IamDb, key: string, search: EmployeeSearch): Promise<Found[]> {
  if (key === "") return [];
  const [afterKey, afterPerson, afterCompany] = search.after ?? [];
  const resume =
    typeof afterKey === "string" &&
    typeof afterPerson === "number" &&
    typeof afterCompany === "number";
  const from = resume && afterKey > key ? afterKey : key;
  const companyId = search.companyId;
  const companyLeads = companyId !== undefined && (await isSmallCompany(db, companyId));
  const surname = companyLeads
    ? sql<string>`${sql.ref("p.surname_key")} || ''`
    : sql<string>`${sql.ref("p.surname_key")}`;
  let query = db
    .selectFrom("iam_person as p")
    .innerJoin("iam_employment as e", "e.person_id", "p.id")
    .select(employmentColumns())
    .where(surname, ">=", from)
    .where(surname, "<", prefixEnd(key));
  if (companyId !== undefined) {
    query = companyLeads
      ? query.where("e.company_id", "=", companyId)
      : query.where(sql`${sql.ref("e.company_id")} + 0`, "=", companyId);
  }
  if (resume) {
    query = query.where((eb) =>
      eb.or([
        eb(surname, ">", afterKey),
        eb.and([eb(surname, "=", afterKey), eb("p.id", ">", afterPerson)]),
        eb.and([
          eb(surname, "=", afterKey),
          eb("p.id", "=", afterPerson),
          eb("e.company_id", ">", afterCompany),
        ]),
      ]),
    );
  }
  return query
    .orderBy("p.surname_key")
    .orderBy("p.id")
    .orderBy("e.company_id")
    .limit(search.limit + 1)
    .execute();
}

/** Adds each person's active access card number (one indexed query per page). */
async function withCards(
  db: IamDb,
  found: readonly Found[],
  keyOf: (row: EmployeeRow) => EmployeeKey,
): Promise<{ rows: EmployeeRow[]; keyOf: (row: EmployeeRow) => EmployeeKey }> {
  const personIds = [...new Set(found.map((r) => r.personId))];
  const cards =
    personIds.length === 0
      ? []
      : await db
          .selectFrom("iam_card")
          .select(["person_id", "card_number"])
          .where("person_id", "in", personIds)
          .where("kind", "=", "access")
          .where("status", "=", "active")
          .execute();
  const cardOf = new Map(cards.map((c) => [c.person_id, c.card_number]));
  const rows = found.map((r) => ({ ...r, cardNumber: cardOf.get(r.personId) ?? null }));
  return { rows, keyOf };
}
