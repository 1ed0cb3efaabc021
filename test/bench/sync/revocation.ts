// 3. revocation: central commit -> refusal at the door on many edges.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Mosquitto } from "../../support/mosquitto.js";
import { sharedNow } from "../../support/shared-clock.js";
import { percentile, round } from "../../support/stats.js";
import { EdgeFleet, type FleetEvent } from "../../support/sync-edges.js";
import { cardFields, sizesFor, syncDataset } from "../sync-data.js";
import { Central } from "./central.js";
import { EDGE_NODE_ARGS, env, progress, sleep, tempDir, until } from "./support.js";

const EDGES = env("BENCH_SYNC_EDGES", 50);
const EDGE_CARDS = env("BENCH_SYNC_EDGE_CARDS", 2500);
const REVOCATIONS = env("BENCH_SYNC_REVOCATIONS", 40);
const WARMUP = env("BENCH_SYNC_WARMUP", 4);

export async function revocationPart(broker: Mosquitto) {
  const dir = tempDir("revocation");
  const sites = Array.from({ length: EDGES }, (_, i) => ({
    id: `rev-${String(i + 1).padStart(2, "0")}`,
    sizes: sizesFor(EDGE_CARDS, 4),
  }));
  const reps = WARMUP + REVOCATIONS;
  progress(
    `revocation: ${EDGES} sites of ${EDGE_CARDS} cards, ${reps} roaming persons at all of them`,
  );
  const central = new Central(dir, "revocation", () => syncDataset(sites, reps));
  const fleet = await EdgeFleet.start(EDGE_NODE_ARGS);
  try {
    await central.start(broker.url);
    await fleet.request({
      op: "start",
      mqttUrl: broker.url,
      keys: central.keys,
      edges: central.layout.sites.map((s) => ({
        site: s.id,
        path: join(dir, "edges", `${s.id}.db`),
        areaId: s.openAreaId,
        key: central.edgeKey(s.id),
      })),
    });
    await until(
      () => fleet.events.filter((e) => e.event === "ready").length >= EDGES,
      300_000,
      "every edge's snapshot",
      50,
    );
    progress(`revocation: ${EDGES} edges hold their snapshots`);
    await sleep(1000);
    const samples: number[] = [];
    const commitMs: number[] = [];
    const perRevocationMax: number[] = [];
    const perRevocationMin: number[] = [];
    const reasons: Record<string, number> = {};
    const via: Record<string, number> = {};
    const anomalies: string[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const person = central.layout.roaming[rep] as (typeof central.layout.roaming)[number];
      const fields = cardFields(person.cardId);
      const { initial } = await fleet.request<{ initial: Record<string, number> }>({
        op: "watch",
        watch: rep,
        facility: fields.facility,
        card: fields.card,
      });
      if (initial.grant !== EDGES) anomalies.push(`rep ${rep}: before: ${JSON.stringify(initial)}`);
      const done = fleet.waitFor<Extract<FleetEvent, { event: "watch-done" }>>(
        (e) => e.event === "watch-done" && e.watch === rep,
        30_000,
        `the refusals of revocation ${rep}`,
      );
      const started = sharedNow();
      if (rep % 2 === 0) central.commands.endEmployment(person.employmentId);
      else central.commands.setCardStatus(person.cardId, "lost");
      const committed = sharedNow();
      central.service?.deltasCommitted();
      const { times } = await done;
      if (rep < WARMUP) continue;
      commitMs.push(committed - started);
      let max = 0;
      for (const t of times) {
        samples.push(t.at - committed);
        max = Math.max(max, t.at - committed);
        reasons[t.reason] = (reasons[t.reason] ?? 0) + 1;
        via[t.via] = (via[t.via] ?? 0) + 1;
      }
      perRevocationMax.push(max);
      perRevocationMin.push(Math.min(...times.map((t) => t.at - committed)));
      await sleep(150 + (rep % 7) * 20);
    }
    const result = {
      edges: EDGES,
      revocation_p50_ms: round(percentile(samples, 50), 1),
      revocation_p99_ms: round(percentile(samples, 99), 1),
      revocation_max_ms: round(Math.max(...samples), 1),
      revocation_min_ms: round(Math.min(...samples), 1),
      revocation_samples: samples.length,
      revocations: REVOCATIONS,
      // The 50 edges share one process here: the first refused is what one edge on its own
      // device would see, the last waited for the 49 others.
      revocation_first_edge_p50_ms: round(percentile(perRevocationMin, 50), 1),
      revocation_last_edge_p50_ms: round(percentile(perRevocationMax, 50), 1),
      revocation_central_commit_p50_ms: round(percentile(commitMs, 50), 2),
      revocation_reasons: reasons,
      revocation_refused_via: via,
      revocation_edge_cards: EDGE_CARDS,
      ...(anomalies.length > 0 ? { revocation_anomalies: anomalies.slice(0, 5) } : {}),
    };
    progress(`revocation: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await fleet.stop();
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
