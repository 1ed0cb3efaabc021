// A child process running one or more edges as accessd runs its sync: per edge a Store, a
// SyncClient, an IndexHolder and an IndexFollower (deltas enforced at once through the
// overlay, rebuilds off the thread). Driven by its parent over IPC (see sync-edges.ts).
// Times it reports are sharedNow(): wall-clock ms with sub-ms resolution, comparable
// between the processes of one machine.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  type AccessIndex,
  buildAccessIndexOffThread,
  Checkpointer,
  type DecisionRequest,
  decide,
  IndexFollower,
  IndexHolder,
  openStore,
  type StateChange,
  type Store,
  SyncClient,
  systemClock,
  ZoneClock,
} from "@acs/edge";
import { loadPrivateKey, publicKeys } from "@acs/protocol";
import { encode, H10301 } from "@acs/wiegand";
import pino from "pino";
import { sharedNow } from "./shared-clock.js";
import type { EdgeSpec, FleetEvent, FleetRequest, WatchTimes } from "./sync-edges.js";

const log = pino({ level: process.env.BENCH_EDGE_LOG ?? "warn" }, pino.destination(2));
const zone = new ZoneClock("Europe/Amsterdam");

interface AppliedDelta {
  readonly version: number;
  readonly at: number;
  readonly changes: number;
}

interface Edge {
  readonly spec: EdgeSpec;
  readonly store: Store;
  readonly holder: IndexHolder;
  readonly follower: IndexFollower;
  readonly client: SyncClient;
  readonly checkpointer: Checkpointer | undefined;
  readonly deltas: AppliedDelta[];
  startedAt: number;
  snapshotAt: number | null;
  readyAt: number | null;
  drainedAt: number | null;
}

interface Watch {
  readonly id: number;
  readonly requests: Map<Edge, DecisionRequest>;
  readonly refused: Map<Edge, { at: number; reason: string; via: string }>;
  readonly timer: NodeJS.Timeout;
  /** What ends the watch at an edge: the first refusal (default) or the first grant. */
  readonly until: "deny" | "grant";
}

const edges: Edge[] = [];
let watch: Watch | undefined;

function send(message: FleetEvent): void {
  process.send?.(message);
}

function changesOf(change: StateChange): number {
  if (change.kind !== "delta") return 0;
  const d = change.delta;
  let n = d.sitePolicy ? 1 : 0;
  for (const list of Object.values(d.upsert)) n += (list as unknown[] | undefined)?.length ?? 0;
  for (const list of Object.values(d.delete)) n += (list as unknown[] | undefined)?.length ?? 0;
  return n;
}

/** The decision at `edge`'s door for the watched card; records the first refusal (or grant). */
function check(edge: Edge, via: string): void {
  const w = watch;
  if (!w || w.refused.has(edge)) return;
  const request = w.requests.get(edge);
  if (!request) return;
  const ms = Date.now();
  const decision = decide(request, edge.holder.current, { ms, local: zone.local(ms) });
  if (w.until === "deny" ? decision.outcome !== "deny" : decision.outcome === "deny") return;
  const reason = decision.outcome === "deny" ? decision.reason : decision.outcome;
  w.refused.set(edge, { at: sharedNow(), reason, via });
  if (w.refused.size === w.requests.size) finishWatch(w);
}

function finishWatch(w: Watch): void {
  clearInterval(w.timer);
  if (watch === w) watch = undefined;
  const times: WatchTimes = [...w.refused].map(([edge, r]) => ({
    site: edge.spec.site,
    at: r.at,
    reason: r.reason,
    via: r.via,
  }));
  send({ event: "watch-done", watch: w.id, times });
}

async function startEdge(
  spec: EdgeSpec,
  request: Extract<FleetRequest, { op: "start" }>,
): Promise<Edge> {
  mkdirSync(dirname(spec.path), { recursive: true });
  const store = openStore(spec.path);
  if (request.outboxEvents && request.outboxEvents > 0) {
    const started = sharedNow();
    fillOutbox(store, request.outboxEvents);
    send({
      event: "outbox-filled",
      site: spec.site,
      events: store.outboxDepth(),
      ms: sharedNow() - started,
    });
  }
  let checkpointer: Checkpointer | undefined;
  if (request.checkpointer) {
    // As accessd does: no checkpoint inside a commit, a worker thread keeps the WAL short.
    store.db.pragma("wal_autocheckpoint = 0");
    checkpointer = new Checkpointer(spec.path, log);
    checkpointer.start(2000);
  }
  // Timed, for the parts of a snapshot: the one-transaction apply of a full state.
  const applyFullState = store.applyFullState.bind(store);
  store.applyFullState = (state, options) => {
    const startedAt = sharedNow();
    const result = applyFullState(state, options);
    send({
      event: "full-state-applied",
      site: spec.site,
      startedAt,
      endedAt: sharedNow(),
      rows: result.totalRows,
    });
    return result;
  };
  const build = async (): Promise<AccessIndex> => buildAccessIndexOffThread(store.db, spec.path);
  const holder = new IndexHolder(await build());
  const edge: Edge = {
    spec,
    store,
    holder,
    checkpointer,
    deltas: [],
    startedAt: 0,
    snapshotAt: null,
    readyAt: null,
    drainedAt: null,
    follower: undefined as unknown as IndexFollower,
    client: undefined as unknown as SyncClient,
  };
  const follower = new IndexFollower({
    holder,
    build,
    clock: systemClock,
    log,
    swapped: (index) => {
      if (edge.readyAt === null && index.version >= 1) {
        edge.readyAt = sharedNow();
        send({ event: "ready", site: spec.site, version: index.version, at: edge.readyAt });
      }
      check(edge, "rebuild");
    },
  });
  const client = new SyncClient({
    site: spec.site,
    mqttUrl: request.mqttUrl,
    clientId: `edge-${spec.site}`,
    store,
    publicKeys: publicKeys(request.keys),
    signingKey: { keyId: spec.key.keyId, privateKey: loadPrivateKey(spec.key.privateKeyPem) },
    clock: systemClock,
    log,
    status: { heartbeatMs: 30_000 },
    ...(request.uplink ? { uplink: request.uplink } : {}),
    ...(request.snapshotRetryMs ? { snapshot: { retryMs: request.snapshotRetryMs } } : {}),
    hooks: {
      stateApplied: (change) => {
        if (change.kind === "delta") follower.deltaApplied(change.delta);
        else follower.snapshotApplied();
        const at = sharedNow();
        if (change.kind === "delta") {
          edge.deltas.push({ version: change.delta.version, at, changes: changesOf(change) });
        } else edge.snapshotAt = at;
        check(edge, "overlay");
      },
      executeCommand: async () => ({ outcome: "refused", reason: "UNSUPPORTED" }),
      readers: () => [],
    },
  });
  Object.assign(edge, { follower, client });
  return edge;
}

/** Typical accessd events, a card read and its decision (~150 bytes of payload each). */
function fillOutbox(store: Store, count: number): void {
  const at = Date.now();
  for (let from = 0; from < count; from += 10_000) {
    store.appendEvents(
      Array.from({ length: Math.min(10_000, count - from) }, (_, k) => ({
        at: at + from + k,
        type: k % 2 === 0 ? "card-read" : "decision",
        doorId: "dock-2",
        readerId: "osdp-1:3",
        payload: {
          format: "H10301",
          facility: 18,
          number: 10_000 + ((from + k) % 5000),
          result: "grant",
          reason: null,
          cardId: 100_000 + ((from + k) % 5000),
          personId: (from + k) % 5000,
          ms: 3.2,
        },
      })),
    );
  }
}

function cardRequest(edge: Edge, facility: number, card: number): DecisionRequest {
  const fields = { facility, card };
  return {
    door: {
      id: "main",
      areaId: edge.spec.areaId,
      direction: "entry",
      mode: "card",
      fingerprint: false,
    },
    credential: {
      kind: "card",
      card: { format: "H10301", bitLength: 26, bits: encode(H10301, fields), fields },
    },
  };
}

function deltaSummary(edge: Edge, from = 0) {
  const d = edge.deltas.slice(from);
  return {
    site: edge.spec.site,
    deltas: edge.deltas.length,
    changes: edge.deltas.reduce((sum, x) => sum + x.changes, 0),
    firstAt: d[0]?.at ?? null,
    lastAt: d[d.length - 1]?.at ?? null,
    lastVersion: d[d.length - 1]?.version ?? edge.store.stateVersion(),
  };
}

let drainTimer: NodeJS.Timeout | undefined;

async function handle(request: FleetRequest): Promise<unknown> {
  switch (request.op) {
    case "start": {
      zone.preload(Date.now() - 86_400_000, Date.now() + 7 * 86_400_000);
      for (const spec of request.edges) edges.push(await startEdge(spec, request));
      for (const edge of edges) {
        edge.startedAt = sharedNow();
        edge.client.start();
      }
      if (request.outboxEvents) {
        drainTimer = setInterval(() => {
          for (const edge of edges) {
            if (edge.drainedAt !== null) continue;
            if (edge.client.stats().uplink.outboxDepth === 0 && edge.store.outboxDepth() === 0) {
              edge.drainedAt = sharedNow();
              send({
                event: "drained",
                site: edge.spec.site,
                at: edge.drainedAt,
                startedAt: edge.startedAt,
                uplink: { ...edge.client.stats().uplink },
              });
            }
          }
        }, 5);
      }
      return { startedAt: edges.map((e) => e.startedAt) };
    }
    case "watch": {
      if (watch) finishWatch(watch);
      const requests = new Map<Edge, DecisionRequest>();
      const initial: Record<string, number> = {};
      const ms = Date.now();
      const watched = request.sites
        ? edges.filter((e) => request.sites?.includes(e.spec.site))
        : edges;
      for (const edge of watched) {
        const r = cardRequest(edge, request.facility, request.card);
        requests.set(edge, r);
        const d = decide(r, edge.holder.current, { ms, local: zone.local(ms) });
        const key = d.outcome === "deny" ? d.reason : d.outcome;
        initial[key] = (initial[key] ?? 0) + 1;
      }
      const w: Watch = {
        id: request.watch,
        requests,
        refused: new Map(),
        until: request.until ?? "deny",
        // Besides the check right after each applied change: a poll, should a refusal
        // come any other way (a rebuilt index).
        timer: setInterval(() => {
          for (const edge of requests.keys()) check(edge, "poll");
        }, 2),
      };
      watch = w;
      return { initial };
    }
    case "stream": {
      // Events recorded as a busy accessd records them, while the uplink sends: chunks of
      // `chunk` appended one after the other (the uplink told of each), then drained.
      const edge = edges[0] as Edge;
      const deletedBefore = edge.client.stats().uplink.eventsDeleted;
      const startedAt = sharedNow();
      for (let from = 0; from < request.events; from += request.chunk) {
        fillOutbox(edge.store, Math.min(request.chunk, request.events - from));
        edge.client.notifyEvents();
        await new Promise((r) => setImmediate(r));
      }
      const appendedAt = sharedNow();
      for (;;) {
        const uplink = edge.client.stats().uplink;
        if (uplink.outboxDepth === 0 && uplink.eventsDeleted - deletedBefore >= request.events)
          break;
        await new Promise((r) => setTimeout(r, 2));
      }
      return { startedAt, appendedAt, drainedAt: sharedNow() };
    }
    case "deltas":
      return { edges: edges.map((e) => deltaSummary(e, request.from ?? 0)) };
    case "stats":
      return {
        edges: edges.map((e) => ({
          site: e.spec.site,
          version: e.holder.current.version,
          overlay: e.holder.current.overlay?.size ?? 0,
          follower: e.follower.stats,
          sync: e.client.stats(),
        })),
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
      };
    case "stop": {
      if (drainTimer) clearInterval(drainTimer);
      if (watch) clearInterval(watch.timer);
      for (const edge of edges) {
        edge.follower.stop();
        await edge.client.stop(1000);
        await edge.checkpointer?.stop();
        edge.store.close();
      }
      return {};
    }
  }
}

process.on("message", (message: FleetRequest) => {
  handle(message).then(
    (result) => send({ event: "reply", id: message.id, result }),
    (err: Error) => send({ event: "reply", id: message.id, error: err.stack ?? err.message }),
  );
});
process.on("disconnect", () => process.exit(0));
send({ event: "hello", pid: process.pid });
