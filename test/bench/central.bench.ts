// `pnpm bench central`: the IAM workflow's HTTP API with BENCH_CENTRAL_PERSONS persons and
// BENCH_CENTRAL_EMPLOYMENTS employments loaded (100,000 and 150,000), served as `central
// serve` serves it (one process: the API, the workflow, the sync service), with a real
// Mosquitto and BENCH_CENTRAL_EDGES edges (SyncClients with stores and decision indexes, in
// a child process). The load comes from another child process, so the server keeps its core.
//  1. search       employee search (name prefix, employment number, card number, "%") p99
//  2. reads        GET /employments/{id} per second, 32 concurrent callers
//  3. submit100    POST /basket/submission of 100 ready items, p99
//  4. approve      from the approving HTTP call to the edge granting (a grant) or refusing
//                  (a revocation) the engineer's card at its door, p99
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildServer,
  CentralService,
  EventStore,
  openCentralStore,
  registerWorkflowRoutes,
  stateSource,
  Workflow,
} from "@acs/central";
import { generateSigningKeyPair, loadPrivateKey } from "@acs/protocol";
import pino from "pino";
import { Mosquitto } from "../support/mosquitto.js";
import { sharedNow } from "../support/shared-clock.js";
import { percentile, round } from "../support/stats.js";
import { EdgeFleet, type FleetEvent } from "../support/sync-edges.js";
import {
  benchTokens,
  type CentralPopulation,
  type PopulatedEmployment,
  populate,
} from "./central-data.js";
import type { LoadRequest, LoadResult } from "./http-load.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PERSONS = env("BENCH_CENTRAL_PERSONS", 100_000);
const EMPLOYMENTS = env("BENCH_CENTRAL_EMPLOYMENTS", 150_000);
const COMPANIES = env("BENCH_CENTRAL_COMPANIES", 300);
const EDGES = env("BENCH_CENTRAL_EDGES", 50);
const SEARCHES = env("BENCH_CENTRAL_SEARCHES", 1000);
const READ_SECONDS = env("BENCH_CENTRAL_READ_SECONDS", 10);
const SUBMITS = env("BENCH_CENTRAL_SUBMITS", 20);
const APPROVALS = env("BENCH_CENTRAL_APPROVALS", 40);
const WARMUP = 4;
const PARTS = new Set(
  (process.env.BENCH_CENTRAL_PARTS ?? "search,reads,submit,approve").split(","),
);

const TARGETS = {
  search_p99_ms: 20,
  reads_per_s: 2000,
  submit100_p99_ms: 200,
  approve_to_door_p99_ms: 300,
};

const benchStart = Date.now();
const progress = (message: string) =>
  process.stderr.write(`[central ${((Date.now() - benchStart) / 1000).toFixed(1)}s] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The load generator child (http-load.ts): one request at a time over IPC. */
class LoadProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadProcess> {
    const child = fork(fileURLToPath(new URL("./http-load.js", import.meta.url)), [], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise((resolve) => child.once("message", resolve));
    return new LoadProcess(child);
  }

  run<R extends LoadResult>(request: LoadRequest): Promise<R> {
    return new Promise((resolve, reject) => {
      this.child.once("message", (m: R | { error: string }) =>
        "error" in m ? reject(new Error(m.error)) : resolve(m),
      );
      this.child.send(request);
    });
  }

  stop(): void {
    this.child.kill();
  }
}

interface Api {
  call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; etag: string | null }>;
}

function apiAt(base: string): Api {
  let keys = 0;
  return {
    async call(method, path, token, body, headers = {}) {
      const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
      if (body !== undefined) h["content-type"] = "application/json";
      if (method === "POST" && h["idempotency-key"] === undefined)
        h["idempotency-key"] = `bench-${++keys}`;
      const response = await fetch(`${base}${path}`, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const parsed = text === "" ? null : JSON.parse(text);
      if (response.status >= 300)
        throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
      return { status: response.status, body: parsed, etag: response.headers.get("etag") };
    },
  };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-central-"));
  const broker = await Mosquitto.start();
  const store = openCentralStore(join(dir, "central.db"));
  const events = new EventStore(join(dir, "central.db.events"));
  let fleet: EdgeFleet | undefined;
  let load: LoadProcess | undefined;
  let service: CentralService | undefined;
  let workflow: Workflow | undefined;
  try {
    progress(
      `loading ${PERSONS} persons, ${EMPLOYMENTS} employments, ${COMPANIES} partners, ${EDGES} sites`,
    );
    const population = populate(store, {
      sites: EDGES,
      companies: COMPANIES,
      persons: PERSONS,
      employments: EMPLOYMENTS,
    });
    const [partnerA, partnerB] = population.companies as [number, number];
    const tokens = await benchTokens(store, [partnerA, partnerB]);
    const pair = generateSigningKeyPair("central-1");
    const log = pino({ level: "warn" });
    service = new CentralService({
      mqttUrl: broker.url,
      clientId: "central-bench",
      log,
      now: () => Date.now(),
      signingKey: { keyId: "central-1", privateKey: loadPrivateKey(pair.privateKeyPem) },
      state: stateSource(store),
      events,
    });
    const sync = service;
    workflow = new Workflow({ store, clock: { now: () => Date.now() }, log, events });
    workflow.ctx.onCommitted(() => sync.deltasCommitted());
    const flow = workflow;
    const { app } = await buildServer({
      store,
      log: pino({ level: "warn" }),
      now: () => Date.now(),
      resolveActor: flow.accounts.resolveActor,
      registerRoutes: (server, context) => registerWorkflowRoutes(server, context, flow),
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    await workflow.start();
    await service.start();
    load = await LoadProcess.start();
    const api = apiAt(base);

    const search = PARTS.has("search") ? await searchPart(load, base, tokens, population) : {};
    const reads = PARTS.has("reads") ? await readPart(load, base, tokens.manager, population) : {};
    const submit = PARTS.has("submit") ? await submitPart(api, tokens, population, partnerB) : {};
    fleet = await EdgeFleet.start();
    const approve = !PARTS.has("approve")
      ? {}
      : await approvePart(
          api,
          fleet,
          broker.url,
          pair.publicKeyPem,
          dir,
          tokens,
          population,
          partnerA,
        );
    await app.close();
    const result = {
      bench: "central",
      persons: PERSONS,
      employments: EMPLOYMENTS,
      ...search,
      ...reads,
      ...submit,
      edges: EDGES,
      ...approve,
      targets: TARGETS,
    };
    return result;
  } finally {
    load?.stop();
    await fleet?.stop();
    workflow?.stop();
    await service?.stop();
    events.close();
    store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Searches as the portal does them: a manager across partners, a partner in its own company. */
async function searchPart(
  load: LoadProcess,
  base: string,
  tokens: { manager: string; partners: Map<number, string> },
  population: CentralPopulation,
) {
  const { names, numbers, cards } = population.searchTerms;
  const [partner] = population.companies as [number];
  const paths: string[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const kind = i % 10;
    const term =
      kind < 5
        ? (names[i % names.length] as string)
        : kind < 7
          ? (numbers[i % numbers.length] as string)
          : kind < 9
            ? (cards[i % cards.length] as string)
            : "%";
    const company =
      i % 2 === 0 || term === "%"
        ? `&companyId=${population.companies[i % population.companies.length]}`
        : "";
    paths.push(`/reports/employees?q=${encodeURIComponent(term)}${company}&limit=50`);
  }
  const manager = tokens.manager;
  const own = tokens.partners.get(partner) as string;
  await load.run({ mode: "sequence", base, token: manager, paths: paths.slice(0, 100) });
  const staff = await load.run<Extract<LoadResult, { mode: "sequence" }>>({
    mode: "sequence",
    base,
    token: manager,
    paths,
  });
  const partnerPaths = paths.map((p) => p.replace(/&companyId=\d+/, ""));
  const partnerRun = await load.run<Extract<LoadResult, { mode: "sequence" }>>({
    mode: "sequence",
    base,
    token: own,
    paths: partnerPaths.slice(0, SEARCHES / 2),
  });
  const ms = [...staff.ms, ...partnerRun.ms];
  const result = {
    search_p50_ms: round(percentile(ms, 50), 2),
    search_p99_ms: round(percentile(ms, 99), 2),
    search_max_ms: round(Math.max(...ms), 2),
    searches: ms.length,
    search_errors: staff.errors + partnerRun.errors,
  };
  progress(`search: ${JSON.stringify(result)}`);
  return result;
}

async function readPart(
  load: LoadProcess,
  base: string,
  token: string,
  population: CentralPopulation,
) {
  const paths = Array.from(
    { length: 5000 },
    (_, i) => `/employments/${1 + ((i * 7919) % population.employments)}`,
  );
  await load.run({ mode: "load", base, token, paths, concurrency: 32, durationMs: 2000 });
  const measured = await load.run<Extract<LoadResult, { mode: "load" }>>({
    mode: "load",
    base,
    token,
    paths,
    concurrency: 32,
    durationMs: READ_SECONDS * 1000,
  });
  const result = {
    reads_per_s: Math.round(measured.count / measured.seconds),
    read_errors: measured.errors,
  };
  progress(`reads: ${JSON.stringify(result)}`);
  return result;
}

/** Employments of `company` not authorized at site `k`, held by persons with one employment. */
function candidates(
  population: CentralPopulation,
  company: number,
  k: number,
): PopulatedEmployment[] {
  // Employment ids above EMPLOYMENTS - PERSONS and up to PERSONS are their persons' only one.
  const first = EMPLOYMENTS - PERSONS;
  return (population.employmentsOf.get(company) ?? []).filter(
    (e) => e.siteIndex !== k && e.id > first && e.id <= PERSONS,
  );
}

/** A partner fills its basket with 100 engineers for one room and submits; the submit is timed. */
async function submitPart(
  api: Api,
  tokens: { partners: Map<number, string> },
  population: CentralPopulation,
  company: number,
) {
  const partner = tokens.partners.get(company) as string;
  const ms: number[] = [];
  for (let rep = 0; rep < WARMUP + SUBMITS; rep++) {
    const k = rep % population.sites.length;
    const site = population.sites[k] as CentralPopulation["sites"][number];
    const employmentIds = candidates(population, company, k)
      .slice(0, 100)
      .map((e) => e.id);
    if (employmentIds.length < 100) throw new Error(`too few employments for site ${site.id}`);
    const added = await api.call("POST", "/basket/items", partner, {
      employmentIds,
      entryId: site.entryId,
      action: "grant",
    });
    for (const item of added.body.items as { id: number }[]) {
      await api.call("PUT", `/request-items/${item.id}/motivation`, partner, {
        motivation: "Storingsdienst",
      });
    }
    const t0 = sharedNow();
    const submitted = await api.call("POST", "/basket/submission", partner, {});
    const took = sharedNow() - t0;
    if ((submitted.body.items as unknown[]).length !== 100)
      throw new Error("not 100 items submitted");
    if (rep >= WARMUP) ms.push(took);
  }
  const result = {
    submit100_p50_ms: round(percentile(ms, 50), 1),
    submit100_p99_ms: round(percentile(ms, 99), 1),
    submits: ms.length,
  };
  progress(`submit: ${JSON.stringify(result)}`);
  return result;
}

/**
 * Approvals whose effect is watched at the door: grants of a room to an engineer who is
 * not yet known at that site, and revocations of an engineer's own room, alternately.
 */
async function approvePart(
  api: Api,
  fleet: EdgeFleet,
  mqttUrl: string,
  publicKeyPem: string,
  dir: string,
  tokens: { manager: string; partners: Map<number, string> },
  population: CentralPopulation,
  company: number,
) {
  const partner = tokens.partners.get(company) as string;
  await fleet.request({
    op: "start",
    mqttUrl,
    keys: [{ keyId: "central-1", publicKeyPem }],
    edges: population.sites.map((s) => ({
      site: s.id,
      path: join(dir, "edges", `${s.id}.db`),
      areaId: s.areaId,
    })),
  });
  const deadline = Date.now() + 300_000;
  while (fleet.events.filter((e) => e.event === "ready").length < population.sites.length) {
    if (Date.now() > deadline) throw new Error("the edges did not all take their snapshots");
    await sleep(50);
  }
  progress(`approve: ${population.sites.length} edges hold their snapshots`);
  const reps = WARMUP + APPROVALS;
  const pool = candidates(population, company, -1);
  type Planned = {
    itemId: number;
    site: string;
    card: PopulatedEmployment["card"];
    until: "grant" | "deny";
  };
  const planned: Planned[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const engineer = pool[rep] as PopulatedEmployment;
    const grant = rep % 2 === 0;
    const k = grant
      ? (engineer.siteIndex + 1 + (rep % 7)) % population.sites.length
      : engineer.siteIndex;
    const site = population.sites[k] as CentralPopulation["sites"][number];
    const added = await api.call("POST", "/basket/items", partner, {
      employmentIds: [engineer.id],
      entryId: site.entryId,
      action: grant ? "grant" : "revoke",
    });
    const itemId = added.body.items[0].id as number;
    await api.call("PUT", `/request-items/${itemId}/motivation`, partner, {
      motivation: "Storingsdienst",
    });
    planned.push({ itemId, site: site.id, card: engineer.card, until: grant ? "grant" : "deny" });
  }
  await api.call("POST", "/basket/submission", partner, {});
  await sleep(1000);
  const samples: number[] = [];
  const http: number[] = [];
  const outcomes: Record<string, number> = {};
  for (const [rep, p] of planned.entries()) {
    const { etag } = await api.call("GET", `/request-items/${p.itemId}`, tokens.manager);
    const { initial } = await fleet.request<{ initial: Record<string, number> }>({
      op: "watch",
      watch: rep,
      facility: p.card.facility,
      card: p.card.number,
      sites: [p.site],
      until: p.until,
    });
    const before =
      p.until === "grant"
        ? (initial.grant ?? 0)
        : Object.keys(initial).filter((k) => k !== "grant").length;
    if (before > 0) throw new Error(`rep ${rep}: the door already says ${JSON.stringify(initial)}`);
    const done = fleet.waitFor<Extract<FleetEvent, { event: "watch-done" }>>(
      (e) => e.event === "watch-done" && e.watch === rep,
      30_000,
      `the door's answer to approval ${rep}`,
    );
    const t0 = sharedNow();
    await api.call(
      "POST",
      `/request-items/${p.itemId}/decision`,
      tokens.manager,
      { decision: "approve", comment: "akkoord" },
      { "if-match": etag ?? "" },
    );
    const answered = sharedNow();
    const { times } = await done;
    const at = times[0]?.at ?? Number.NaN;
    outcomes[times[0]?.reason ?? "?"] = (outcomes[times[0]?.reason ?? "?"] ?? 0) + 1;
    if (rep >= WARMUP) {
      samples.push(at - t0);
      http.push(answered - t0);
    }
    if (process.env.BENCH_CENTRAL_VERBOSE) {
      progress(
        `approval ${rep} (${p.until}): http ${round(answered - t0, 1)} ms, door ${round(at - t0, 1)} ms`,
      );
    }
    await sleep(100 + (rep % 5) * 20);
  }
  const result = {
    approve_to_door_p50_ms: round(percentile(samples, 50), 1),
    approve_to_door_p99_ms: round(percentile(samples, 99), 1),
    approve_to_door_max_ms: round(Math.max(...samples), 1),
    approve_http_p50_ms: round(percentile(http, 50), 1),
    approve_http_p99_ms: round(percentile(http, 99), 1),
    approvals: samples.length,
    approve_outcomes: outcomes,
  };
  progress(`approve: ${JSON.stringify(result)}`);
  return result;
}
