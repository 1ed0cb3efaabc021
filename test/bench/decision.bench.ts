import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildAccessIndexParallel,
  type DoorContext,
  decide,
  openStore,
  ZoneClock,
} from "@acs/edge";
import { encode, H10301 } from "@acs/wiegand";
import { AccessdProcess } from "../support/edge-processes.js";
import { openPtyPair } from "../support/pty-pair.js";
import { type SimLine, SimProcess } from "../support/sim-process.js";
import { percentile, round } from "../support/stats.js";
import {
  areaOfAuthorization,
  authorizedAreaOf,
  cardFields,
  personOfCard,
  SITE,
  SIZES,
  writeBenchState,
} from "./decision-data.js";

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 1_000_000);
const READS = Number(process.env.BENCH_READS ?? 400);
const HID = { pulseUs: 50, intervalUs: 2000 };

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Decision latency in this process, over random cards at doors of random areas. */
async function inProcess(dbPath: string, now: number) {
  const store = openStore(dbPath);
  const started = process.hrtime.bigint();
  const index = await buildAccessIndexParallel(store.db, dbPath);
  const buildS = Number(process.hrtime.bigint() - started) / 1e9;
  store.close();
  const zone = new ZoneClock("Europe/Amsterdam");
  const doors: DoorContext[] = Array.from({ length: SIZES.areas + 1 }, (_, area) => ({
    id: `door-${area}`,
    areaId: area,
    direction: "entry",
    mode: "card",
    fingerprint: false,
  }));
  let seed = 42;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed % n) + 1;
  };
  const requests = Array.from({ length: 100_000 }, (_, i) => {
    const id = random(SIZES.cards);
    const area = i % 2 === 0 ? authorizedAreaOf(personOfCard(id)) : random(SIZES.areas);
    const fields = cardFields(id);
    return {
      door: doors[area] as DoorContext,
      credential: {
        kind: "card" as const,
        card: { format: "H10301", bitLength: 26, bits: encode(H10301, fields), fields },
      },
    };
  });
  const at = { ms: now, local: zone.local(now) };
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 200_000; i++) decide(requests[i % requests.length]!, index, at);
  const samples = new Float64Array(DECISIONS);
  for (let i = 0; i < DECISIONS; i++) {
    const request = requests[i % requests.length]!;
    const t0 = process.hrtime.bigint();
    const decision = decide(request, index, at);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    const key = decision.outcome === "deny" ? decision.reason : decision.outcome;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  const sorted = Array.from(samples);
  return {
    buildS,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    outcomes: Object.fromEntries(outcomes),
    indexRssMb: process.memoryUsage().rss / 1024 / 1024,
  };
}

/** Cards that pass every rule at a door of `area`, at any hour (no schedule, no certificate). */
function grantedCards(area: number, count: number): number[] {
  const cards: number[] = [];
  for (let id = 1; id <= SIZES.cards && cards.length < count; id++) {
    const p = personOfCard(id);
    const ok =
      id % 10 < 7 &&
      p % 50 !== 0 &&
      p % 7 !== 0 &&
      p % 5 !== 0 &&
      areaOfAuthorization(p) === area &&
      id <= p + 0;
    if (ok) cards.push(id);
  }
  return cards;
}

/** Card to relay through real processes: firmware-sim on a pty, accessd on the big store. */
async function cardToRelay(dir: string, dbPath: string) {
  const area = 3;
  const cards = grantedCards(area, READS);
  // Deployed as in the field: accessd's main thread real-time (its service unit), the board
  // and the wire not starved by our own background threads (see test/support/realtime.ts).
  const pty = await openPtyPair({ realtime: true });
  const sim = await SimProcess.start(["bridge", "--device", pty.device], { realtime: true });
  const config = join(dir, "site.json");
  writeFileSync(
    config,
    JSON.stringify({
      site: SITE,
      store: { path: dbPath },
      log: { level: "warn" },
      buses: [
        {
          id: "bridge-1",
          kind: "bridge",
          device: pty.edge,
          readers: [{ id: "r1", port: 0, formats: ["H10301"] }],
        },
      ],
      doors: [
        {
          id: "d1",
          name: "Bench door",
          areaId: area,
          entryReader: "r1",
          lock: { bus: "bridge-1", number: 0 },
          strikeMs: 100,
        },
      ],
    }),
  );
  const started = Date.now();
  const accessd = new AccessdProcess(config, { realtime: true });
  try {
    await sim.waitFor((e) => e.event === "session", 120_000);
    const startupS = (Date.now() - started) / 1000;
    const latencies: number[] = [];
    const wire: number[] = [];
    const warmUp = 20;
    for (let i = 0; i < cards.length + warmUp; i++) {
      const from = sim.events.length;
      const card = cards[i % cards.length]!;
      const played = await sim.request("present", {
        port: 0,
        format: "H10301",
        fields: cardFields(card),
        timing: HID,
      });
      const on = await sim.waitFor(
        (e: SimLine) => e.event === "relay" && e.on === true && sim.events.indexOf(e) >= from,
        3000,
      );
      if (i >= warmUp) {
        latencies.push(((on.atUs as number) - (played.lastPulseUs as number)) / 1000);
        wire.push(((played.lastPulseUs as number) - (played.firstPulseUs as number)) / 1000);
      }
      await new Promise((r) => setTimeout(r, 120 + (i % 7)));
    }
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      wireMs: percentile(wire, 50),
      rssMb: accessd.pid ? rssOf(accessd.pid) : Number.NaN,
      startupS,
    };
  } finally {
    await accessd.stop();
    await sim.kill();
    await pty.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-decision-"));
  const dbPath = join(dir, "edge.db");
  try {
    const now = Date.now();
    const store = openStore(dbPath);
    const writeStarted = Date.now();
    writeBenchState(store, now);
    const writeS = (Date.now() - writeStarted) / 1000;
    store.close();
    // Let the kernel write the new database out now, not in the middle of the measurements.
    execFileSync("sync");
    const local = await inProcess(dbPath, now);
    const relay = await cardToRelay(dir, dbPath);
    return {
      bench: "decision",
      cards: SIZES.cards,
      persons: SIZES.persons,
      employments: SIZES.employments,
      authorizations: SIZES.authorizations,
      decide_p50_us: round(local.p50, 2),
      decide_p99_us: round(local.p99, 2),
      decide_p999_us: round(local.p999, 2),
      index_build_s: round(local.buildS, 2),
      rss_mb: Math.round(relay.rssMb),
      card_to_relay_p50_ms: round(relay.p50),
      card_to_relay_p99_ms: round(relay.p99),
      wire_ms: round(relay.wireMs, 1),
      accessd_startup_s: round(relay.startupS, 1),
      state_write_s: round(writeS, 1),
      decision_mix: local.outcomes,
      targets: { decide_p99_us: 50, index_build_s: 5, rss_mb: 1024, card_to_relay_p99_ms: 3 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
