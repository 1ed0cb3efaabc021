import { closeSync, openSync, writeSync } from "node:fs";
import type { SiteState } from "@acs/protocol";
import { compileSnapshotDetailed, publishedCounts, siteCounts } from "../compiler/site-state.js";
import { CentralError } from "../errors.js";
import { RECORD_KINDS } from "../state/records.js";
import { type Context, counts, idOf, iso, need, UsageError } from "./args.js";
import { describeDelta } from "./state-commands.js";

/** The subcommands that show the store: a site, its pending deltas, its snapshot. */

export function showSite({ store, args, out }: Context): number {
  const id = args[0];
  if (!id) throw new UsageError("show site needs an ID");
  const site = store.site(id);
  if (site === undefined) throw new CentralError("NOT_FOUND", "site", `no site with id "${id}"`);
  out(`site            ${site.id} (${site.name}), ${site.timezone}`);
  out(
    `policy          fingerprint ${site.policy.fingerprintRequired ? "required" : "not required"}, threshold ${site.policy.fingerprintThreshold}`,
  );
  out(
    `version         ${site.version}${site.needsSnapshot ? " (needs a snapshot: bulk-loaded)" : ""}`,
  );
  out(`pending deltas  ${store.pendingDeltaCount(site.id)}`);
  out(`in force        ${counts(siteCounts(store, site.id))}`);
  out(`published       ${counts(publishedCounts(store, site.id))}`);
  return 0;
}

export function deltas({ store, values, out }: Context): number {
  const site = need(values.site, "site");
  if (store.site(site) === undefined) {
    throw new CentralError("NOT_FOUND", "site", `no site with id "${site}"`);
  }
  const limit = values.limit === undefined ? 1000 : idOf(values.limit, "limit");
  const pending = store.pendingDeltas(limit, site);
  if (pending.length === 0) out(`no pending deltas for ${site}`);
  for (const p of pending) {
    out(
      values.json
        ? JSON.stringify(p.delta)
        : `${describeDelta(p.delta)} (created ${iso(p.createdAt)})`,
    );
  }
  return 0;
}

export function snapshot({ store, values, out }: Context): number {
  const site = need(values.site, "site");
  const result = compileSnapshotDetailed(store, site);
  if (!values.out) {
    out(JSON.stringify(result.state));
    return 0;
  }
  writeStateFile(values.out, result.state);
  const c = Object.fromEntries(RECORD_KINDS.map((k) => [k, result.state[k].length]));
  out(
    `snapshot ${site} v${result.state.version}: ${counts(c)}${
      result.newVersion ? ` (new version; ${result.recorded} records recorded as sent)` : ""
    }`,
  );
  return 0;
}

/**
 * Writes a state as JSON (the edge's state file format, docs/state-file.md), a batch of
 * records at a time: a large site's state is longer than the longest string V8 can make.
 */
export function writeStateFile(path: string, state: SiteState): void {
  const fd = openSync(path, "w");
  try {
    const { site, version, sitePolicy } = state;
    writeSync(fd, JSON.stringify({ site, version, sitePolicy }).slice(0, -1));
    for (const kind of RECORD_KINDS) {
      const records: readonly unknown[] = state[kind];
      writeSync(fd, `,${JSON.stringify(kind)}:[`);
      for (let i = 0; i < records.length; i += 10_000) {
        const batch = JSON.stringify(records.slice(i, i + 10_000)).slice(1, -1);
        writeSync(fd, i === 0 ? batch : `,${batch}`);
      }
      writeSync(fd, "]");
    }
    writeSync(fd, "}\n");
  } finally {
    closeSync(fd);
  }
}
