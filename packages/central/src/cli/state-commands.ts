import { readFileSync } from "node:fs";
import type { SiteDelta } from "@acs/protocol";
import { deltaCounts } from "../compiler/deltas.js";
import { type Dataset, loadDataset } from "../state/dataset.js";
import { SCHEMA_VERSION } from "../state/migrations.js";
import { CARD_STATUS_VALUES } from "../state/schemas.js";
import {
  type Context,
  counts,
  idOf,
  instantOf,
  iso,
  need,
  type Out,
  thresholdOf,
  UsageError,
} from "./args.js";

/** The subcommands that change the store, each printing the site deltas it made. */

/** One line per delta: site, version and what it upserts and deletes. */
export function describeDelta(delta: SiteDelta): string {
  const c = deltaCounts(delta);
  const upserts = [c.sitePolicy ? "sitePolicy" : "", counts(c.upserts)].filter(
    (p) => p !== "" && p !== "-",
  );
  return `delta ${delta.site} v${delta.version}: upsert ${upserts.join(" ") || "-"}; delete ${counts(c.deletes)}`;
}

function printDeltas(deltas: readonly SiteDelta[], out: Out): void {
  if (deltas.length === 0) out("no site deltas (no site's state changed)");
  for (const d of deltas) out(describeDelta(d));
}

export function init({ store, out }: Context): number {
  out(`store ready, schema version ${SCHEMA_VERSION}, ${store.sites().length} site(s)`);
  return 0;
}

export function load({ store, args, out }: Context): number {
  const file = args[0];
  if (!file) throw new UsageError("load needs FILE.json");
  let dataset: Dataset;
  try {
    dataset = JSON.parse(readFileSync(file, "utf8")) as Dataset;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const result = loadDataset(store, dataset);
  out(`loaded ${counts(result.rows)} in ${result.ms} ms`);
  out(
    result.sitesMarked.length === 0
      ? "no site's state changed"
      : `no deltas; these sites get a snapshot next: ${result.sitesMarked.join(", ")}`,
  );
  return 0;
}

export function siteAdd({ commands, values, args, out }: Context): number {
  const id = args[0];
  if (!id) throw new UsageError("site add needs an ID");
  const threshold = thresholdOf(values.threshold);
  const result = commands.createSite({
    id,
    name: need(values.name, "name"),
    ...(values.timezone === undefined ? {} : { timezone: values.timezone }),
    fingerprintRequired: values.fingerprint === true,
    ...(threshold === undefined ? {} : { fingerprintThreshold: threshold }),
  });
  out(`site ${result.siteId} created`);
  printDeltas(result.deltas, out);
  return 0;
}

export function sitePolicy({ commands, values, args, out }: Context): number {
  const id = args[0];
  if (!id) throw new UsageError("site policy needs an ID");
  if (values.fingerprint && values["no-fingerprint"]) {
    throw new UsageError("--fingerprint or --no-fingerprint, not both");
  }
  const required = values.fingerprint ? true : values["no-fingerprint"] ? false : undefined;
  const threshold = thresholdOf(values.threshold);
  const result = commands.setSitePolicy({
    siteId: id,
    ...(required === undefined ? {} : { fingerprintRequired: required }),
    ...(threshold === undefined ? {} : { fingerprintThreshold: threshold }),
  });
  out(`site ${id} policy set`);
  printDeltas(result.deltas, out);
  return 0;
}

export function grant({ commands, values, out }: Context): number {
  const employmentId = idOf(values.employment, "employment");
  const areaId = idOf(values.area, "area");
  const result = commands.grant(employmentId, areaId, {
    validFrom: instantOf(values.from, "from") ?? null,
    validUntil: instantOf(values.until, "until") ?? null,
    scheduleId: values.schedule === undefined ? null : idOf(values.schedule, "schedule"),
  });
  out(`authorization ${result.authorizationId}: employment ${employmentId} -> area ${areaId}`);
  printDeltas(result.deltas, out);
  return 0;
}

export function revoke({ commands, values, out }: Context): number {
  const id = idOf(values.authorization, "authorization");
  const result = commands.revoke(id);
  out(`authorization ${id} revoked`);
  printDeltas(result.deltas, out);
  return 0;
}

export function endEmployment({ commands, values, out }: Context): number {
  const id = idOf(values.employment, "employment");
  const result = commands.endEmployment(id, instantOf(values.at, "at"));
  out(`employment ${id} ends at ${iso(result.end)}`);
  printDeltas(result.deltas, out);
  return 0;
}

export function cardStatus({ commands, values, out }: Context): number {
  const id = idOf(values.card, "card");
  const status = need(values.status, "status");
  if (!(CARD_STATUS_VALUES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${CARD_STATUS_VALUES.join(", ")}`);
  }
  const result = commands.setCardStatus(
    id,
    status as (typeof CARD_STATUS_VALUES)[number],
    values.reason,
  );
  out(`card ${id} is ${status}${values.reason ? ` (${values.reason})` : ""}`);
  printDeltas(result.deltas, out);
  return 0;
}
