import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildAccessIndex,
  buildAccessIndexOffThread,
  buildAccessIndexParallel,
  openStore,
} from "@acs/edge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBenchState } from "../bench/decision-data.js";

const SIZES = {
  persons: 8000,
  employments: 10_000,
  cards: 20_000,
  authorizations: 50_000,
  areas: 200,
};

describe("the decision index built on two threads", () => {
  let dir: string;
  let path: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acs-index-"));
    path = join(dir, "edge.db");
    const store = openStore(path);
    writeBenchState(store, Date.now(), SIZES);
    store.close();
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("equals the one built on one thread, array for array, also when built off the thread", async () => {
    const store = openStore(path);
    try {
      const single = buildAccessIndex(store.db);
      const parallel = await buildAccessIndexParallel(store.db, path);
      const offThread = await buildAccessIndexOffThread(store.db, path);
      expect(parallel.authorizationId.length).toBe(SIZES.authorizations);
      expect(offThread.cardIds.get(17)).toBe(single.cardIds.get(17));
      expect(offThread.credentials.get(1, 0, 17)).toBe(single.credentials.get(1, 0, 17));
      expect(offThread.schedules.length).toBe(single.schedules.length);
      for (const key of [
        "cardId",
        "cardPerson",
        "cardStatus",
        "employmentAuthorizationStart",
        "authorizationId",
        "authorizationArea",
        "authorizationFrom",
        "authorizationUntil",
        "authorizationSchedule",
      ] as const) {
        expect(Buffer.from(parallel[key].buffer).equals(Buffer.from(single[key].buffer)), key).toBe(
          true,
        );
      }
      expect(parallel.version).toBe(single.version);
    } finally {
      store.close();
    }
  }, 120_000);
});
