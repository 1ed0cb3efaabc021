import type fc from "fast-check";
import { expect } from "vitest";
import {
  decodeCentralStatus,
  decodeChunk,
  decodeCommand,
  decodeCommandResult,
  decodeDelta,
  decodeEdgeStatus,
  decodeEventAck,
  decodeEventBatch,
  decodeManifest,
  decodeSiteState,
  decodeSnapshotRequest,
  encodeCentralStatus,
  encodeChunk,
  encodeCommand,
  encodeCommandResult,
  encodeDelta,
  encodeEdgeStatus,
  encodeEventAck,
  encodeEventBatch,
  encodeManifest,
  encodeSiteState,
  encodeSnapshotRequest,
  ProtocolError,
  type SiteState,
} from "../src/index.js";
import * as arb from "./arbitraries.js";

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
export const unhex = (s: string): Uint8Array =>
  new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

export function expectProtocolError(
  run: () => unknown,
  code: ProtocolError["code"] = "MALFORMED",
): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ProtocolError);
  expect((thrown as ProtocolError).code).toBe(code);
}

interface Codec<T> {
  readonly name: string;
  readonly arb: fc.Arbitrary<T>;
  readonly encode: (value: T) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => T;
  /** What decode returns for `value` (only deltas leave empty kinds out). */
  readonly canonical?: (value: T) => T;
}

const codec = <T>(c: Codec<T>): Codec<unknown> => c as unknown as Codec<unknown>;

export const CODECS: Codec<unknown>[] = [
  codec({
    name: "SiteState",
    arb: arb.siteState,
    encode: encodeSiteState,
    decode: decodeSiteState,
  }),
  codec({
    name: "SiteDelta",
    arb: arb.siteDelta,
    encode: encodeDelta,
    decode: decodeDelta,
    canonical: arb.canonicalDelta,
  }),
  codec({
    name: "SnapshotManifest",
    arb: arb.manifest,
    encode: encodeManifest,
    decode: decodeManifest,
  }),
  codec({ name: "SnapshotChunk", arb: arb.chunk, encode: encodeChunk, decode: decodeChunk }),
  codec({
    name: "SnapshotRequest",
    arb: arb.snapshotRequest,
    encode: encodeSnapshotRequest,
    decode: decodeSnapshotRequest,
  }),
  codec({
    name: "EventBatch",
    arb: arb.eventBatch,
    encode: encodeEventBatch,
    decode: decodeEventBatch,
  }),
  codec({ name: "EventAck", arb: arb.eventAck, encode: encodeEventAck, decode: decodeEventAck }),
  codec({
    name: "EdgeStatus",
    arb: arb.edgeStatus,
    encode: encodeEdgeStatus,
    decode: decodeEdgeStatus,
  }),
  codec({
    name: "CentralStatus",
    arb: arb.centralStatus,
    encode: encodeCentralStatus,
    decode: decodeCentralStatus,
  }),
  codec({
    name: "SiteCommand",
    arb: arb.siteCommand,
    encode: encodeCommand,
    decode: decodeCommand,
  }),
  codec({
    name: "CommandResult",
    arb: arb.commandResult,
    encode: encodeCommandResult,
    decode: decodeCommandResult,
  }),
];

export function smallState(): SiteState {
  return {
    site: "ams-01",
    version: 7,
    sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 40 },
    doorPolicies: [{ doorId: "main", mode: "card-and-fingerprint", unlockScheduleId: null }],
    persons: [{ id: 1, displayName: "J. de Vries" }],
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
        validUntil: null,
      },
    ],
    employments: [{ id: 5, personId: 1, companyId: 2, start: 1_600_000_000_000, end: null }],
    areas: [{ id: 3, name: "Exchange", requiredCertificates: ["KVD"] }],
    authorizations: [
      { id: 9, employmentId: 5, areaId: 3, validFrom: null, validUntil: null, scheduleId: 4 },
    ],
    schedules: [
      {
        id: 4,
        name: "Office hours",
        windows: [{ days: [1, 2, 3, 4, 5], from: "07:00", until: "19:00" }],
        holidayCalendarId: 6,
        holidayWindows: [],
      },
    ],
    holidayCalendars: [{ id: 6, name: "NL", dates: ["2026-04-27", "2026-12-25"] }],
    certificates: [
      { id: 8, personId: 1, type: "KVD", validFrom: 1_600_000_000_000, validUntil: null },
    ],
  };
}
