import { join } from "node:path";
import type { EdgeKey } from "../support/edge-keys.js";
import { percentile, round } from "../support/stats.js";
import type { EdgeFleet, FleetEvent } from "../support/sync-edges.js";
import type { Api } from "./central-clients.js";
import type { CentralPopulation, PopulatedEmployment } from "./central-data.js";
import { candidates } from "./central-parts.js";
import { APPROVALS, progress, now as sharedNow, sleep, WARMUP } from "./central-settings.js";

/**
 * Approvals whose effect is watched at the door: grants of a room to an engineer who is
 * not yet known at that site, and revocations of an engineer's own room, alternately.
 */
export async function approvePart(
  api: Api,
  fleet: EdgeFleet,
  mqttUrl: string,
  publicKeyPem: string,
  edgeKeys: ReadonlyMap<string, EdgeKey>,
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
      key: edgeKeys.get(s.id) as EdgeKey,
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
