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
import { actors, WORKFLOW_NOW } from "./workflow-actors.js";

export { actors, DAY_MS, WORKFLOW_NOW } from "./workflow-actors.js";
// The seeds stay importable from here, where the tests have always found them.
export {
  seedActiveCard,
  seedAuthorization,
  seedCertificate,
  seedEmployment,
  seedEntry,
} from "./workflow-seeds.js";

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
