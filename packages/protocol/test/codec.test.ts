import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Card,
  decodeChunk,
  decodeCommand,
  decodeCommandResult,
  decodeDelta,
  decodeDeltaUnlimited,
  decodeEdgeStatus,
  decodeEventAck,
  decodeEventBatch,
  decodeManifest,
  decodeSiteState,
  decodeSnapshotRequest,
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
  MAX_MESSAGE_BYTES,
  ProtocolError,
  type SiteDelta,
  type SiteState,
} from "../src/index.js";
import * as arb from "./arbitraries.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

function expectProtocolError(run: () => unknown, code: ProtocolError["code"] = "MALFORMED"): void {
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

const CODECS: Codec<unknown>[] = [
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

describe.each(CODECS)("$name", ({ arb: values, encode, decode, canonical }) => {
  it("decodes what it encodes, and encodes it again to the same bytes", () => {
    fc.assert(
      fc.property(values, (value) => {
        const bytes = encode(value);
        expect(bytes).toBeInstanceOf(Uint8Array);
        const decoded = decode(bytes);
        expect(decoded).toStrictEqual(canonical ? canonical(value) : value);
        expect(hex(encode(decoded))).toBe(hex(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it("throws nothing but ProtocolError MALFORMED on garbage", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          expect((error as ProtocolError).code).toBe("MALFORMED");
        }
      }),
      { numRuns: 400 },
    );
  });

  it("throws nothing but ProtocolError MALFORMED on a valid message cut short or with a byte changed", () => {
    fc.assert(
      fc.property(values, fc.nat(), fc.nat(255), (value, at, byte) => {
        const bytes = encode(value);
        for (const broken of [
          bytes.subarray(0, at % (bytes.length + 1)),
          bytes.map((b, i) => (i === at % bytes.length ? byte : b)),
        ]) {
          try {
            decode(broken);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
            expect((error as ProtocolError).code).toBe("MALFORMED");
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("refuses what is not bytes with MALFORMED", () => {
    for (const input of [undefined, null, "0a01", 42, [1, 2], {}]) {
      expectProtocolError(() => decode(input as unknown as Uint8Array));
    }
  });
});

describe("size limit", () => {
  const big = new Uint8Array(MAX_MESSAGE_BYTES + 1);
  it.each(CODECS.filter((c) => c.name !== "SiteState"))(
    "decode of $name refuses more than MAX_MESSAGE_BYTES with OVERSIZED",
    ({ decode }) => {
      expectProtocolError(() => decode(big), "OVERSIZED");
    },
  );

  it("decodeSiteState takes a state of any size", () => {
    const persons = Array.from({ length: 20_000 }, (_, i) => ({
      id: i + 1,
      displayName: `Person number ${i + 1}`,
    }));
    const state: SiteState = { ...smallState(), persons };
    const bytes = encodeSiteState(state);
    expect(bytes.length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(decodeSiteState(bytes)).toStrictEqual(state);
  });

  it("decodeDeltaUnlimited takes a delta of any size, decodeDelta refuses it", () => {
    const persons = Array.from({ length: 20_000 }, (_, i) => ({
      id: i + 1,
      displayName: `Person number ${i + 1}`,
    }));
    const delta: SiteDelta = { site: "s1", version: 3, upsert: { persons }, delete: {} };
    const bytes = encodeDelta(delta);
    expect(decodeDeltaUnlimited(bytes)).toStrictEqual(delta);
    expectProtocolError(() => decodeDelta(bytes), "OVERSIZED");
  });
});

function smallState(): SiteState {
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

describe("golden bytes", () => {
  it("SnapshotRequest", () => {
    const bytes = encodeSnapshotRequest({
      site: "s1",
      requestId: "r",
      haveVersion: 5,
      reason: "gap",
    });
    // site = "s1" | request_id = "r" | have_version = 5 | reason = SNAPSHOT_REASON_GAP (2)
    expect(hex(bytes)).toBe("0a027331" + "120172" + "1805" + "2002");
  });

  it("SiteDelta", () => {
    const delta: SiteDelta = {
      site: "s1",
      version: 2,
      upsert: { persons: [{ id: 1, displayName: "A" }] },
      delete: { cards: [300] },
    };
    const golden =
      "0a027331" + // site = "s1"
      "1002" + // version = 2
      "2207" + // upserts (7 bytes)
      "1205" +
      "0801" +
      "120141" + //   persons { id = 1, display_name = "A" }
      "2a04" + // deletes (4 bytes)
      "1a02" +
      "ac02"; //   cards [300] (packed)
    expect(hex(encodeDelta(delta))).toBe(golden);
    expect(decodeDelta(unhex(golden))).toStrictEqual(delta);
  });

  it("SiteState with a card and a negative instant", () => {
    const card: Card = {
      id: 1,
      personId: 2,
      format: "H",
      facility: 0,
      number: null,
      rawBits: null,
      status: "lost",
      statusReason: null,
      activatedAt: null,
      validFrom: -1,
      validUntil: 2 ** 53 - 1,
    };
    const state: SiteState = {
      site: "x",
      version: 0,
      sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 0 },
      doorPolicies: [],
      persons: [],
      cards: [card],
      employments: [],
      areas: [],
      authorizations: [],
      schedules: [],
      holidayCalendars: [],
      certificates: [],
    };
    const golden =
      "0a0178" + // site = "x" (version 0 left out)
      "1a00" + // site_policy {} (defaults left out, the field itself always there)
      "321f" + // cards (31 bytes)
      "0801" +
      "1002" +
      "1a0148" + //   id = 1, person_id = 2, format = "H"
      "2000" + //   facility = 0 (optional: present)
      "3803" + //   status = CARD_STATUS_LOST (3)
      "50ffffffffffffffffff01" + //   valid_from = -1 (ten bytes)
      "58ffffffffffffff0f"; //   valid_until = 2^53 - 1
    expect(hex(encodeSiteState(state))).toBe(golden);
    expect(decodeSiteState(unhex(golden))).toStrictEqual(state);
  });
});

describe("decoders check what protobuf cannot", () => {
  const state = smallState();
  const cases: Array<[string, SiteState]> = [
    ["an id of 0", { ...state, persons: [{ id: 0, displayName: "A" }] }],
    ["an empty display name", { ...state, persons: [{ id: 1, displayName: "" }] }],
    ["an empty site", { ...state, site: "" }],
    ["a site that is no topic level", { ...state, site: "Ams 01" }],
    ["an empty card format", { ...state, cards: [{ ...state.cards[0]!, format: "" }] }],
    ["a fractional id", { ...state, cards: [{ ...state.cards[0]!, id: 1.5 }] }],
    ["an id beyond 2^53", { ...state, cards: [{ ...state.cards[0]!, id: 2 ** 53 }] }],
    ["an instant beyond 2^53", { ...state, cards: [{ ...state.cards[0]!, validFrom: 2 ** 60 }] }],
    ["raw bits other than 0 and 1", { ...state, cards: [{ ...state.cards[0]!, rawBits: "0x1F" }] }],
    [
      "an hour 25",
      {
        ...state,
        schedules: [
          { ...state.schedules[0]!, windows: [{ days: [1], from: "25:00", until: "26:00" }] },
        ],
      },
    ],
    [
      "a weekday 8",
      {
        ...state,
        schedules: [
          { ...state.schedules[0]!, windows: [{ days: [8], from: "01:00", until: "02:00" }] },
        ],
      },
    ],
    [
      "a bad holiday date",
      { ...state, holidayCalendars: [{ id: 6, name: "NL", dates: ["27-04-2026"] }] },
    ],
    [
      "a threshold above 100",
      { ...state, sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 101 } },
    ],
  ];

  it.each(cases)("encodeSiteState refuses %s with MALFORMED", (_, bad) => {
    expectProtocolError(() => encodeSiteState(bad));
  });

  it("a state with a list left out is MALFORMED (it would empty the edge's table)", () => {
    const { cards: _, ...withoutCards } = state;
    expectProtocolError(() => encodeSiteState(withoutCards as unknown as SiteState));
  });

  it("an unknown card status (encoded or decoded) is MALFORMED", () => {
    const bad = { ...state, cards: [{ ...state.cards[0]!, status: "borrowed" }] };
    expectProtocolError(() => encodeSiteState(bad as unknown as SiteState));
    // cards[0].status = 9 (unknown): the state's bytes with the status byte patched.
    const bytes = encodeSiteState(state);
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x38, 0x01]));
    bytes[at + 1] = 9;
    expectProtocolError(() => decodeSiteState(bytes));
    bytes[at + 1] = 0; // CARD_STATUS_UNSPECIFIED
    expectProtocolError(() => decodeSiteState(bytes));
  });

  it("a state without a site policy is MALFORMED", () => {
    expectProtocolError(() => decodeSiteState(unhex("0a0178")));
  });

  it("a known field with the wrong wire type is MALFORMED, an unknown field is skipped", () => {
    // site = "x", site_policy {}, then field 2 (version) as a string.
    expectProtocolError(() => decodeSiteState(unhex("0a0178 1a00 1201ff")));
    // field 99 (varint) and field 100 (bytes): a newer central's additions.
    const decoded = decodeSiteState(unhex("0a0178 1a00 98060a a206020102"));
    expect(decoded.site).toBe("x");
  });

  it("repeated scalars are read packed and unpacked", () => {
    // window { days 1, days 2 (unpacked), from "07:00", until "08:00" }
    const window = "0801 0802 120530373a3030 1a0530383a3030";
    const schedule = `0801 120153 1a${(window.replace(/ /g, "").length / 2).toString(16)}${window}`;
    const bytes = unhex(
      `0a0178 1a00 52${(schedule.replace(/ /g, "").length / 2).toString(16)}${schedule}`,
    );
    expect(decodeSiteState(bytes).schedules[0]!.windows[0]!.days).toEqual([1, 2]);
    // delete { persons 5 (unpacked), persons [6, 7] (packed) }
    const delta = unhex("0a0178 1001 2a06 1005 12020607");
    expect(decodeDelta(delta).delete.persons).toEqual([5, 6, 7]);
  });

  it("invalid UTF-8 in a string is MALFORMED", () => {
    expectProtocolError(() => decodeSiteState(unhex("0a0178 1a00 2a05 0801 1201ff")));
    expectProtocolError(() => decodeSnapshotRequest(unhex("0a02c328 120172 2002")));
  });

  it("a delta of version 0 is MALFORMED", () => {
    expectProtocolError(() => encodeDelta({ site: "s", version: 0, upsert: {}, delete: {} }));
    expectProtocolError(() => decodeDelta(unhex("0a0173")));
  });

  it("a command without an action is MALFORMED", () => {
    expectProtocolError(() => decodeCommand(unhex("0a0131 120173")));
    expectProtocolError(() =>
      encodeCommand({
        id: "1",
        site: "s",
        issuedAt: 0,
        expiresAt: 1,
        action: { kind: "reboot" } as never,
      }),
    );
  });

  it("unknown enum values of small messages are MALFORMED", () => {
    expectProtocolError(() =>
      encodeSnapshotRequest({
        site: "s",
        requestId: "r",
        haveVersion: 0,
        reason: "bored" as never,
      }),
    );
    // reason = 9
    expectProtocolError(() => decodeSnapshotRequest(unhex("0a0173 120172 2009")));
    // outcome = 0 (unspecified)
    expectProtocolError(() => decodeCommandResult(unhex("0a0131 120173")));
    // door-mode command with mode 7
    expectProtocolError(() => decodeCommand(unhex("0a0131 120173 3a04 0a0164 1007")));
  });

  it("a manifest whose hash is not 32 bytes, or with more chunks than bytes, is MALFORMED", () => {
    const good = {
      site: "s",
      version: 1,
      requestId: "r",
      chunkCount: 1,
      totalBytes: 10,
      sha256: new Uint8Array(32),
      counts: { cards: 3 },
      createdAt: 5,
    };
    expect(decodeManifest(encodeManifest(good))).toStrictEqual(good);
    expectProtocolError(() => encodeManifest({ ...good, sha256: new Uint8Array(31) }));
    expectProtocolError(() => encodeManifest({ ...good, chunkCount: 11 }));
    expectProtocolError(() => encodeManifest({ ...good, chunkCount: 0 }));
  });

  it("event acks need ranges that end at or after they start", () => {
    expectProtocolError(() => encodeEventAck({ site: "s", batchId: 1, ranges: [[5, 4]] }));
    expectProtocolError(() => encodeEventAck({ site: "s", batchId: 1, ranges: [[0, 4]] }));
  });

  it("absent optional fields stay absent, nullable ones come back null", () => {
    const status = decodeEdgeStatus(
      encodeEdgeStatus({
        site: "s",
        online: true,
        stateVersion: 3,
        outboxDepth: 0,
        outboxAlarm: false,
        readers: [
          { bus: "osdp0", state: "online" },
          { bus: "osdp0", address: 0, state: "offline" },
        ],
        at: 9,
      }),
    );
    expect(Object.keys(status.readers[0]!)).toEqual(["bus", "state"]);
    expect(status.readers[1]!.address).toBe(0);
    const batch = decodeEventBatch(encodeEventBatch({ site: "s", batchId: 0, events: [] }));
    expect(batch.events).toEqual([]);
    const event = { seq: 1, at: 2, type: "grant", doorId: null, readerId: "r1", payloadJson: "{}" };
    const withEvent = decodeEventBatch(
      encodeEventBatch({ site: "s", batchId: 1, events: [event] }),
    );
    expect(withEvent.events[0]).toStrictEqual(event);
    const result = decodeCommandResult(
      encodeCommandResult({ id: "c", site: "s", outcome: "done", reason: null, at: 1 }),
    );
    expect(result.reason).toBeNull();
    const withEmpty = decodeCommandResult(
      encodeCommandResult({ id: "c", site: "s", outcome: "refused", reason: "", at: 1 }),
    );
    expect(withEmpty.reason).toBe("");
    const delta = decodeDelta(
      encodeDelta({ site: "s", version: 1, partial: false, upsert: {}, delete: {} }),
    );
    expect(delta).toStrictEqual({ site: "s", version: 1, upsert: {}, delete: {} });
  });

  it("decoded bytes never share memory with the input", () => {
    const bytes = encodeChunk({
      site: "s",
      version: 1,
      requestId: "r",
      index: 0,
      data: new Uint8Array([1, 2, 3]),
    });
    const chunk = decodeChunk(bytes);
    bytes.fill(0);
    expect([...chunk.data]).toEqual([1, 2, 3]);
  });
});
