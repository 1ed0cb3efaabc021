import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { SiteState } from "../../src/state/model.js";
import { openStore, type Store } from "../../src/store/index.js";

export const SITE = "ams-bsl";
export const NOW = Date.parse("2026-03-01T12:00:00+01:00");

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) {
    if (store.db.open) store.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "acs-store-"));
  dirs.push(dir);
  return dir;
}

/** A path for a new database in a fresh temporary directory. */
export function tempDbPath(): string {
  return join(tempDir(), "edge.db");
}

/** Opens a store that is closed after the test (if the test did not close it). */
export function open(path: string): Store {
  const store = openStore(path);
  stores.push(store);
  return store;
}

/** A small, complete state: two persons, three cards, both areas, a schedule. */
export function sampleState(version = 1, site = SITE): SiteState {
  return {
    site,
    version,
    sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 60 },
    doorPolicies: [
      { doorId: "main", mode: "card", unlockScheduleId: null },
      { doorId: "dock", mode: "card-and-fingerprint", unlockScheduleId: 60 },
    ],
    persons: [
      { id: 1, displayName: "J. de Vries" },
      { id: 2, displayName: "A. Bakker" },
    ],
    cards: [
      {
        id: 10,
        personId: 1,
        format: "H10301",
        facility: 18,
        number: 12345,
        rawBits: null,
        status: "active",
        statusReason: null,
        activatedAt: 1_700_000_000_000,
        validFrom: null,
        validUntil: 1_900_000_000_000,
      },
      {
        id: 11,
        personId: 2,
        format: "H10302",
        facility: null,
        number: 987654,
        rawBits: null,
        status: "lost",
        statusReason: "lost on site",
        activatedAt: 1_700_000_000_000,
        validFrom: null,
        validUntil: null,
      },
      {
        id: 12,
        personId: 2,
        format: "RAW",
        facility: null,
        number: null,
        rawBits: "1011001110001111",
        status: "active",
        statusReason: null,
        activatedAt: null,
        validFrom: 1_750_000_000_000,
        validUntil: null,
      },
    ],
    employments: [
      { id: 20, personId: 1, companyId: 7, start: 1_600_000_000_000, end: null },
      { id: 21, personId: 2, companyId: 7, start: 1_600_000_000_000, end: 1_760_000_000_000 },
      { id: 22, personId: 2, companyId: 8, start: 1_760_000_000_000, end: null },
    ],
    areas: [
      { id: 30, name: "Exchange", requiredCertificates: [] },
      { id: 31, name: "Cable room", requiredCertificates: ["KVD"] },
    ],
    authorizations: [
      {
        id: 40,
        employmentId: 20,
        areaId: 30,
        validFrom: null,
        validUntil: null,
        scheduleId: null,
      },
      {
        id: 41,
        employmentId: 20,
        areaId: 31,
        validFrom: 1_700_000_000_000,
        validUntil: 1_800_000_000_000,
        scheduleId: 60,
      },
      {
        id: 42,
        employmentId: 22,
        areaId: 30,
        validFrom: null,
        validUntil: null,
        scheduleId: null,
      },
    ],
    schedules: [
      {
        id: 60,
        name: "Night",
        windows: [{ days: [1, 2, 3, 4, 5], from: "22:00", until: "06:00" }],
        holidayCalendarId: 70,
        holidayWindows: [{ days: [], from: "23:00", until: "05:00" }],
      },
    ],
    holidayCalendars: [{ id: 70, name: "NL", dates: ["2026-01-01", "2026-12-25"] }],
    certificates: [
      { id: 80, personId: 1, type: "KVD", validFrom: null, validUntil: 1_850_000_000_000 },
    ],
  };
}

/** Every central record of the store, for comparing a state before and after. */
export function snapshot(store: Store): Record<string, unknown[]> {
  const tables = [
    "meta",
    "person",
    "card",
    "employment",
    "area",
    "access_authorization",
    "schedule",
    "holiday_calendar",
    "certificate",
    "site_policy",
    "door_policy",
  ];
  return Object.fromEntries(
    tables.map((t) => [t, store.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]),
  );
}
