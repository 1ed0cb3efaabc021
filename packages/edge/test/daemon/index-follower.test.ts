import pino from "pino";
import { describe, expect, it } from "vitest";
import { type AccessIndex, IndexHolder } from "../../src/access-index/access-index.js";
import { buildAccessIndex } from "../../src/access-index/build-index.js";
import { buildAccessIndexOffThread } from "../../src/access-index/build-index-parallel.js";
import { IndexFollower } from "../../src/daemon/index-follower.js";
import type { SiteDelta } from "../../src/state/model.js";
import { fakeClock, settle } from "../fake-clock.js";
import { NOW, open, SITE, sampleState, tempDbPath } from "../store/fixtures.js";

/** A new card: only a rebuilt index can place it. */
function newCard(version: number, id: number): SiteDelta {
  return {
    site: SITE,
    version,
    upsert: {
      cards: [
        {
          id,
          personId: 1,
          format: "H10301",
          facility: 18,
          number: 40_000 + id,
          rawBits: null,
          status: "active",
          statusReason: null,
          activatedAt: null,
          validFrom: null,
          validUntil: null,
        },
      ],
    },
    delete: {},
  };
}

describe("the index follower", () => {
  function setUp() {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(1), { expectedSite: SITE, now: NOW });
    const { clock, fake } = fakeClock();
    const holder = new IndexHolder(buildAccessIndex(store.db));
    const builds: number[] = [];
    const follower = new IndexFollower({
      holder,
      clock,
      log: pino({ level: "silent" }),
      settleMs: 100,
      build: async (): Promise<AccessIndex> => {
        builds.push(fake.now);
        return buildAccessIndex(store.db);
      },
    });
    let version = 1;
    const apply = (id: number) => {
      const delta = newCard(++version, id);
      store.applyDelta(delta, { expectedSite: SITE, now: NOW });
      follower.deltaApplied(delta);
    };
    return { store, fake, holder, builds, apply };
  }

  it("rebuilds at once after a quiet spell, so a single grant is not held back", async () => {
    const { fake, holder, builds, apply } = setUp();
    fake.tick(1000);
    apply(501);
    fake.tick(0);
    await settle();
    expect(builds).toEqual([1000]);
    expect(holder.current.version).toBe(2);
    expect(holder.current.cardIds.get(501)).toBeGreaterThanOrEqual(0);
  });

  it("lets a burst right after a rebuild settle into one more rebuild", async () => {
    const { fake, holder, builds, apply } = setUp();
    fake.tick(1000);
    apply(501);
    fake.tick(0);
    await settle();
    apply(502);
    apply(503);
    apply(504);
    fake.tick(99);
    await settle();
    expect(builds).toEqual([1000]);
    fake.tick(1);
    await settle();
    expect(builds).toEqual([1000, 1100]);
    expect(holder.current.version).toBe(5);
  });
});

describe("building off the daemon's thread", () => {
  it("reads the newest state at every build (the compiled daemon keeps one thread per store)", async () => {
    const path = tempDbPath();
    const store = open(path);
    store.applyFullState(sampleState(1), { expectedSite: SITE, now: NOW });
    const first = await buildAccessIndexOffThread(store.db, path);
    store.applyDelta(newCard(2, 601), { expectedSite: SITE, now: NOW });
    const second = await buildAccessIndexOffThread(store.db, path);
    expect(first.version).toBe(1);
    expect(second.version).toBe(2);
    expect(second.cardIds.get(601)).toBeGreaterThanOrEqual(0);
  });
});
