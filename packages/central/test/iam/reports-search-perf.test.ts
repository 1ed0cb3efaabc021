import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReportService } from "../../src/iam/reports/service.js";
import { actors, type WorkflowFixture, workflowFixture } from "./workflow-support.js";

const PERSONS = 100_000;
const EMPLOYMENTS = 150_000;
const COMPANIES = 40;

const NAMES = [
  "jansen",
  "de jong",
  "bakker",
  "visser",
  "smit",
  "meijer",
  "de boer",
  "mulder",
  "de groot",
  "bos",
  "vos",
  "peters",
  "hendriks",
  "van leeuwen",
  "dekker",
  "brouwer",
  "de wit",
  "dijkstra",
  "smits",
  "de graaf",
  "van der meer",
  "kok",
  "jacobs",
  "de haan",
  "vermeulen",
  "van den berg",
  "van dijk",
  "van der linden",
  "kuipers",
  "schouten",
  "willems",
  "hoekstra",
  "koster",
  "prins",
  "huisman",
  "peeters",
  "kramer",
  "van wijk",
  "postma",
  "kuiper",
  "van der heijden",
  "verbeek",
];

/** Loads persons and employments directly (a bulk load), as the benchmark does. */
function load(f: WorkflowFixture): number[] {
  const db = f.commands.store.db;
  const companies: number[] = [f.companyA, f.companyB];
  const insertCompany = db.prepare(
    `INSERT INTO iam_company (customer_name, kvk_name, kvk_number, street, house_number, postcode,
       city, country, status, requested_by, requested_at, state_company_id)
     VALUES (?, ?, ?, 'Weg', '1', '1234 AB', 'Utrecht', 'NL', 'approved', 'bench', 0, ?)`,
  );
  const stateCompany = db.prepare("INSERT INTO company (name) VALUES (?)");
  const statePerson = db.prepare("INSERT INTO person (display_name) VALUES (?)");
  const person = db.prepare(
    `INSERT INTO iam_person (state_person_id, initials, surname, surname_key, birth_date,
       created_by, created_at) VALUES (?, 'A.', ?, ?, '1980-01-01', 'bench', 0)`,
  );
  const stateEmployment = db.prepare(
    "INSERT INTO employment (person_id, company_id, start_at) VALUES (?, ?, 0)",
  );
  const employment = db.prepare(
    `INSERT INTO iam_employment (state_employment_id, person_id, company_id, employment_number,
       manager_name, email, mobile, street, house_number, postcode, city, country, postal_choice,
       id_type, id_number, start_date, status, created_by, created_at)
     VALUES (?, ?, ?, ?, 'M', 'e@x.nl', '+31600000000', 'Weg', '1', '1234 AB', 'Utrecht', 'NL',
       'business', 'passport', 'NX1234567', '2026-01-01', 'active', 'bench', 0)`,
  );
  db.transaction(() => {
    for (let c = companies.length; c < COMPANIES; c++) {
      const sc = Number(stateCompany.run(`Bench ${c}`).lastInsertRowid);
      companies.push(
        Number(
          insertCompany.run(`Bench ${c}`, `Bench ${c} B.V.`, String(20000000 + c), sc)
            .lastInsertRowid,
        ),
      );
    }
    const stateCompanyOf = new Map(
      (
        db.prepare("SELECT id, state_company_id FROM iam_company").all() as {
          id: number;
          state_company_id: number;
        }[]
      ).map((r) => [r.id, r.state_company_id]),
    );
    let n = 0;
    for (let i = 0; i < PERSONS; i++) {
      const base = NAMES[i % NAMES.length] ?? "x";
      const surname = `${base.split(" ").at(-1)}${i % 7 === 0 ? "" : String.fromCharCode(97 + (i % 26))}`;
      const sp = Number(statePerson.run(surname).lastInsertRowid);
      const p = Number(person.run(sp, surname, surname.toLowerCase()).lastInsertRowid);
      const count = i < EMPLOYMENTS - PERSONS ? 2 : 1;
      for (let k = 0; k < count; k++) {
        // Skewed: a few big companies, many small ones.
        const company = companies[(i * 7 + k * 13) % (i % 3 === 0 ? 3 : COMPANIES)] ?? f.companyA;
        const se = Number(
          stateEmployment.run(sp, stateCompanyOf.get(company) ?? 0).lastInsertRowid,
        );
        employment.run(se, p, company, `B${String(++n).padStart(7, "0")}`);
      }
    }
  })();
  return companies;
}

describe("employee search at 100,000 persons and 150,000 employments", () => {
  let f: WorkflowFixture;
  let companies: number[];

  beforeAll(async () => {
    f = await workflowFixture();
    companies = load(f);
  }, 120_000);

  afterAll(() => f?.close());

  it.each([
    ["without statistics", false],
    ["after ANALYZE", true],
  ])(
    "answers every search within 20 ms at the 99th percentile (%s)",
    async (_, analyze) => {
      if (analyze) f.commands.store.db.exec("ANALYZE");
      const reports = new ReportService(f.ctx);
      const queries = [
        "j",
        "jansen",
        "de jong",
        "Bakk",
        "VAN DER MEER",
        "%",
        "B0001234",
        "zz",
        "k",
      ];
      // The machine is shared: each search's cost is its fastest of 5 runs (what the code
      // costs, not what the neighbours cost), and the 99th percentile is taken over those.
      const times: number[] = [];
      for (const q of queries) {
        // All companies, the big ones, and small ones.
        for (const companyId of [undefined, ...companies.slice(0, 3), ...companies.slice(-3)]) {
          let fastest = Number.POSITIVE_INFINITY;
          for (let run = 0; run < 5; run++) {
            const start = performance.now();
            const page = await reports.employees(actors.admin, { q, companyId });
            if (page.after !== null) {
              await reports.employees(actors.admin, { q, companyId }, { after: page.after });
            }
            fastest = Math.min(
              fastest,
              (performance.now() - start) / (page.after === null ? 1 : 2),
            );
          }
          times.push(fastest);
        }
      }
      times.sort((a, b) => a - b);
      const p99 = times[Math.floor(times.length * 0.99)] ?? 0;
      console.log(
        `p50 ${times[Math.floor(times.length / 2)]?.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${times.at(-1)?.toFixed(2)}`,
      );
      expect(p99).toBeLessThan(20);
    },
    120_000,
  );
});
