import { describe, expect, it } from "vitest";
import type { Card, SiteState } from "../../src/state/model.js";
import {
  InvalidStateError,
  SiteMismatchError,
  type Store,
  StoreError,
  VersionNotNewerError,
} from "../../src/store/index.js";
import { NOW, open, SITE, sampleState, snapshot, tempDbPath } from "./fixtures.js";

const opts = { expectedSite: SITE, now: NOW };

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

function secondaryIndexes(store: Store): string[] {
  return store.db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1")
    .pluck()
    .all() as string[];
}

function manyCards(n: number): Card[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 1000 + i,
    personId: 1,
    format: "H10301",
    facility: 1,
    number: i,
    rawBits: null,
    status: "active",
    statusReason: null,
    activatedAt: null,
    validFrom: null,
    validUntil: null,
  }));
}

describe("full state", () => {
  it("applies a state and reads every record back as the model", () => {
    const store = open(tempDbPath());
    const state = sampleState(5);
    const result = store.applyFullState(state, opts);
    expect(result).toMatchObject({ site: SITE, version: 5, totalRows: 18 });
    expect(result.rows).toMatchObject({ cards: 3, authorizations: 3, doorPolicies: 2 });
    expect(store.stateVersion()).toBe(5);
    expect(store.site()).toBe(SITE);
    expect(store.stateAppliedAt()).toBe(NOW);

    const [active, lost, raw] = state.cards;
    expect(store.state.getCard(10)).toEqual(active);
    expect(store.state.getCardByCredential("H10301", 18, 12345)).toEqual(active);
    expect(store.state.getCardByCredential("H10302", null, 987654)).toEqual(lost);
    expect(store.state.getCardByCredential("H10301", 18, 99999)).toBeUndefined();
    expect(store.state.getCardByRawBits("1011001110001111")).toEqual(raw);
    expect(store.state.getCard(999)).toBeUndefined();
    expect(store.state.getPerson(2)).toEqual({ id: 2, displayName: "A. Bakker" });
    expect(store.state.employmentsOfPerson(2)).toEqual(state.employments.slice(1));
    expect(store.state.authorizationsOfEmployment(20)).toEqual(state.authorizations.slice(0, 2));
    expect(store.state.certificatesOfPerson(1)).toEqual(state.certificates);
    expect(store.state.certificatesOfPerson(2)).toEqual([]);
    expect(store.state.getArea(31)).toEqual(state.areas[1]);
    expect(store.state.getSchedule(60)).toEqual(state.schedules[0]);
    expect(store.state.getHolidayCalendar(70)).toEqual(state.holidayCalendars[0]);
    expect(store.state.sitePolicy()).toEqual(state.sitePolicy);
    expect(store.state.doorPolicies()).toEqual([...state.doorPolicies].reverse()); // by door id
  });

  it("replaces everything central owns, dropping records the new state lacks", () => {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(1), opts);
    const next: SiteState = {
      ...sampleState(2),
      persons: [{ id: 3, displayName: "K. Jansen" }],
      cards: [],
      sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 70 },
    };
    store.applyFullState(next, opts);
    expect(store.state.getPerson(1)).toBeUndefined();
    expect(store.state.getPerson(3)).toEqual({ id: 3, displayName: "K. Jansen" });
    expect(store.state.getCard(10)).toBeUndefined();
    expect(store.state.sitePolicy()).toEqual({
      fingerprintRequired: true,
      fingerprintThreshold: 70,
    });
    expect(store.stateVersion()).toBe(2);
  });

  it("accepts any version >= 1 in an empty store", () => {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(9000), opts);
    expect(store.stateVersion()).toBe(9000);
  });

  it("refuses an older or equal version, keeping the stored state", () => {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(5), opts);
    const before = snapshot(store);
    for (const version of [5, 4]) {
      const error = caught(() =>
        store.applyFullState({ ...sampleState(version), persons: [] }, opts),
      );
      expect(error).toBeInstanceOf(VersionNotNewerError);
      expect(error).toMatchObject({ code: "VERSION_NOT_NEWER", current: 5, got: version });
    }
    expect(snapshot(store)).toEqual(before);
  });

  it("refuses another site's state, keeping the stored state", () => {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(5), opts);
    const before = snapshot(store);
    const error = caught(() => store.applyFullState(sampleState(6, "rtd-wh"), opts));
    expect(error).toBeInstanceOf(SiteMismatchError);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "SITE_MISMATCH", expected: SITE, got: "rtd-wh" });
    expect(snapshot(store)).toEqual(before);
  });

  it("replaces a store that held another site's state, whatever its version", () => {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(50, "rtd-wh"), { expectedSite: "rtd-wh", now: NOW });
    store.applyFullState(sampleState(3), opts);
    expect(store.site()).toBe(SITE);
    expect(store.stateVersion()).toBe(3);
  });

  it("refuses an invalid state, naming the record, and changes nothing", () => {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(1), opts);
    const before = snapshot(store);
    const base = sampleState(2);
    const duplicate = caught(() =>
      store.applyFullState(
        { ...base, persons: [...base.persons, { id: 1, displayName: "X" }] },
        opts,
      ),
    );
    expect(duplicate).toBeInstanceOf(InvalidStateError);
    expect(duplicate).toMatchObject({ code: "INVALID_STATE", path: "persons[2]" });

    // In the middle of a bulk batch of 64: still the exact record.
    const cards = manyCards(200);
    cards[130] = { ...(cards[130] as Card), id: 1005 };
    const inBatch = caught(() => store.applyFullState({ ...base, cards }, opts));
    expect(inBatch).toMatchObject({ code: "INVALID_STATE", path: "cards[130]" });

    const noName = caught(() =>
      store.applyFullState(
        { ...base, persons: [{ id: 9 } as unknown as SiteState["persons"][number]] },
        opts,
      ),
    );
    expect(noName).toMatchObject({ code: "INVALID_STATE", path: "persons[0]" });

    for (const version of [0, 1.5, Number.NaN]) {
      expect(caught(() => store.applyFullState({ ...base, version }, opts))).toMatchObject({
        code: "INVALID_STATE",
        path: "version",
      });
    }
    const missing = caught(() =>
      store.applyFullState({ ...base, certificates: undefined } as unknown as SiteState, opts),
    );
    expect(missing).toMatchObject({ code: "INVALID_STATE", path: "certificates" });
    expect(snapshot(store)).toEqual(before);
  });

  it("rebuilds the secondary indexes, with either bulk strategy", () => {
    const store = open(tempDbPath());
    const indexes = secondaryIndexes(store);
    const state = { ...sampleState(1), cards: manyCards(1000) };
    store.applyFullState(state, { ...opts, rebuildIndexes: true });
    expect(secondaryIndexes(store)).toEqual(indexes);
    const withDrop = snapshot(store);
    store.applyFullState({ ...state, version: 2 }, { ...opts, rebuildIndexes: false });
    expect(secondaryIndexes(store)).toEqual(indexes);
    const withoutDrop = snapshot(store);
    expect(withoutDrop.card).toEqual(withDrop.card);
    expect(store.db.pragma("integrity_check", { simple: true })).toBe("ok");
  });

  it("keeps enrollments and the outbox", () => {
    const store = open(tempDbPath());
    store.applyFullState(sampleState(1), opts);
    const enrollment = {
      personId: 1,
      cardId: 10,
      enrolledAt: NOW,
      sealedTemplate: new Uint8Array([1, 2, 3]),
    };
    store.saveEnrollment(enrollment);
    const seq = store.appendEvent({
      at: NOW,
      type: "card-read",
      doorId: "main",
      payload: { a: 1 },
    });
    store.applyFullState({ ...sampleState(2), persons: [], cards: [] }, opts);
    expect(store.enrollment(1, 10)).toEqual(enrollment);
    expect(store.events()).toMatchObject([{ seq, type: "card-read" }]);
  });
});
