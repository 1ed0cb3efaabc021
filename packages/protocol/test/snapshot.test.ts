import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHUNK_BYTES,
  decodeChunk,
  decodeManifest,
  decodeSnapshotBytes,
  encodeChunk,
  encodeManifest,
  encodeSiteState,
  MAX_MESSAGE_BYTES,
  ProtocolError,
  type SiteState,
  SnapshotAssembler,
  splitSnapshot,
  verifySnapshotBytes,
} from "../src/index.js";
import * as arb from "./arbitraries.js";

function bigState(cards: number): SiteState {
  return {
    site: "ams-01",
    version: 12,
    sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 40 },
    doorPolicies: [{ doorId: "main", mode: "card", unlockScheduleId: null }],
    persons: Array.from({ length: cards / 2 }, (_, i) => ({ id: i + 1, displayName: `P ${i}` })),
    cards: Array.from({ length: cards }, (_, i) => ({
      id: i + 1,
      personId: (i % (cards / 2)) + 1,
      format: "H10301",
      facility: 18,
      number: i,
      rawBits: null,
      status: "active" as const,
      statusReason: null,
      activatedAt: 1_700_000_000_000 + i,
      validFrom: null,
      validUntil: null,
    })),
    employments: [],
    areas: [],
    authorizations: [],
    schedules: [],
    holidayCalendars: [],
    certificates: [],
  };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  return "none";
}

describe("snapshots", () => {
  const state = bigState(20_000);
  const { manifest, chunks } = splitSnapshot(state, "req-1", 1_750_000_000_000);

  it("cuts the encoded state into CHUNK_BYTES pieces described by the manifest", () => {
    const bytes = encodeSiteState(state);
    expect(manifest.totalBytes).toBe(bytes.length);
    expect(manifest.chunkCount).toBe(Math.ceil(bytes.length / CHUNK_BYTES));
    expect(chunks.length).toBe(manifest.chunkCount);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    for (const c of chunks.slice(0, -1)) expect(c.data.length).toBe(CHUNK_BYTES);
    expect(manifest.counts).toEqual({
      doorPolicies: 1,
      persons: 10_000,
      cards: 20_000,
      employments: 0,
      areas: 0,
      authorizations: 0,
      schedules: 0,
      holidayCalendars: 0,
      certificates: 0,
    });
    expect(manifest).toMatchObject({ site: "ams-01", version: 12, requestId: "req-1" });
    verifySnapshotBytes(manifest, bytes);
  });

  it("every chunk, encoded, fits in a message, and so does the manifest", () => {
    for (const c of chunks) {
      const bytes = encodeChunk(c);
      expect(bytes.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(decodeChunk(bytes)).toStrictEqual(c);
    }
    expect(decodeManifest(encodeManifest(manifest))).toStrictEqual(manifest);
  });

  it("reassembles from chunks in any order, some twice", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(chunks, { minLength: chunks.length, maxLength: chunks.length }),
        fc.array(fc.nat(chunks.length - 1), { maxLength: 5 }),
        (order, repeats) => {
          const assembler = new SnapshotAssembler(manifest);
          const sequence = [...order, ...repeats.map((i) => chunks[i]!)];
          let done = false;
          for (const [n, chunk] of sequence.entries()) {
            done = assembler.add(chunk);
            expect(done).toBe(n >= chunks.length - 1);
          }
          expect(assembler.missing).toEqual([]);
          expect(assembler.state()).toStrictEqual(state);
        },
      ),
      { numRuns: 10 },
    );
  });

  it("tells what is missing and refuses to hand out an incomplete snapshot", () => {
    const assembler = new SnapshotAssembler(manifest);
    expect(assembler.missing).toEqual(chunks.map((_, i) => i));
    assembler.add(chunks[1]!);
    assembler.add(chunks[1]!);
    expect(assembler.missing).toEqual(chunks.map((_, i) => i).filter((i) => i !== 1));
    expect(codeOf(() => assembler.bytes())).toBe("INCOMPLETE");
    expect(codeOf(() => assembler.state())).toBe("INCOMPLETE");
  });

  it("refuses chunks of another site, version or request, or beyond the count", () => {
    const assembler = new SnapshotAssembler(manifest);
    const c = chunks[0]!;
    expect(codeOf(() => assembler.add({ ...c, site: "other" }))).toBe("MALFORMED");
    expect(codeOf(() => assembler.add({ ...c, version: 11 }))).toBe("MALFORMED");
    expect(codeOf(() => assembler.add({ ...c, requestId: "req-2" }))).toBe("MALFORMED");
    expect(codeOf(() => assembler.add({ ...c, index: chunks.length }))).toBe("MALFORMED");
    expect(assembler.missing.length).toBe(chunks.length);
  });

  it("detects a changed chunk (HASH_MISMATCH)", () => {
    const assembler = new SnapshotAssembler(manifest);
    for (const c of chunks) {
      const data = c.index === 2 ? c.data.map((b, i) => (i === 100 ? b ^ 1 : b)) : c.data;
      assembler.add({ ...c, data });
    }
    expect(codeOf(() => assembler.bytes())).toBe("HASH_MISMATCH");
    const short = new SnapshotAssembler(manifest);
    for (const c of chunks) short.add(c.index === 0 ? { ...c, data: c.data.subarray(1) } : c);
    expect(codeOf(() => short.bytes())).toBe("HASH_MISMATCH");
  });

  it("verifySnapshotBytes and decodeSnapshotBytes check bytes kept elsewhere", () => {
    const bytes = encodeSiteState(state);
    expect(decodeSnapshotBytes(manifest, bytes)).toStrictEqual(state);
    const changed = bytes.slice();
    changed[10]! ^= 1;
    expect(codeOf(() => verifySnapshotBytes(manifest, changed))).toBe("HASH_MISMATCH");
    expect(codeOf(() => verifySnapshotBytes(manifest, bytes.subarray(1)))).toBe("HASH_MISMATCH");
    // A manifest whose counts do not match the state it vouches for.
    const lying = { ...manifest, counts: { ...manifest.counts, cards: 1 } };
    expect(codeOf(() => decodeSnapshotBytes(lying, bytes))).toBe("MALFORMED");
  });

  it("a small state is one chunk", () => {
    fc.assert(
      fc.property(arb.siteState, (small) => {
        const split = splitSnapshot(small, "r", 0);
        expect(split.chunks.length).toBe(1);
        const assembler = new SnapshotAssembler(split.manifest);
        expect(assembler.add(split.chunks[0]!)).toBe(true);
        expect(assembler.state()).toStrictEqual(small);
      }),
      { numRuns: 30 },
    );
  });
});
