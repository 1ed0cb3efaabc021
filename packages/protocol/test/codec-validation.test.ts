import { describe, expect, it } from "vitest";
import {
  decodeChunk,
  decodeCommand,
  decodeCommandResult,
  decodeDelta,
  decodeEdgeStatus,
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
  type SiteState,
} from "../src/index.js";
import { expectProtocolError, smallState, unhex } from "./codec-support.js";

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
    expectProtocolError(() =>
      encodeEventAck({ site: "s", batchId: 1, epoch: "e1", ranges: [[5, 4]] }),
    );
    expectProtocolError(() =>
      encodeEventAck({ site: "s", batchId: 1, epoch: "e1", ranges: [[0, 4]] }),
    );
    expectProtocolError(() =>
      encodeEventAck({ site: "s", batchId: 1, epoch: "", ranges: [[1, 4]] }),
    );
    expectProtocolError(() =>
      encodeEventAck({ site: "s", batchId: 1, epoch: "a b", ranges: [[1, 4]] }),
    );
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
        session: "",
        edgeKeyId: "",
        centralKeyIds: [],
        storeUnwritable: false,
        eventsQueued: 0,
        eventsDropped: 0,
        outboxEpoch: "",
        syncHealthy: false,
      }),
    );
    expect(Object.keys(status.readers[0]!)).toEqual(["bus", "state"]);
    expect(status.readers[1]!.address).toBe(0);
    const batch = decodeEventBatch(
      encodeEventBatch({ site: "s", batchId: 0, epoch: "e1", events: [] }),
    );
    expect(batch.events).toEqual([]);
    const event = { seq: 1, at: 2, type: "grant", doorId: null, readerId: "r1", payloadJson: "{}" };
    const withEvent = decodeEventBatch(
      encodeEventBatch({ site: "s", batchId: 1, epoch: "e1", events: [event] }),
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
