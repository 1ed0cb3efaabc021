import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type * as ParallelRead from "../src/compiler/parallel-read.js";
import type * as Central from "../src/index.js";
import { normalized, tempDbPath } from "./support/fixture.js";
import { syntheticDataset } from "./support/synthetic.js";

// The reader's worker thread runs compiled JavaScript, so this exercises the build in dist/
// (`tsc -b` before the tests, as `pnpm test` does); from the sources alone it is skipped.
const dist = (path: string): string => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const built = existsSync(dist("src/compiler/read-worker.js"));

async function load<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(dist(path)).href)) as T;
}

describe.skipIf(!built)("reading a site on a second core", () => {
  it("gives the same rows as reading it on this thread", async () => {
    const central = await load<typeof Central>("src/index.js");
    const { readSiteInWorker } = await load<typeof ParallelRead>("src/compiler/parallel-read.js");
    const path = tempDbPath();
    const store = central.openCentralStore(path, { parallelCompile: false });
    try {
      central.loadDataset(
        store,
        syntheticDataset({
          sites: 2,
          areasPerSite: 3,
          companies: 5,
          persons: 500,
          employments: 700,
          cards: 1200,
          authorizations: 2000,
          certificates: 100,
        }),
      );
      const here = central.compileSiteState(store, "site-1");
      const rows = new Map<string, unknown[][]>();
      const info = readSiteInWorker(path, "site-1", (kind, chunk) => {
        rows.set(kind, [...(rows.get(kind) ?? []), ...chunk]);
      });
      expect(info).toEqual({ version: 0, needsSnapshot: true });
      expect(rows.get("cards")?.length).toBe(here.cards.length);
      expect(rows.get("authorizations")?.length).toBe(here.authorizations.length);
      expect(rows.get("persons")?.length).toBe(here.persons.length);
      expect(readSiteInWorker(path, "nowhere", () => undefined)).toBeNull();
      // A reader that fails says so (it does not leave this thread waiting).
      expect(() => readSiteInWorker(`${path}-missing/x.db`, "site-1", () => undefined)).toThrow(
        /the site reader failed/,
      );
    } finally {
      store.close();
    }
  });

  it("compiles a large site the same either way, also its first snapshot", async () => {
    const central = await load<typeof Central>("src/index.js");
    const path = tempDbPath();
    const single = central.openCentralStore(path, { parallelCompile: false });
    const parallel = central.openCentralStore(path);
    try {
      central.loadDataset(
        single,
        syntheticDataset({
          sites: 1,
          areasPerSite: 5,
          companies: 20,
          persons: 40_000,
          employments: 50_000,
          cards: 100_000,
          authorizations: 110_000,
          certificates: 5_000,
        }),
      );
      const expected = normalized(central.compileSiteState(single, "site-1"));
      expect(normalized(central.compileSiteState(parallel, "site-1"))).toEqual(expected);
      const first = central.compileSnapshotDetailed(parallel, "site-1");
      expect(first).toMatchObject({ newVersion: true, recorded: 305_008, parallel: true });
      expect(normalized(first.state)).toEqual({ ...expected, version: 1 });
      // What it recorded is what this thread would have: the next change is a minimal delta.
      const cmd = new central.CentralCommands(single);
      const { deltas } = cmd.setCardStatus(1, "lost");
      expect(deltas).toHaveLength(1);
      expect(Object.keys(deltas[0]?.upsert ?? {})).toEqual(["cards"]);
      expect(deltas[0]?.version).toBe(2);
    } finally {
      parallel.close();
      single.close();
    }
  }, 60_000);
});
