import { describe, expect, it } from "vitest";
import type { Authorization, Card, Employment, Person } from "../../src/state/model.js";
import { NOW, open, SITE, sampleState, tempDbPath } from "./fixtures.js";

const CARDS = 200_000;
const AUTHORIZATIONS = 500_000;
const PERSONS = 80_000;
const EMPLOYMENTS = 100_000;

function bulkState(version: number) {
  const persons: Person[] = Array.from({ length: PERSONS }, (_, i) => ({
    id: i + 1,
    displayName: `P. Person ${i}`,
  }));
  const cards: Card[] = Array.from({ length: CARDS }, (_, i) => ({
    id: i + 1,
    personId: ((i * 7919) % PERSONS) + 1,
    format: "H10301",
    facility: i % 256,
    number: i % 65_536,
    rawBits: null,
    status: i % 3 === 0 ? "active" : "replaced",
    statusReason: null,
    activatedAt: 1_700_000_000_000,
    validFrom: null,
    validUntil: 1_900_000_000_000,
  }));
  const employments: Employment[] = Array.from({ length: EMPLOYMENTS }, (_, i) => ({
    id: i + 1,
    personId: ((i * 104_729) % PERSONS) + 1,
    companyId: (i % 300) + 1,
    start: 1_600_000_000_000,
    end: null,
  }));
  const authorizations: Authorization[] = Array.from({ length: AUTHORIZATIONS }, (_, i) => ({
    id: i + 1,
    employmentId: ((i * 15_485_863) % EMPLOYMENTS) + 1,
    areaId: (i % 2) + 30,
    validFrom: null,
    validUntil: 1_900_000_000_000,
    scheduleId: i % 4 === 0 ? 60 : null,
  }));
  return { ...sampleState(version), persons, cards, employments, authorizations };
}

// Not a timing assertion: it prints the rate so a regression shows in the test log.
// The full-size measurement (8.9 M rows) is in docs/state-file.md ("Store notes").
describe("full apply throughput", () => {
  it("logs how long 200,000 cards + 500,000 authorizations take", () => {
    const store = open(tempDbPath());
    const state = bulkState(1);
    for (const rebuildIndexes of [true, false]) {
      const version = (store.stateVersion() ?? 0) + 1;
      const result = store.applyFullState(
        { ...state, version },
        { expectedSite: SITE, now: NOW, rebuildIndexes },
      );
      const rate = Math.round(result.totalRows / (Math.max(result.ms, 1) / 1000));
      console.info(
        `full apply (rebuildIndexes=${rebuildIndexes}): ${result.totalRows} rows in ${result.ms} ms = ${rate} rows/s`,
      );
      expect(result.rows.cards).toBe(CARDS);
      expect(result.rows.authorizations).toBe(AUTHORIZATIONS);
    }
    expect(store.state.authorizationsOfEmployment(1).length).toBeGreaterThan(0);
  });
});
