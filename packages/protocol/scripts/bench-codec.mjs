#!/usr/bin/env node
// Times encodeSiteState / decodeSiteState (and splitSnapshot + reassembly) on the central
// sync bench's size: 2,000,000 cards, 800,000 persons, 1,000,000 employments and
// 2,000,000 authorizations. Runs the built package: `npx tsc -b packages/protocol` first.
//   node packages/protocol/scripts/bench-codec.mjs [scale]
// Prints one JSON line with the figures (ms, bytes).
import {
  decodeSiteState,
  encodeSiteState,
  SnapshotAssembler,
  splitSnapshot,
} from "../dist/src/index.js";

const scale = Number(process.argv[2] ?? 1);
const T0 = 1_750_000_000_000;
const n = (count) => Math.round(count * scale);

function buildState() {
  const persons = [];
  const cards = [];
  const employments = [];
  const authorizations = [];
  const P = n(800_000);
  const E = n(1_000_000);
  for (let i = 1; i <= P; i++) persons.push({ id: i, displayName: `J. de Vries ${i}` });
  for (let i = 1; i <= n(2_000_000); i++) {
    cards.push({
      id: i,
      personId: (i % P) + 1,
      format: i % 10 === 0 ? "C1000_35" : "H10301",
      facility: i % 10 === 0 ? 1234 : 18,
      number: i % 65_536,
      rawBits: null,
      status: i % 50 === 0 ? "lost" : "active",
      statusReason: i % 50 === 0 ? "reported lost" : null,
      activatedAt: T0 - i * 1000,
      validFrom: T0 - 86_400_000,
      validUntil: i % 3 === 0 ? T0 + 31_536_000_000 : null,
    });
  }
  for (let i = 1; i <= E; i++) {
    employments.push({
      id: i,
      personId: (i % P) + 1,
      companyId: 1 + (i % 200),
      start: T0 - i * 60_000,
      end: i % 5 === 0 ? T0 + i * 60_000 : null,
    });
  }
  for (let i = 1; i <= n(2_000_000); i++) {
    authorizations.push({
      id: i,
      employmentId: (i % E) + 1,
      areaId: 1 + (i % 40),
      validFrom: i % 4 === 0 ? T0 : null,
      validUntil: i % 4 === 0 ? T0 + 7_776_000_000 : null,
      scheduleId: i % 2 === 0 ? 1 + (i % 8) : null,
    });
  }
  return {
    site: "ams-01",
    version: 123_456,
    sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 40 },
    doorPolicies: [{ doorId: "main", mode: "card-and-fingerprint", unlockScheduleId: null }],
    persons,
    cards,
    employments,
    areas: Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      name: `Area ${i + 1}`,
      requiredCertificates: i % 4 === 0 ? ["KVD"] : [],
    })),
    authorizations,
    schedules: Array.from({ length: 8 }, (_, i) => ({
      id: i + 1,
      name: `Schedule ${i + 1}`,
      windows: [{ days: [1, 2, 3, 4, 5], from: "07:00", until: "19:00" }],
      holidayCalendarId: null,
      holidayWindows: [],
    })),
    holidayCalendars: [],
    certificates: [],
  };
}

const time = (run) => {
  const start = performance.now();
  const value = run();
  return [value, Math.round(performance.now() - start)];
};

const [state, buildMs] = time(buildState);
const [bytes, encodeMs] = time(() => encodeSiteState(state));
const [decoded, decodeMs] = time(() => decodeSiteState(bytes));
if (decoded.cards.length !== state.cards.length) throw new Error("decode lost cards");
const [split, splitMs] = time(() => splitSnapshot(state, "bench", Date.now()));
const [reassembled, reassembleMs] = time(() => {
  const assembler = new SnapshotAssembler(split.manifest);
  for (const chunk of split.chunks) assembler.add(chunk);
  return assembler.state();
});
if (reassembled.authorizations.length !== state.authorizations.length) {
  throw new Error("reassembly lost authorizations");
}
console.log(
  JSON.stringify({
    bench: "protocol-codec",
    records: {
      cards: state.cards.length,
      persons: state.persons.length,
      employments: state.employments.length,
      authorizations: state.authorizations.length,
    },
    bytes: bytes.length,
    chunks: split.chunks.length,
    buildMs,
    encodeMs,
    decodeMs,
    splitSnapshotMs: splitMs,
    reassembleAndDecodeMs: reassembleMs,
  }),
);
