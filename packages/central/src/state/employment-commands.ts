// Companies, persons and the employments that link them.
import { conflict, invalid } from "../errors.js";
import type { CommandContext } from "./command-context.js";
import {
  type CreateEmploymentInput,
  type CreatePersonInput,
  inputSchemas,
  type Outcome,
  type UpsertCompanyInput,
} from "./command-inputs.js";
import { ordered, parseInput } from "./schemas.js";

export function upsertCompany(
  ctx: CommandContext,
  input: UpsertCompanyInput,
): Outcome<{ companyId: number; created: boolean }> {
  const v = parseInput(inputSchemas.upsertCompany, input);
  // Companies do not travel to the edges (employments carry the id): no deltas.
  return ctx.command(() => {
    if (v.id === undefined) {
      return {
        companyId: ctx.insert("INSERT INTO company (name) VALUES (?)", v.name),
        created: true,
      };
    }
    ctx.requireRow("company", v.id, "id", "company");
    ctx.store.statement("UPDATE company SET name = ? WHERE id = ?").run(v.name, v.id);
    return { companyId: v.id, created: false };
  });
}

export function createPerson(
  ctx: CommandContext,
  input: CreatePersonInput,
): Outcome<{ personId: number }> {
  const v = parseInput(inputSchemas.createPerson, input);
  return ctx.command((touched) => {
    const personId = ctx.insert("INSERT INTO person (display_name) VALUES (?)", v.displayName);
    touched.push({ kind: "persons", id: personId });
    return { personId };
  });
}

/** Links a person to a company; the same pair never gets two employments (CONFLICT). */
export function createEmployment(
  ctx: CommandContext,
  input: CreateEmploymentInput,
): Outcome<{ employmentId: number }> {
  const v = parseInput(inputSchemas.createEmployment, input);
  return ctx.command((touched) => {
    ctx.requireRow("person", v.personId, "personId", "person");
    ctx.requireRow("company", v.companyId, "companyId", "company");
    const start = v.start ?? ctx.clock.now();
    ordered(start, v.end, "end");
    const existing = ctx.one<{ id: number }>(
      "SELECT id FROM employment WHERE person_id = ? AND company_id = ?",
      v.personId,
      v.companyId,
    );
    if (existing !== undefined) {
      throw conflict(
        "companyId",
        `person ${v.personId} already has employment ${existing.id} with company ${v.companyId}`,
      );
    }
    const employmentId = ctx.insert(
      "INSERT INTO employment (person_id, company_id, start_at, end_at) VALUES (?, ?, ?, ?)",
      v.personId,
      v.companyId,
      start,
      v.end,
    );
    touched.push({ kind: "employments", id: employmentId });
    return { employmentId };
  });
}

/**
 * "Uit dienst": from `at` (now by default) the employment grants nothing, anywhere. The
 * end travels to every site with an authorization through it. Refused (CONFLICT) when
 * the employment has already ended; `at` may move a future end.
 */
export function endEmployment(
  ctx: CommandContext,
  employmentId: number,
  at?: number,
): Outcome<{ end: number }> {
  const v = parseInput(inputSchemas.endEmployment, { employmentId, at });
  return ctx.command((touched) => {
    const row = ctx.requireRow<{ start_at: number; end_at: number | null }>(
      "employment",
      v.employmentId,
      "employmentId",
      "employment",
    );
    const now = ctx.clock.now();
    if (row.end_at !== null && row.end_at <= now) {
      throw conflict(
        "employmentId",
        `employment ${v.employmentId} already ended at ${new Date(row.end_at).toISOString()}`,
      );
    }
    const end = v.at ?? now;
    if (end < row.start_at) {
      throw invalid(
        "at",
        `lies before the employment's start ${new Date(row.start_at).toISOString()}`,
      );
    }
    ctx.store.statement("UPDATE employment SET end_at = ? WHERE id = ?").run(end, v.employmentId);
    touched.push({ kind: "employments", id: v.employmentId });
    return { end };
  });
}
