import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode, H10301 } from "@acs/wiegand";
import type { AccessIndex } from "../../src/access-index/access-index.js";
import { buildAccessIndex } from "../../src/access-index/build-index.js";
import type { Credential, DoorContext, Now } from "../../src/decision/decide.js";
import { ZoneClock } from "../../src/schedule/local-time.js";
import type { Card, CardStatus, SiteState } from "../../src/state/model.js";
import { openStore } from "../../src/store/store.js";

const zone = new ZoneClock("Europe/Amsterdam");
/** Friday 27 November 2026, 10:00 in Amsterdam. */
export const NOW_MS = Date.parse("2026-11-27T09:00:00Z");
export const DAY = 86_400_000;
export const now = (ms = NOW_MS): Now => ({ ms, local: zone.local(ms) });

export const HALL = 1;
export const CABLE_ROOM = 2;

export function door(overrides: Partial<DoorContext> = {}): DoorContext {
  return {
    id: "main",
    areaId: HALL,
    direction: "entry",
    mode: "card",
    fingerprint: false,
    ...overrides,
  };
}

/** The credential of an H10301 card with facility 18. */
export function card(number: number): Credential {
  const bits = encode(H10301, { facility: 18, card: number });
  return {
    kind: "card",
    card: { format: "H10301", bitLength: 26, bits, fields: { facility: 18, card: number } },
  };
}

function cardOf(
  id: number,
  personId: number,
  status: CardStatus = "active",
  extra: Partial<Card> = {},
): Card {
  return {
    id,
    personId,
    format: "H10301",
    facility: 18,
    number: id,
    rawBits: null,
    status,
    statusReason: null,
    activatedAt: null,
    validFrom: null,
    validUntil: null,
    ...extra,
  };
}

/**
 * Persons 1..13, each set up to fail one rule (see the comments); card numbers equal card ids.
 * Person 1 with card 1001 passes everything at the hall door.
 */
export function siteState(): SiteState {
  const persons = Array.from({ length: 13 }, (_, i) => ({ id: i + 1, displayName: `P${i + 1}` }));
  const employment = (
    id: number,
    personId: number,
    start = NOW_MS - 365 * DAY,
    end: number | null = null,
  ) => ({
    id,
    personId,
    companyId: 500,
    start,
    end,
  });
  const auth = (id: number, employmentId: number, areaId: number, extra = {}) => ({
    id,
    employmentId,
    areaId,
    validFrom: null,
    validUntil: null,
    scheduleId: null,
    ...extra,
  });
  return {
    site: "test-site",
    version: 1,
    sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 60 },
    doorPolicies: [],
    persons,
    cards: [
      cardOf(1001, 1),
      cardOf(1002, 1, "lost"),
      cardOf(1003, 1, "stolen"),
      cardOf(1004, 1, "defective"),
      cardOf(1005, 1, "replaced"),
      cardOf(1006, 1, "expired"),
      cardOf(1007, 1, "not-activated"),
      cardOf(1008, 1, "inactive"),
      cardOf(1009, 1, "active", { validUntil: NOW_MS - DAY }),
      cardOf(1010, 1, "active", { validFrom: NOW_MS + DAY }),
      cardOf(2001, 2), // no employment at all
      cardOf(3001, 3), // employment ended yesterday
      cardOf(4001, 4), // employment starts tomorrow
      cardOf(5001, 5), // authorized for the cable room only
      cardOf(6001, 6), // authorization expired
      cardOf(7001, 7), // authorization not yet valid
      cardOf(8001, 8), // authorization only on weekend nights
      cardOf(9001, 9), // cable room with a lapsed KVD certificate
      cardOf(10001, 10, "replaced"), // old card, fingerprint enrolled with it
      cardOf(10002, 10), // new card, no enrollment yet
      cardOf(11001, 11), // fingerprint enrolled with this card
      cardOf(12001, 12), // valid KVD certificate
      cardOf(13001, 13), // two employments: one ended, one active
    ],
    employments: [
      employment(1, 1),
      employment(3, 3, NOW_MS - 365 * DAY, NOW_MS - DAY),
      employment(4, 4, NOW_MS + DAY),
      employment(5, 5),
      employment(6, 6),
      employment(7, 7),
      employment(8, 8),
      employment(9, 9),
      employment(10, 10),
      employment(11, 11),
      employment(12, 12),
      employment(131, 13, NOW_MS - 365 * DAY, NOW_MS - DAY),
      employment(132, 13),
    ],
    areas: [
      { id: HALL, name: "Hall", requiredCertificates: [] },
      { id: CABLE_ROOM, name: "Cable room", requiredCertificates: ["KVD"] },
    ],
    authorizations: [
      auth(1, 1, HALL),
      auth(2, 1, CABLE_ROOM),
      auth(3, 3, HALL),
      auth(4, 4, HALL),
      auth(5, 5, CABLE_ROOM),
      auth(6, 6, HALL, { validUntil: NOW_MS - 1000 }),
      auth(7, 7, HALL, { validFrom: NOW_MS + 1000 }),
      auth(8, 8, HALL, { scheduleId: 20 }),
      auth(9, 9, CABLE_ROOM),
      auth(10, 10, HALL),
      auth(11, 11, HALL),
      auth(12, 12, CABLE_ROOM),
      auth(131, 131, HALL),
      auth(132, 132, HALL),
    ],
    schedules: [
      {
        id: 20,
        name: "Weekend nights",
        windows: [{ days: [6, 7], from: "22:00", until: "06:00" }],
        holidayCalendarId: null,
        holidayWindows: [],
      },
    ],
    holidayCalendars: [],
    certificates: [
      { id: 1, personId: 9, type: "KVD", validFrom: NOW_MS - 400 * DAY, validUntil: NOW_MS - DAY },
      {
        id: 2,
        personId: 12,
        type: "KVD",
        validFrom: NOW_MS - 10 * DAY,
        validUntil: NOW_MS + 300 * DAY,
      },
    ],
  };
}

/** A real store in a temp directory with `state` applied, enrollments added, and its index. */
export function indexOf(
  state: SiteState = siteState(),
  enrollments: Array<{ personId: number; cardId: number }> = [
    { personId: 10, cardId: 10001 },
    { personId: 11, cardId: 11001 },
  ],
): AccessIndex {
  const dir = mkdtempSync(join(tmpdir(), "acs-decide-"));
  const store = openStore(join(dir, "edge.db"));
  try {
    store.applyFullState(state, { expectedSite: state.site, now: NOW_MS });
    for (const e of enrollments) {
      store.saveEnrollment({ ...e, enrolledAt: NOW_MS, sealedTemplate: Uint8Array.of(1, 2, 3) });
    }
    return buildAccessIndex(store.db);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
