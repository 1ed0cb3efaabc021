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
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { registerEdgeKeys } from "../support/edge-keys.js";
import { Mosquitto } from "../support/mosquitto.js";
import { EdgeFleet } from "../support/sync-edges.js";
import { approvePart } from "./central-approve.js";
import { apiAt, LoadProcess } from "./central-clients.js";
import { benchTokens, populate } from "./central-data.js";
import { readPart, searchPart, submitPart } from "./central-parts.js";
import {
  COMPANIES,
  EDGES,
  EMPLOYMENTS,
  PARTS,
  PERSONS,
  progress,
  TARGETS,
} from "./central-settings.js";

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
    const edgeKeys = registerEdgeKeys(
      store,
      population.sites.map((s) => s.id),
    );
    service = new CentralService({
      mqttUrl: broker.url,
      clientId: "central-bench",
      log,
      now: () => Date.now(),
      signingKey: { keyId: "central-1", privateKey: loadPrivateKey(pair.privateKeyPem) },
      state: stateSource(store),
      events,
      edgeKeys: edgeKeys.cache,
      edgeKeyRegistry: edgeKeys.registry,
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
          edgeKeys.keys,
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
