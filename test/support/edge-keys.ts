import { type CentralStore, EdgeKeyCache, EdgeKeyRegistry } from "@acs/central";
import { generateSigningKeyPair } from "@acs/protocol";

/** An edge's own key, as the fleet's sync clients sign with it. */
export interface EdgeKey {
  readonly keyId: string;
  readonly privateKeyPem: string;
}

/**
 * A key pair for each site, registered at central (in its store, as `central edge
 * register` does), and the cache a CentralService verifies edges' messages with.
 */
export function registerEdgeKeys(
  store: CentralStore,
  sites: readonly string[],
): { keys: Map<string, EdgeKey>; cache: EdgeKeyCache; registry: EdgeKeyRegistry } {
  const registry = new EdgeKeyRegistry(store.db, () => Date.now());
  const keys = new Map<string, EdgeKey>();
  for (const site of sites) {
    const pair = generateSigningKeyPair("edge");
    const info = registry.register(site, pair.publicKeyPem, { by: "bench" });
    keys.set(site, { keyId: info.keyId, privateKeyPem: pair.privateKeyPem });
  }
  return { keys, cache: new EdgeKeyCache(registry, () => Date.now()), registry };
}
