import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHUNK_BYTES,
  decodeDelta,
  encodeDelta,
  ProtocolError,
  type SiteDelta,
  splitDelta,
} from "../src/index.js";
import * as arb from "./arbitraries.js";

type Lists = Record<string, unknown[] | undefined>;

/** Applies the pieces' records in order into one delta (what the edge ends up with). */
function merge(pieces: readonly SiteDelta[]): SiteDelta {
  const upsert: Lists = {};
  const del: Lists = {};
  for (const p of pieces) {
    for (const [k, v] of Object.entries(p.upsert)) upsert[k] = [...(upsert[k] ?? []), ...(v ?? [])];
    for (const [k, v] of Object.entries(p.delete)) del[k] = [...(del[k] ?? []), ...(v ?? [])];
  }
  const first = pieces[0]!;
  return {
    site: first.site,
    version: first.version,
    ...(first.sitePolicy ? { sitePolicy: first.sitePolicy } : {}),
    upsert,
    delete: del,
  } as SiteDelta;
}

/** Records per kind as sorted JSON, to compare regardless of the order of kinds. */
function records(d: SiteDelta): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [side, lists] of [
    ["upsert", d.upsert],
    ["delete", d.delete],
  ] as const) {
    for (const [k, v] of Object.entries(lists)) {
      if (v && v.length > 0)
        out[`${side}.${k}`] = (v as unknown[]).map((x) => JSON.stringify(x)).sort();
    }
  }
  return out;
}

function bigDelta(cards: number, deletes: number): SiteDelta {
  return {
    site: "ams-01",
    version: 100,
    sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 55 },
    upsert: {
      persons: Array.from({ length: 50 }, (_, i) => ({ id: i + 1, displayName: `Person ${i}` })),
      cards: Array.from({ length: cards }, (_, i) => ({
        id: i + 1,
        personId: (i % 50) + 1,
        format: "H10301",
        facility: 18,
        number: i,
        rawBits: null,
        status: "active" as const,
        statusReason: i % 7 === 0 ? "replacement of a lost card" : null,
        activatedAt: 1_700_000_000_000 + i,
        validFrom: null,
        validUntil: null,
      })),
      doorPolicies: [{ doorId: "main", mode: "lockdown", unlockScheduleId: null }],
    },
    delete: {
      authorizations: Array.from({ length: deletes }, (_, i) => 1_000_000 + i),
      doorPolicies: ["old-door"],
    },
  };
}

describe("splitDelta", () => {
  it("returns a delta that fits as it is", () => {
    const delta = bigDelta(10, 10);
    expect(splitDelta(delta)).toEqual([delta]);
  });

  it("cuts a big delta into pieces below CHUNK_BYTES with consecutive versions", () => {
    const delta = bigDelta(30_000, 50_000);
    expect(encodeDelta(delta).length).toBeGreaterThan(CHUNK_BYTES * 5);
    const pieces = splitDelta(delta);
    expect(pieces.length).toBeGreaterThan(5);
    for (const [i, piece] of pieces.entries()) {
      const bytes = encodeDelta(piece);
      expect(bytes.length).toBeLessThanOrEqual(CHUNK_BYTES);
      expect(decodeDelta(bytes)).toStrictEqual(piece);
      expect(piece.version).toBe(delta.version + i);
      expect(piece.partial).toBe(i < pieces.length - 1 ? true : undefined);
      expect(piece.sitePolicy).toEqual(i === 0 ? delta.sitePolicy : undefined);
      expect(piece.site).toBe(delta.site);
    }
    // Pieces are well filled: not many more than the bytes need.
    const total = pieces.reduce((n, p) => n + encodeDelta(p).length, 0);
    expect(pieces.length).toBeLessThanOrEqual(Math.ceil(total / (CHUNK_BYTES * 0.95)));
    expect(records(merge(pieces))).toEqual(records(delta));
  });

  it("keeps every record exactly once, for any delta and budget", () => {
    fc.assert(
      fc.property(arb.siteDelta, fc.integer({ min: 600, max: 3000 }), (generated, maxBytes) => {
        // Room for the pieces' versions below 2^53.
        const delta = { ...generated, version: Math.min(generated.version, 2 ** 52) };
        const pieces = splitDelta(delta, maxBytes);
        for (const [i, piece] of pieces.entries()) {
          expect(encodeDelta(piece).length).toBeLessThanOrEqual(maxBytes);
          expect(piece.version).toBe(delta.version + i);
          if (i < pieces.length - 1) expect(piece.partial).toBe(true);
        }
        expect(pieces.at(-1)!.partial === true).toBe(delta.partial === true);
        expect(records(merge(pieces))).toEqual(records(delta));
      }),
      { numRuns: 200 },
    );
  });

  it("upserts referenced kinds first, deletes them last", () => {
    const delta: SiteDelta = {
      site: "s",
      version: 1,
      upsert: {
        authorizations: [
          { id: 1, employmentId: 1, areaId: 1, validFrom: null, validUntil: null, scheduleId: 1 },
        ],
        schedules: [{ id: 1, name: "S", windows: [], holidayCalendarId: null, holidayWindows: [] }],
      },
      delete: { schedules: [2], authorizations: [3] },
    };
    const pieces = splitDelta(delta, 30);
    const order = pieces.flatMap((p) => [
      ...Object.keys(p.upsert).map((k) => `upsert.${k}`),
      ...Object.keys(p.delete).map((k) => `delete.${k}`),
    ]);
    expect(order).toEqual([
      "upsert.schedules",
      "upsert.authorizations",
      "delete.authorizations",
      "delete.schedules",
    ]);
  });

  it("refuses a record too big for any piece (OVERSIZED)", () => {
    const delta: SiteDelta = {
      site: "s",
      version: 1,
      upsert: { persons: [{ id: 1, displayName: "x".repeat(500) }] },
      delete: {},
    };
    let thrown: unknown;
    try {
      splitDelta(delta, 200);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect((thrown as ProtocolError).code).toBe("OVERSIZED");
  });
});
