import { describe, expect, it } from "vitest";
import {
  CentralError,
  compileSiteState,
  compileSnapshotDetailed,
  type Dataset,
  loadDataset,
  publishedCounts,
} from "../src/index.js";
import { idsOf, openTestStore } from "./support/fixture.js";
import { syntheticDataset } from "./support/synthetic.js";

const small: Dataset = {
  sites: [
    { id: "ams-bsl", name: "Amsterdam BSL", fingerprintRequired: true, fingerprintThreshold: 70 },
    { id: "rtd-whv", name: "Rotterdam Waalhaven" },
  ],
  companies: [{ id: 77, name: "Partner 77" }],
  persons: [
    { id: 1001, displayName: "J. de Vries" },
    { id: 1002, displayName: "A. Bakker" },
  ],
  employments: [
    { id: 2001, personId: 1001, companyId: 77, start: "2024-01-01T00:00:00+01:00" },
    { id: 2002, personId: 1002, companyId: 77, start: 1_700_000_000_000, end: null },
  ],
  cards: [
    {
      id: 5001,
      personId: 1001,
      format: "H10301",
      facility: 18,
      number: 12345,
      status: "active",
      activatedAt: "2025-03-03T09:30:00+01:00",
    },
    {
      id: 5002,
      personId: 1002,
      format: "H10302",
      number: 12_345_678_901,
      status: "lost",
      statusReason: "lost",
    },
  ],
  holidayCalendars: [{ id: 701, siteId: "ams-bsl", name: "NL 2026", dates: ["2026-01-01"] }],
  schedules: [
    {
      id: 601,
      siteId: "ams-bsl",
      name: "Night shift",
      windows: [{ days: [1, 2, 3, 4, 5], from: "22:00", until: "06:00" }],
      holidayCalendarId: 701,
      holidayWindows: [{ from: "23:00", until: "04:00" }],
    },
  ],
  areas: [
    { id: 301, siteId: "ams-bsl", name: "Exchange building" },
    { id: 302, siteId: "ams-bsl", name: "Cable room", requiredCertificates: ["KVD"] },
    { id: 303, siteId: "rtd-whv", name: "Exchange building" },
  ],
  authorizations: [
    { id: 4001, employmentId: 2001, areaId: 301 },
    {
      id: 4002,
      employmentId: 2001,
      areaId: 302,
      scheduleId: 601,
      validUntil: "2027-01-01T00:00:00+01:00",
    },
  ],
  certificates: [{ id: 801, personId: 1001, type: "KVD", validFrom: "2025-01-15T00:00:00+01:00" }],
  doorPolicies: [{ siteId: "ams-bsl", doorId: "main-entrance", mode: "card-and-fingerprint" }],
};

function refusal(fn: () => unknown): { code: string; field: string | null } {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof CentralError)) throw error;
    return { code: error.code, field: error.field };
  }
  throw new Error("expected a refusal");
}

describe("loadDataset", () => {
  it("loads plain JSON with its ids, makes no deltas and marks the sites for a snapshot", () => {
    const { store } = openTestStore();
    const result = loadDataset(store, small);
    expect(result.rows).toMatchObject({ sites: 2, persons: 2, cards: 2, authorizations: 2 });
    expect(result.sitesMarked).toEqual(["ams-bsl", "rtd-whv"]);
    expect(store.pendingDeltaCount()).toBe(0);
    expect(store.site("ams-bsl")).toMatchObject({ version: 0, needsSnapshot: true });

    const state = compileSiteState(store, "ams-bsl");
    expect(state.sitePolicy).toEqual({ fingerprintRequired: true, fingerprintThreshold: 70 });
    expect(idsOf(state, "persons")).toEqual([1001]);
    expect(state.cards).toEqual([
      {
        id: 5001,
        personId: 1001,
        format: "H10301",
        facility: 18,
        number: 12345,
        rawBits: null,
        status: "active",
        statusReason: null,
        activatedAt: Date.parse("2025-03-03T09:30:00+01:00"),
        validFrom: null,
        validUntil: null,
      },
    ]);
    expect(state.schedules[0]?.holidayWindows).toEqual([
      { days: [], from: "23:00", until: "04:00" },
    ]);
    expect(idsOf(compileSiteState(store, "rtd-whv"), "persons")).toEqual([]);
  });

  it("the first snapshot after a load gets a new version and records what was sent", () => {
    const { store, cmd } = openTestStore();
    loadDataset(store, small);
    // While the site waits for its snapshot, commands make no deltas for it.
    expect(cmd.setCardStatus(5001, "stolen").deltas).toEqual([]);
    const first = compileSnapshotDetailed(store, "ams-bsl");
    expect(first).toMatchObject({ newVersion: true, recorded: 12, parallel: false });
    expect(first.state.version).toBe(1);
    expect(first.state.cards[0]?.status).toBe("stolen");
    expect(store.site("ams-bsl")).toMatchObject({ version: 1, needsSnapshot: false });
    expect(publishedCounts(store, "ams-bsl")).toEqual({
      sitePolicy: 1,
      doorPolicies: 1,
      areas: 2,
      schedules: 1,
      holidayCalendars: 1,
      authorizations: 2,
      employments: 1,
      persons: 1,
      cards: 1,
      certificates: 1,
    });
    const again = compileSnapshotDetailed(store, "ams-bsl");
    expect(again).toMatchObject({ newVersion: false, recorded: 0 });
    expect(again.state).toEqual(first.state);
    // From now on the site gets deltas, holding only what changed.
    const { deltas } = cmd.setCardStatus(5001, "active");
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ site: "ams-bsl", version: 2, delete: {} });
    expect(Object.keys(deltas[0]?.upsert ?? {})).toEqual(["cards"]);
  });

  it("refuses a bad dataset as a whole, naming the record", () => {
    const cases: [Dataset, string, string][] = [
      [
        { ...small, cards: [{ ...small.cards?.[0], colour: "red" } as never] },
        "INVALID",
        "cards[0].colour",
      ],
      [
        { ...small, cards: [{ ...small.cards?.[0], personId: 9 } as never] },
        "NOT_FOUND",
        "cards[0].personId",
      ],
      [
        { ...small, cards: [{ ...small.cards?.[0], status: "misplaced" } as never] },
        "INVALID",
        "cards[0].status",
      ],
      [
        { ...small, cards: [{ ...small.cards?.[0], number: null } as never] },
        "INVALID",
        "cards[0].number",
      ],
      [
        { ...small, employments: [{ ...small.employments?.[0], start: "2024-01-01" } as never] },
        "INVALID",
        "employments[0].start",
      ],
      [
        { ...small, persons: [small.persons?.[0], small.persons?.[0]] as never },
        "CONFLICT",
        "persons[1].id",
      ],
      [
        { ...small, authorizations: [{ id: 1, employmentId: 2001, areaId: 303, scheduleId: 601 }] },
        "INVALID",
        "authorizations[0].scheduleId",
      ],
      [
        { ...small, areas: [{ id: 1, siteId: "nowhere", name: "X" }] },
        "NOT_FOUND",
        "areas[0].siteId",
      ],
      [{ ...small, sites: [{ id: "Bad Id", name: "X" }] }, "INVALID", "sites[0].id"],
      [{ ...small, widgets: [] } as never, "INVALID", "widgets"],
    ];
    for (const [dataset, code, field] of cases) {
      const { store } = openTestStore();
      expect(refusal(() => loadDataset(store, dataset))).toEqual({ code, field });
      expect(store.sites()).toEqual([]);
      expect(store.db.prepare("SELECT count(*) FROM person").pluck().get()).toBe(0);
    }
  });

  it("refuses ids already stored and duplicate credentials", () => {
    const { store } = openTestStore();
    loadDataset(store, small);
    expect(
      refusal(() => loadDataset(store, { persons: [{ id: 1001, displayName: "X" }] })),
    ).toEqual({
      code: "CONFLICT",
      field: "persons[0].id",
    });
    expect(
      refusal(() =>
        loadDataset(store, {
          cards: [
            {
              id: 9,
              personId: 1001,
              format: "H10301",
              facility: 18,
              number: 12345,
              status: "active",
            },
          ],
        }),
      ),
    ).toEqual({ code: "CONFLICT", field: "cards[0]" });
  });

  it("a load into a store with data marks the sites of stored persons it gives cards", () => {
    const { store, cmd } = openTestStore();
    loadDataset(store, small);
    compileSnapshotDetailed(store, "ams-bsl");
    compileSnapshotDetailed(store, "rtd-whv");
    const result = loadDataset(store, {
      cards: [
        { id: 9, personId: 1001, format: "H10301", facility: 18, number: 999, status: "inactive" },
      ],
    });
    expect(result.sitesMarked).toEqual(["ams-bsl"]);
    expect(cmd.createArea({ siteId: "rtd-whv", name: "Roof" }).deltas).toHaveLength(1);
  });

  it("a synthetic dataset splits over its sites", () => {
    const { store } = openTestStore();
    loadDataset(
      store,
      syntheticDataset({
        sites: 3,
        areasPerSite: 4,
        companies: 10,
        persons: 300,
        employments: 400,
        cards: 600,
        authorizations: 1200,
        certificates: 50,
      }),
    );
    let cards = 0;
    for (const site of ["site-1", "site-2", "site-3"]) {
      const state = compileSnapshotDetailed(store, site).state;
      expect(state.authorizations).toHaveLength(400);
      cards += state.cards.length;
    }
    expect(cards).toBeGreaterThanOrEqual(600);
  });
});
