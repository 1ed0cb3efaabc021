import { describe, expect, it } from "vitest";
import type { SiteDelta } from "../../src/state/model.js";
import {
  InvalidStateError,
  SiteMismatchError,
  VersionNotNextError,
} from "../../src/store/index.js";
import { NOW, open, SITE, sampleState, snapshot, tempDbPath } from "./fixtures.js";

const opts = { expectedSite: SITE, now: NOW };

function delta(version: number, parts: Partial<SiteDelta> = {}): SiteDelta {
  return { site: SITE, version, upsert: {}, delete: {}, ...parts };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

function storeAt(version: number) {
  const store = open(tempDbPath());
  store.applyFullState(sampleState(version), opts);
  return store;
}

describe("deltas", () => {
  it("applies deltas in order, each moving the version by one", () => {
    const store = storeAt(10);
    store.applyDelta(delta(11, { upsert: { persons: [{ id: 3, displayName: "K. Jansen" }] } }), {
      ...opts,
      now: NOW + 1,
    });
    store.applyDelta(
      delta(12, { upsert: { persons: [{ id: 3, displayName: "K. Jansen-Smit" }] } }),
      {
        ...opts,
        now: NOW + 2,
      },
    );
    expect(store.stateVersion()).toBe(12);
    expect(store.stateAppliedAt()).toBe(NOW + 2);
    expect(store.state.getPerson(3)).toEqual({ id: 3, displayName: "K. Jansen-Smit" });
  });

  it("refuses a gap or a repeat, naming expected and got, and changes nothing", () => {
    const store = storeAt(10);
    const before = snapshot(store);
    for (const version of [12, 10, 9]) {
      const error = caught(() =>
        store.applyDelta(delta(version, { delete: { persons: [1] } }), opts),
      );
      expect(error).toBeInstanceOf(VersionNotNextError);
      expect(error).toMatchObject({ code: "VERSION_NOT_NEXT", expected: 11, got: version });
      expect((error as Error).message).toContain("expected version 11");
    }
    expect(snapshot(store)).toEqual(before);
  });

  it("refuses any delta on an empty store", () => {
    const store = open(tempDbPath());
    expect(caught(() => store.applyDelta(delta(1), opts))).toMatchObject({
      code: "VERSION_NOT_NEXT",
      expected: null,
      got: 1,
    });
    expect(store.stateVersion()).toBeNull();
  });

  it("refuses another site's delta, and a delta onto another site's state", () => {
    const store = storeAt(10);
    const before = snapshot(store);
    const error = caught(() => store.applyDelta({ ...delta(11), site: "rtd-wh" }, opts));
    expect(error).toBeInstanceOf(SiteMismatchError);
    expect(error).toMatchObject({ code: "SITE_MISMATCH", expected: SITE, got: "rtd-wh" });
    const other = caught(() =>
      store.applyDelta({ ...delta(11), site: "rtd-wh" }, { expectedSite: "rtd-wh", now: NOW }),
    );
    expect(other).toMatchObject({ code: "SITE_MISMATCH", expected: "rtd-wh", got: SITE });
    expect(snapshot(store)).toEqual(before);
  });

  it("upserts and deletes by key and counts what changed", () => {
    const store = storeAt(10);
    const result = store.applyDelta(
      delta(11, {
        upsert: {
          cards: [
            {
              ...sampleState().cards[0]!,
              status: "stolen",
              statusReason: "reported stolen",
            },
            {
              id: 13,
              personId: 1,
              format: "H10301",
              facility: 18,
              number: 777,
              rawBits: null,
              status: "not-activated",
              statusReason: null,
              activatedAt: null,
              validFrom: null,
              validUntil: null,
            },
          ],
          doorPolicies: [{ doorId: "main", mode: "lockdown", unlockScheduleId: null }],
          areas: [{ id: 30, name: "Exchange hall", requiredCertificates: ["TTG"] }],
        },
        delete: {
          authorizations: [41, 999],
          doorPolicies: ["dock"],
          holidayCalendars: [70],
        },
      }),
      opts,
    );
    expect(result).toMatchObject({ version: 11, upserted: 4, deleted: 3, sitePolicy: false });
    expect(result.byKind.cards).toEqual({ upserted: 2, deleted: 0 });
    expect(result.byKind.authorizations).toEqual({ upserted: 0, deleted: 1 });
    expect(store.state.getCard(10)).toMatchObject({
      status: "stolen",
      statusReason: "reported stolen",
    });
    expect(store.state.getCard(13)).toMatchObject({ number: 777, status: "not-activated" });
    expect(store.state.getCardByCredential("H10301", 18, 777)?.id).toBe(13);
    expect(store.state.authorizationsOfEmployment(20).map((a) => a.id)).toEqual([40]);
    expect(store.state.doorPolicies()).toEqual([
      { doorId: "main", mode: "lockdown", unlockScheduleId: null },
    ]);
    expect(store.state.getArea(30)).toEqual({
      id: 30,
      name: "Exchange hall",
      requiredCertificates: ["TTG"],
    });
    expect(store.state.getHolidayCalendar(70)).toBeUndefined();
  });

  it("replaces the site policy when the delta carries one", () => {
    const store = storeAt(10);
    const result = store.applyDelta(
      delta(11, { sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 75 } }),
      opts,
    );
    expect(result.sitePolicy).toBe(true);
    expect(store.state.sitePolicy()).toEqual({
      fingerprintRequired: true,
      fingerprintThreshold: 75,
    });
    store.applyDelta(delta(12), opts);
    expect(store.state.sitePolicy()).toEqual({
      fingerprintRequired: true,
      fingerprintThreshold: 75,
    });
  });

  it("refuses a key both upserted and deleted, or a record it cannot store", () => {
    const store = storeAt(10);
    const before = snapshot(store);
    const both = caught(() =>
      store.applyDelta(
        delta(11, {
          upsert: { persons: [{ id: 5, displayName: "A" }] },
          delete: { persons: [1, 5] },
        }),
        opts,
      ),
    );
    expect(both).toBeInstanceOf(InvalidStateError);
    expect(both).toMatchObject({ code: "INVALID_STATE", path: "delete.persons[1]" });
    const bad = caught(() =>
      store.applyDelta(
        delta(11, {
          upsert: {
            persons: [
              { id: 6, displayName: "B" },
              { id: 7, displayName: null as unknown as string },
            ],
          },
          delete: { cards: [10] },
        }),
        opts,
      ),
    );
    expect(bad).toMatchObject({ code: "INVALID_STATE", path: "upsert.persons[1]" });
    expect(snapshot(store)).toEqual(before);
  });
});
