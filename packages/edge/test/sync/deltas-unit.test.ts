import { encodeDelta, type SiteDelta, signEnvelope } from "@acs/protocol";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DeltaSequencer } from "../../src/sync/deltas.js";
import { signingKeys } from "./central.js";
import { cleanupDirs, siteState } from "./fixtures.js";
import { unitSetup } from "./unit-support.js";

const SITE = "unit";
const { key, trusted } = signingKeys();
afterEach(() => cleanupDirs());

function setup(options: { gapWaitMs?: number; maxHeld?: number } = {}) {
  const env = unitSetup();
  env.store.applyFullState(siteState(SITE, 5), { expectedSite: SITE, now: 0 });
  const requests: string[] = [];
  const applied: number[][] = [];
  let pending = false;
  const deltas = new DeltaSequencer({
    site: SITE,
    store: env.store,
    publicKeys: trusted,
    clock: env.clock,
    log: env.log,
    security: env.security,
    options,
    requestSnapshot: (reason) => {
      requests.push(reason);
      pending = true;
    },
    snapshotPending: () => pending,
    applied: (change) => applied.push(change.map((d) => d.version)),
  });
  const send = (version: number, extra: Partial<SiteDelta> = {}) =>
    deltas.onMessage(
      signEnvelope(
        "delta",
        encodeDelta({
          site: SITE,
          version,
          upsert: { persons: [{ id: 1, displayName: `v${version}` }] },
          delete: {},
          ...extra,
        }),
        key,
      ),
    );
  return { ...env, deltas, send, requests, applied };
}

describe("delta sequencer (unit)", () => {
  it("waits gapWaitMs for a missing version before asking for a snapshot", () => {
    const { send, fake, requests, applied, store, deltas } = setup({ gapWaitMs: 2000 });
    send(7);
    fake.tick(1999);
    expect(requests).toEqual([]);
    send(6);
    expect(applied).toEqual([[6], [7]]);
    expect(store.stateVersion()).toBe(7);
    fake.tick(5000);
    expect(requests).toEqual([]);
    send(9);
    fake.tick(2000);
    expect(requests).toEqual(["gap"]);
    expect(deltas.stats().heldVersions).toEqual([9]);
    store.close();
  });

  it("asks at once when more than maxHeld deltas wait behind a gap", () => {
    const { send, requests, store, deltas } = setup({ maxHeld: 3 });
    for (const v of [7, 8, 9]) send(v);
    expect(requests).toEqual([]);
    send(10);
    expect(requests).toEqual(["gap"]);
    expect(deltas.stats().heldVersions).toEqual([8, 9, 10]);
    store.close();
  });

  it("applies what the snapshot leaves after it, drops what it covers", () => {
    const { send, store, deltas, applied } = setup();
    for (const v of [8, 9, 10]) send(v);
    store.applyFullState(siteState(SITE, 8), { expectedSite: SITE, now: 0 });
    deltas.drain();
    expect(applied).toEqual([[9], [10]]);
    expect(store.stateVersion()).toBe(10);
    expect(deltas.stats()).toMatchObject({ held: 0, duplicates: 1 });
    store.close();
  });

  it("commits a partial change whole; an incomplete one is a gap after the wait", () => {
    const { send, store, applied, fake, requests } = setup({ gapWaitMs: 1000 });
    send(6, { partial: true });
    send(7, { partial: true });
    expect(store.stateVersion()).toBe(5);
    fake.tick(900);
    send(8);
    expect(applied).toEqual([[6, 7, 8]]);
    expect(store.stateVersion()).toBe(8);
    send(9, { partial: true });
    fake.tick(1000);
    expect(requests).toEqual(["gap"]);
    expect(store.stateVersion()).toBe(8);
    store.close();
  });

  it("refuses a delta the store cannot take and asks for a snapshot (bad-delta)", () => {
    const { send, store, requests, deltas } = setup();
    // The same id upserted and deleted in one delta: the store refuses it.
    send(6, { delete: { persons: [1] } });
    expect(store.stateVersion()).toBe(5);
    expect(requests).toEqual(["bad-delta"]);
    expect(deltas.stats().refused).toBe(1);
    const refused = store.events({ limit: 10 }).filter((e) => e.type === "sync-refused");
    expect(refused[0]?.payload).toMatchObject({ message: "delta", reason: "INVALID_STATE" });
    store.close();
  });

  it("keeps a delta the store cannot take (disk full) and applies it later, asking no snapshot", () => {
    const { send, store, fake, requests, applied, deltas } = setup({ gapWaitMs: 2000 });
    const apply = vi.spyOn(store, "applyDelta").mockImplementation(() => {
      throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
    });
    send(6);
    send(7);
    fake.tick(10_000);
    expect(requests).toEqual([]);
    expect(deltas.stats().held).toBe(2);
    apply.mockRestore();
    fake.tick(2000);
    expect(applied).toEqual([[6], [7]]);
    expect(store.stateVersion()).toBe(7);
    expect(requests).toEqual([]);
    store.close();
  });
});
