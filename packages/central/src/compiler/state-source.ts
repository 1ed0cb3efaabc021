import type { SiteDelta, SiteState } from "@acs/protocol";
import type { CentralStore } from "../state/store.js";
import { compileSnapshot } from "./site-state.js";

/**
 * What a publisher needs of central's state, over one store: whether a site exists, its
 * snapshot (compiled and recorded as published, see compileSnapshot), and the delta
 * outbox (committed deltas, oldest first; mark each once the broker has it).
 */
export function stateSource(store: CentralStore): {
  siteExists(site: string): boolean;
  siteVersion(site: string): number | undefined;
  siteIds(): string[];
  compileSnapshot(site: string): SiteState;
  pendingDeltas(limit: number): { site: string; version: number; delta: SiteDelta }[];
  markDeltaPublished(site: string, version: number): void;
  sitesNeedingSnapshot(): string[];
} {
  return {
    siteExists: (site) => store.site(site) !== undefined,
    siteVersion: (site) => store.site(site)?.version,
    siteIds: () => store.sites().map((s) => s.id),
    compileSnapshot: (site) => compileSnapshot(store, site),
    pendingDeltas: (limit) => store.pendingDeltas(limit),
    markDeltaPublished: (site, version) => {
      store.markDeltaPublished(site, version);
    },
    sitesNeedingSnapshot: () => store.sitesNeedingSnapshot(),
  };
}
