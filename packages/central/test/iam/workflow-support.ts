import pino from "pino";
import { fixedClock } from "../../src/clock.js";
import { type ApiServer, type BuiltServer, buildServer } from "../../src/http/server.js";
import { registerWorkflowRoutes } from "../../src/http/workflow-routes.js";
import type { Actor } from "../../src/iam/actor.js";
import { CompanyService } from "../../src/iam/companies/service.js";
import type { IamConfig } from "../../src/iam/config.js";
import { createIamContext, type IamContext } from "../../src/iam/context.js";
import { openIamDb } from "../../src/iam/db.js";
import { Workflow, type WorkflowOptions } from "../../src/iam/workflow.js";
import { CentralCommands } from "../../src/state/commands.js";
import { openCentralStore } from "../../src/state/store.js";
import { tempDbPath } from "../support/fixture.js";
import { registration } from "./support.js";

/** Monday 2 March 2026, 09:00 in Amsterdam. */
export const WORKFLOW_NOW = Date.parse("2026-03-02T09:00:00+01:00");
export const DAY_MS = 86_400_000;

/**
 * The actors of the workflow tests. Partners: `partnerA` of company A, `partnerB` of
 * company B (ids in the fixture). Accounts exist for all of them (iam_account rows), so
 * notifications and delegations can name them.
 */
export const actors = {
  admin: { accountId: "acc-admin", role: "wholesale-admin" },
  manager: { accountId: "acc-manager", role: "manager" },
  manager2: { accountId: "acc-manager2", role: "manager" },
  deputy: { accountId: "acc-deputy", role: "manager" },
  institute: { accountId: "acc-institute", role: "training-institute" },
  helpdesk: { accountId: "acc-helpdesk", role: "helpdesk" },
  auditor: { accountId: "acc-auditor", role: "auditor" },
} as const satisfies Record<string, Actor>;

export interface WorkflowFixture {
  readonly ctx: IamContext;
  readonly commands: CentralCommands;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly path: string;
  /** Approved companies A and B (IAM ids) with their state company ids. */
  readonly companyA: number;
  readonly companyB: number;
  readonly partnerA: Actor;
  readonly partnerB: Actor;
  /** Site ams01 (Amsterdam) with area "Apparatuurzaal" (no certificate) and "Meetkamer" (needs VCA). */
  readonly site: string;
  readonly area: number;
  readonly certArea: number;
  close(): void;
}

/**
 * A central store in a temporary file with two approved partner companies, a site with two
 * areas, and accounts for every role; the clock stands at WORKFLOW_NOW until moved.
 */
export async function workflowFixture(
  options: { path?: string; config?: Partial<IamConfig>; now?: number } = {},
): Promise<WorkflowFixture> {
  const path = options.path ?? tempDbPath();
  const clock = fixedClock(options.now ?? WORKFLOW_NOW);
  const store = openCentralStore(path, { clock });
  const commands = new CentralCommands(store);
  const db = openIamDb(store.db);
  const ctx = createIamContext({ db, commands, clock, config: options.config });
  const companies = new CompanyService({ db, clock, commands });
  const a = await companies.register(actors.admin, registration());
  await companies.approve(actors.manager, a.id);
  const b = await companies.register(
    actors.admin,
    registration({ customerName: "Glasweb", kvkName: "Glasweb B.V.", kvkNumber: "87654321" }),
  );
  await companies.approve(actors.manager, b.id);
  const partnerA: Actor = { accountId: "acc-partner-a", role: "partner-contact", companyId: a.id };
  const partnerB: Actor = { accountId: "acc-partner-b", role: "partner-contact", companyId: b.id };
  for (const actor of [...Object.values(actors), partnerA, partnerB] as Actor[]) {
    await db
      .insertInto("iam_account" as never)
      .values({
        id: actor.accountId,
        username: actor.accountId,
        role: actor.role,
        mobile: "+31611111111",
        email: `${actor.accountId}@example.nl`,
        company_id: actor.companyId ?? null,
        password_hash: null,
        password_changed_at: null,
        failed_logins: 0,
        locked_until: null,
        created_by: "test",
        created_at: clock.now(),
      } as never)
      .execute();
  }
  commands.createSite({ id: "ams01", name: "Amsterdam Centrale", fingerprintRequired: true });
  const { areaId: area } = commands.createArea({ siteId: "ams01", name: "Apparatuurzaal" });
  const { areaId: certArea } = commands.createArea({
    siteId: "ams01",
    name: "Meetkamer",
    requiredCertificates: ["VCA"],
  });
  return {
    ctx,
    commands,
    clock,
    path,
    companyA: a.id,
    companyB: b.id,
    partnerA,
    partnerB,
    site: "ams01",
    area,
    certArea,
    close: () => store.close(),
  };
}

/** Bearer tokens of the HTTP tests: the token is the account id of a fixture actor. */
export function tokenResolver(all: readonly Actor[]) {
  const byToken = new Map(all.map((a) => [a.accountId, a]));
  return async (authorization: string | undefined): Promise<Actor | undefined> => {
    const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
    return token === undefined ? undefined : byToken.get(token);
  };
}

/** A server over the fixture's store, listening on a free port; `register` adds routes. */
export async function workflowServer(
  f: WorkflowFixture,
  register: (app: ApiServer, built: BuiltServer["context"]) => void | Promise<void>,
): Promise<{ app: ApiServer; base: string; call: ApiCaller }> {
  const built = await buildServer({
    store: f.commands.store,
    log: pino({ level: "silent" }),
    now: f.clock.now,
    resolveActor: tokenResolver([...Object.values(actors), f.partnerA, f.partnerB]),
    registerRoutes: register,
  });
  await built.app.listen({ port: 0, host: "127.0.0.1" });
  const address = built.app.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const base = `http://127.0.0.1:${address.port}`;
  return { app: built.app, base, call: apiCaller(base) };
}

/**
 * The whole API (every route of the workflow, as `central serve` registers them) over the
 * fixture's store, on a free port; bearer tokens are the fixture actors' account ids.
 * `workflow.timers` fires timers (`runDue()`), `workflow.follow()` reads edge events.
 */
export async function fullWorkflowServer(
  f: WorkflowFixture,
  options: Partial<Pick<WorkflowOptions, "events" | "remoteOpener" | "config">> = {},
): Promise<{ app: ApiServer; base: string; call: ApiCaller; workflow: Workflow }> {
  const workflow = new Workflow({
    store: f.commands.store,
    clock: f.clock,
    config: options.config,
    events: options.events,
    remoteOpener: options.remoteOpener,
  });
  const server = await workflowServer(f, (app, context) =>
    registerWorkflowRoutes(app, context, workflow),
  );
  return { ...server, workflow };
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  readonly body: any;
}

export type ApiCaller = (
  method: string,
  path: string,
  options?: { as?: Actor; body?: unknown; headers?: Record<string, string> },
) => Promise<ApiResponse>;

/** fetch with a bearer token of `as` and a JSON body; the body parsed when there is one. */
export function apiCaller(base: string): ApiCaller {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as !== undefined) headers.authorization = `Bearer ${options.as.accountId}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === "" ? null : JSON.parse(text),
    };
  };
}

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
