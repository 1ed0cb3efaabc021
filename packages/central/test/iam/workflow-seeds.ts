import { actors, DAY_MS } from "./workflow-actors.js";
import type { WorkflowFixture } from "./workflow-support.js";

// --- seeds: rows written directly, as the owning services would, so that one module's
// tests do not depend on another module's service ---

let seedCounter = 0;

/** A person employed by `companyId` (IAM ids), with the state rows the doors read. */
export async function seedEmployment(
  f: WorkflowFixture,
  companyId: number,
  person: { surname?: string; initials?: string; birthDate?: string; personId?: number } = {},
): Promise<{
  personId: number;
  employmentId: number;
  statePersonId: number;
  stateEmploymentId: number;
}> {
  const db = f.ctx.db;
  const n = ++seedCounter;
  const at = f.clock.now();
  let personId = person.personId;
  let statePersonId: number;
  if (personId === undefined) {
    const surname = person.surname ?? `Jansen${n}`;
    ({ personId: statePersonId } = f.commands.createPerson({
      displayName: `${person.initials ?? "K."} ${surname}`,
    }));
    const row = await db
      .insertInto("iam_person")
      .values({
        state_person_id: statePersonId,
        initials: person.initials ?? "K.",
        surname_prefix: null,
        surname,
        surname_key: surname.toLowerCase(),
        birth_date: person.birthDate ?? "1985-04-12",
        created_by: "seed",
        created_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    personId = row.id;
  } else {
    const row = await db
      .selectFrom("iam_person")
      .select("state_person_id")
      .where("id", "=", personId)
      .executeTakeFirstOrThrow();
    statePersonId = row.state_person_id;
  }
  const company = await db
    .selectFrom("iam_company")
    .select("state_company_id")
    .where("id", "=", companyId)
    .executeTakeFirstOrThrow();
  const { employmentId: stateEmploymentId } = f.commands.createEmployment({
    personId: statePersonId,
    companyId: company.state_company_id ?? 0,
    start: at,
  });
  const employment = await db
    .insertInto("iam_employment")
    .values({
      state_employment_id: stateEmploymentId,
      person_id: personId,
      company_id: companyId,
      employment_number: `E${String(100000 + n)}`,
      manager_name: "P. de Boer",
      email: `engineer${n}@netbouw.nl`,
      mobile: "+31687654321",
      phone: null,
      street: "Kerkstraat",
      house_number: "1",
      house_number_addition: null,
      address_line2: null,
      postcode: "1017 GC",
      city: "Amsterdam",
      country: "NL",
      postal_choice: "business",
      id_type: "passport",
      id_number: "NX9876543",
      start_date: "2026-03-02",
      end_date: null,
      status: "active",
      ended_at: null,
      end_reason: null,
      created_by: "seed",
      created_at: at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { personId, employmentId: employment.id, statePersonId, stateEmploymentId };
}

let cardNumber = 5000;

/** An active access card of the person, with its state card (C1000_35, facility 1000). */
export async function seedActiveCard(
  f: WorkflowFixture,
  seeded: { personId: number; employmentId: number; statePersonId: number },
): Promise<{ cardId: number; stateCardId: number; number: number }> {
  const number = ++cardNumber;
  const at = f.clock.now();
  const { cardId: stateCardId } = f.commands.issueCard({
    personId: seeded.statePersonId,
    format: "C1000_35",
    facility: 1000,
    number,
    status: "active",
  });
  const row = await f.ctx.db
    .insertInto("iam_card")
    .values({
      person_id: seeded.personId,
      employment_id: seeded.employmentId,
      kind: "access",
      status: "active",
      state_card_id: stateCardId,
      card_number: String(number),
      replaces_card_id: null,
      replacement_reason: null,
      shipping_address: "{}",
      activation_code_hash: null,
      activation_expires_at: null,
      activation_attempts_left: null,
      valid_until: at + 5 * 365 * DAY_MS,
      requested_by: "seed",
      requested_at: at,
      decided_by: "seed",
      decided_at: at,
      decision_comment: null,
      produced_at: at,
      shipped_at: at,
      activated_at: at,
      deactivated_at: null,
      deactivation_reason: null,
      to_return: 0,
      returned_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { cardId: row.id, stateCardId, number };
}

/** A certificate of the person, with its state row. */
export async function seedCertificate(
  f: WorkflowFixture,
  seeded: { personId: number; statePersonId: number },
  type: string,
  validFrom: number,
  validUntil: number,
): Promise<number> {
  const { certificateId } = f.commands.addCertificate({
    personId: seeded.statePersonId,
    type,
    validFrom,
    validUntil,
  });
  const row = await f.ctx.db
    .insertInto("iam_certificate")
    .values({
      person_id: seeded.personId,
      type,
      valid_from: validFrom,
      valid_until: validUntil,
      state_certificate_id: certificateId,
      registered_by: actors.institute.accountId,
      registered_at: f.clock.now(),
      withdrawn_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A catalogue entry, in the profile of the given companies. */
export async function seedEntry(
  f: WorkflowFixture,
  entry: {
    code: string;
    service?: "physical" | "application" | "pop" | "key";
    areaId?: number | null;
    keyType?: string | null;
    requiredCertificates?: readonly string[];
    excludesColocation?: boolean;
  },
  profileOf: readonly number[] = [],
): Promise<number> {
  const service = entry.service ?? "physical";
  const row = await f.ctx.db
    .insertInto("iam_catalogue_entry")
    .values({
      code: entry.code,
      service,
      name: entry.code,
      site_id: service === "physical" ? f.site : null,
      area_id: entry.areaId ?? (service === "physical" ? f.area : null),
      key_type: entry.keyType ?? null,
      required_certificates: JSON.stringify(entry.requiredCertificates ?? []),
      excludes_colocation: entry.excludesColocation === true ? 1 : 0,
      active: 1,
      created_by: "seed",
      created_at: f.clock.now(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const companyId of profileOf) {
    await f.ctx.db
      .insertInto("iam_profile_entry")
      .values({
        company_id: companyId,
        entry_id: row.id,
        added_by: "seed",
        added_at: f.clock.now(),
      })
      .execute();
  }
  return row.id;
}

/** A live authorization of an employment for an entry (physical: with its state row). */
export async function seedAuthorization(
  f: WorkflowFixture,
  seeded: { employmentId: number; stateEmploymentId: number },
  entryId: number,
): Promise<{ authorizationId: number; stateAuthorizationId: number | null }> {
  const entry = await f.ctx.db
    .selectFrom("iam_catalogue_entry")
    .selectAll()
    .where("id", "=", entryId)
    .executeTakeFirstOrThrow();
  const stateAuthorizationId =
    entry.area_id === null
      ? null
      : f.commands.grant(seeded.stateEmploymentId, entry.area_id).authorizationId;
  const row = await f.ctx.db
    .insertInto("iam_authorization")
    .values({
      employment_id: seeded.employmentId,
      entry_id: entryId,
      state_authorization_id: stateAuthorizationId,
      status: "active",
      granted_at: f.clock.now(),
      granted_by: "seed",
      first_used_at: null,
      ended_at: null,
      end_reason: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { authorizationId: row.id, stateAuthorizationId };
}
