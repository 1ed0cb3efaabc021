import { AccountService, type CentralStore, type Dataset, iam, loadDataset } from "@acs/central";

/**
 * The central benchmark's population: SITES sites with an equipment room each, COMPANIES
 * approved partners, `persons` engineers with one active access card each, `employments`
 * employments (the first persons work for two partners), each employment authorized at the
 * equipment room of one site. The state goes in through central's bulk load, the IAM rows
 * beside it in one transaction, as if every one of them had come through the workflow.
 */
export interface CentralPopulation {
  readonly sites: readonly { id: string; areaId: number; entryId: number }[];
  readonly companies: readonly number[];
  /** Per IAM company id: its employments (IAM ids), their persons' cards, the site each holds. */
  readonly employmentsOf: ReadonlyMap<number, readonly PopulatedEmployment[]>;
  readonly persons: number;
  readonly employments: number;
  /** Words to search for: surname prefixes, employment numbers, card numbers. */
  readonly searchTerms: {
    readonly names: string[];
    readonly numbers: string[];
    readonly cards: string[];
  };
}

export interface PopulatedEmployment {
  readonly id: number;
  readonly siteIndex: number;
  readonly card: { readonly facility: number; readonly number: number };
}

const SYLLABLES = [
  "van",
  "ber",
  "ja",
  "sen",
  "de",
  "vries",
  "bak",
  "ker",
  "vis",
  "ser",
  "mul",
  "der",
  "smit",
  "boer",
  "dijk",
  "meer",
  "bos",
  "vos",
  "hof",
  "man",
  "kamp",
  "berg",
  "hout",
  "stra",
  "link",
  "wijk",
  "graaf",
  "haan",
  "veld",
  "beek",
];
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A deterministic surname per index: ~27,000 distinct, Dutch-sounding. */
function surname(i: number): string {
  const a = SYLLABLES[i % 30] as string;
  const b = SYLLABLES[Math.floor(i / 30) % 30] as string;
  const c = SYLLABLES[Math.floor(i / 900) % 30] as string;
  return capital(`${a}${b}${i % 3 === 0 ? c : ""}`);
}

export function populate(
  store: CentralStore,
  size: { sites: number; companies: number; persons: number; employments: number },
): CentralPopulation {
  const day = 86_400_000;
  const start = Date.now() - 400 * day;
  const sites = Array.from({ length: size.sites }, (_, i) => ({
    id: `c-${String(i + 1).padStart(2, "0")}`,
    areaId: i + 1,
  }));
  const second = size.employments - size.persons;
  // The site an employment is authorized at; mixed with the company (ids run round the
  // companies), so each partner has engineers at every site.
  const siteOf = (id: number) => (id + Math.floor(id / size.companies)) % size.sites;
  const employmentRows: Array<{ id: number; personId: number; companyIndex: number }> = [];
  for (let p = 0; p < size.persons; p++)
    employmentRows.push({ id: p + 1, personId: p + 1, companyIndex: p % size.companies });
  for (let p = 0; p < second; p++) {
    employmentRows.push({
      id: size.persons + p + 1,
      personId: p + 1,
      companyIndex: ((p % size.companies) + 1 + (p % 7)) % size.companies,
    });
  }
  const cardOf = (personId: number) => ({
    facility: 10 + (personId >> 16),
    number: personId & 0xffff,
  });
  const dataset: Dataset = {
    sites: sites.map((s) => ({ id: s.id, name: `Exchange ${s.id}`, fingerprintRequired: false })),
    companies: Array.from({ length: size.companies }, (_, c) => ({
      id: c + 1,
      name: `Partner ${c + 1} B.V.`,
    })),
    persons: Array.from({ length: size.persons }, (_, p) => ({
      id: p + 1,
      displayName: `X. ${surname(p)}`,
    })),
    employments: employmentRows.map((e) => ({
      id: e.id,
      personId: e.personId,
      companyId: e.companyIndex + 1,
      start,
    })),
    cards: Array.from({ length: size.persons }, (_, p) => ({
      id: p + 1,
      personId: p + 1,
      format: "H10301",
      ...cardOf(p + 1),
      status: "active" as const,
    })),
    areas: sites.map((s) => ({ id: s.areaId, siteId: s.id, name: "Equipment room" })),
    authorizations: employmentRows.map((e) => ({
      id: e.id,
      employmentId: e.id,
      areaId: siteOf(e.id) + 1,
    })),
  };
  loadDataset(store, dataset);

  const db = store.db;
  const employmentsOf = new Map<number, PopulatedEmployment[]>();
  const companies: number[] = [];
  const entries: number[] = [];
  db.transaction(() => {
    const at = Date.now();
    const company = db.prepare(
      `INSERT INTO iam_company (customer_name, kvk_name, kvk_number, street, house_number, postcode, city, country,
        status, requested_by, requested_at, decided_by, decided_at, state_company_id)
       VALUES (?, ?, ?, 'Industrieweg', '1', '1234 AB', 'Utrecht', 'NL', 'approved', 'bench', ?, 'bench', ?, ?)`,
    );
    for (let c = 0; c < size.companies; c++) {
      const id = Number(
        company.run(
          `Partner ${c + 1}`,
          `Partner ${c + 1} B.V.`,
          String(10_000_000 + c),
          at,
          at,
          c + 1,
        ).lastInsertRowid,
      );
      companies.push(id);
      employmentsOf.set(id, []);
    }
    const entry = db.prepare(
      `INSERT INTO iam_catalogue_entry (code, service, name, site_id, area_id, required_certificates, created_by, created_at)
       VALUES (?, 'physical', ?, ?, ?, '[]', 'bench', ?)`,
    );
    for (const s of sites)
      entries.push(
        Number(
          entry.run(`${s.id.toUpperCase()}-EQ`, `Equipment room ${s.id}`, s.id, s.areaId, at)
            .lastInsertRowid,
        ),
      );
    const profile = db.prepare(
      "INSERT INTO iam_profile_entry (company_id, entry_id, added_by, added_at) VALUES (?, ?, 'bench', ?)",
    );
    for (const c of companies) for (const e of entries) profile.run(c, e, at);
    const person = db.prepare(
      `INSERT INTO iam_person (id, state_person_id, initials, surname_prefix, surname, surname_key, birth_date, created_by, created_at)
       VALUES (?, ?, ?, NULL, ?, ?, ?, 'bench', ?)`,
    );
    for (let p = 1; p <= size.persons; p++) {
      const name = surname(p - 1);
      const birth = `19${60 + (p % 40)}-${String(1 + (p % 12)).padStart(2, "0")}-${String(1 + (p % 28)).padStart(2, "0")}`;
      person.run(
        p,
        p,
        `${String.fromCharCode(65 + (p % 26))}.`,
        name,
        name.toLowerCase(),
        birth,
        at,
      );
    }
    const employment = db.prepare(
      `INSERT INTO iam_employment (id, state_employment_id, person_id, company_id, employment_number, manager_name, email, mobile,
        street, house_number, postcode, city, country, postal_choice, id_type, id_number, start_date, status, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, 'P. de Boer', ?, '+31612345678', 'Kerkstraat', '1', '1017 GC', 'Amsterdam', 'NL', 'business',
        'passport', 'NX1234567', '2025-01-01', 'active', 'bench', ?)`,
    );
    const authorization = db.prepare(
      `INSERT INTO iam_authorization (id, employment_id, entry_id, state_authorization_id, status, granted_at, granted_by)
       VALUES (?, ?, ?, ?, 'active', ?, 'bench')`,
    );
    for (const e of employmentRows) {
      const companyId = companies[e.companyIndex] as number;
      employment.run(
        e.id,
        e.id,
        e.personId,
        companyId,
        `E${String(e.id).padStart(7, "0")}`,
        `e${e.id}@partner.nl`,
        at,
      );
      const siteIndex = siteOf(e.id);
      authorization.run(e.id, e.id, entries[siteIndex] as number, e.id, at);
      employmentsOf.get(companyId)?.push({ id: e.id, siteIndex, card: cardOf(e.personId) });
    }
    const card = db.prepare(
      `INSERT INTO iam_card (id, person_id, employment_id, kind, status, state_card_id, card_number, shipping_address,
        valid_until, requested_by, requested_at, produced_at, shipped_at, activated_at)
       VALUES (?, ?, ?, 'access', 'active', ?, ?, '{}', ?, 'bench', ?, ?, ?, ?)`,
    );
    for (let p = 1; p <= size.persons; p++)
      card.run(p, p, p, p, String(100_000 + p), at + 5 * 365 * day, at, at, at, at);
  })();
  db.exec("ANALYZE");
  const pick = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  return {
    sites: sites.map((s, i) => ({ ...s, entryId: entries[i] as number })),
    companies,
    employmentsOf,
    persons: size.persons,
    employments: size.employments,
    searchTerms: {
      names: pick(200, (i) => surname((i * 7919) % size.persons).slice(0, 3 + (i % 4))),
      numbers: pick(
        100,
        (i) => `E${String(1 + ((i * 104_729) % size.employments)).padStart(7, "0")}`,
      ),
      cards: pick(100, (i) => String(100_000 + 1 + ((i * 15_485_863) % size.persons))),
    },
  };
}

/** Accounts of the benchmark's callers with API tokens (what an integration would use). */
export async function benchTokens(
  store: CentralStore,
  partners: readonly number[],
): Promise<{ admin: string; manager: string; partners: Map<number, string> }> {
  const db = iam.openIamDb(store.db);
  const accounts = new AccountService({ db, clock: { now: () => Date.now() } });
  const insert = store.db.prepare(
    `INSERT INTO iam_account (id, username, role, mobile, email, company_id, failed_logins, created_by, created_at)
     VALUES (?, ?, ?, '+31611111111', ?, ?, 0, 'bench', ?)`,
  );
  const token = async (id: string, role: iam.Role, companyId?: number) => {
    insert.run(id, id, role, `${id}@bench.example.nl`, companyId ?? null, Date.now());
    return (await accounts.createApiToken({ accountId: id, role, companyId }, "bench")).token;
  };
  const tokens = new Map<number, string>();
  for (const c of partners) tokens.set(c, await token(`partner-${c}`, "partner-contact", c));
  return {
    admin: await token("admin", "wholesale-admin"),
    manager: await token("manager", "manager"),
    partners: tokens,
  };
}
