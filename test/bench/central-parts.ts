import { percentile, round } from "../support/stats.js";
import type { Api, LoadProcess } from "./central-clients.js";
import type { CentralPopulation, PopulatedEmployment } from "./central-data.js";
import {
  EMPLOYMENTS,
  PERSONS,
  progress,
  READ_SECONDS,
  SEARCHES,
  SUBMITS,
  now as sharedNow,
  WARMUP,
} from "./central-settings.js";
import type { LoadResult } from "./http-load.js";

// The parts of `pnpm bench central` measured through the HTTP API alone.

/** Searches as the portal does them: a manager across partners, a partner in its own company. */
export async function searchPart(
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

export async function readPart(
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
export function candidates(
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
export async function submitPart(
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
