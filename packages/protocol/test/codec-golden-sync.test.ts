import { describe, expect, it } from "vitest";
import {
  decodeCentralStatus,
  decodeCommand,
  decodeCommandResult,
  decodeEdgeStatus,
  decodeEventAck,
  decodeEventBatch,
  type EdgeStatus,
  type EventAck,
  type EventBatch,
  encodeCentralStatus,
  encodeCommand,
  encodeCommandResult,
  encodeEdgeStatus,
  encodeEventAck,
  encodeEventBatch,
  ProtocolError,
  type SiteCommand,
} from "../src/index.js";
import { hex, unhex } from "./codec-support.js";

/** Encodes to the annotated bytes, and the bytes decode back to the value. */
function golden<T>(
  value: T,
  encode: (v: T) => Uint8Array,
  decode: (b: Uint8Array) => T,
  bytes: string,
) {
  expect(hex(encode(value))).toBe(bytes);
  expect(decode(unhex(bytes))).toStrictEqual(value);
}

describe("golden bytes of the sync messages", () => {
  it("EventBatch with its epoch", () => {
    const batch: EventBatch = {
      site: "s1",
      batchId: 3,
      epoch: "E1",
      events: [{ seq: 10, at: 5, type: "t", doorId: "d", readerId: null, payloadJson: "{}" }],
    };
    golden(
      batch,
      encodeEventBatch,
      decodeEventBatch,
      "0a027331" + //     site = "s1"
        "1003" + //       batch_id = 3
        "1a0e" + //       events[0], 14 bytes:
        "080a" + //         seq = 10
        "1005" + //         at = 5
        "1a0174" + //       type = "t"
        "220164" + //       door_id = "d" (reader_id absent)
        "32027b7d" + //     payload_json = "{}"
        "22024531", //    epoch = "E1"
    );
  });

  it("EventAck with its epoch", () => {
    const ack: EventAck = { site: "s1", batchId: 3, epoch: "E1", ranges: [[10, 21]] };
    golden(
      ack,
      encodeEventAck,
      decodeEventAck,
      "0a027331" + //     site = "s1"
        "1003" + //       batch_id = 3
        "1a04080a1015" + // ranges[0] = { from: 10, to: 21 }
        "22024531", //    epoch = "E1"
    );
  });

  it("an ack without an epoch (what an attacker sent before epochs) is malformed", () => {
    // The reproduction of the forged ack: site "s1", batch 1, ranges [[10, 21]], no epoch.
    expect(() => decodeEventAck(unhex("0a02733110011a04080a1015"))).toThrow(ProtocolError);
  });

  it("EdgeStatus with keys, store health and epoch", () => {
    const status: EdgeStatus = {
      site: "s1",
      online: true,
      stateVersion: 7,
      outboxDepth: 2,
      outboxAlarm: false,
      readers: [{ bus: "b", state: "ok" }],
      at: 9,
      session: "c",
      edgeKeyId: "k",
      centralKeyIds: ["c1", "c2"],
      storeUnwritable: true,
      eventsQueued: 4,
      eventsDropped: 1,
      outboxEpoch: "E1",
      syncHealthy: true,
    };
    golden(
      status,
      encodeEdgeStatus,
      decodeEdgeStatus,
      "0a027331" + //   site = "s1"
        "1001" + //     online = true
        "1807" + //     state_version = 7
        "2002" + //     outbox_depth = 2 (outbox_alarm false: absent)
        "3207" + //     readers[0], 7 bytes:
        "0a0162" + //     bus = "b"
        "1a026f6b" + //   state = "ok"
        "3809" + //     at = 9
        "420163" + //   session = "c"
        "4a016b" + //   edge_key_id = "k"
        "52026331" + // central_key_ids[0] = "c1"
        "52026332" + // central_key_ids[1] = "c2"
        "5801" + //     store_unwritable = true
        "6004" + //     events_queued = 4
        "6801" + //     events_dropped = 1
        "72024531" + // outbox_epoch = "E1"
        "7801", //      sync_healthy = true
    );
  });

  it("CentralStatus", () => {
    golden(
      { online: true, at: 9, session: "c" },
      encodeCentralStatus,
      decodeCentralStatus,
      "0801" + //   online = true
        "1009" + // at = 9
        "1a0163", // session = "c"
    );
  });

  it("SiteCommand: trust and untrust a central key", () => {
    const trust: SiteCommand = {
      id: "i",
      site: "s1",
      issuedAt: 1,
      expiresAt: 2,
      action: { kind: "trust-central-key", keyId: "c2", publicKeyPem: "P" },
    };
    golden(
      trust,
      encodeCommand,
      decodeCommand,
      "0a0169" + //     id = "i"
        "12027331" + // site = "s1"
        "1801" + //     issued_at = 1
        "2002" + //     expires_at = 2
        "4207" + //     trust_central_key (field 8), 7 bytes:
        "0a026332" + //   key_id = "c2"
        "120150", //      public_key_pem = "P"
    );
    const untrust: SiteCommand = {
      ...trust,
      action: { kind: "untrust-central-key", keyId: "c1" },
    };
    golden(
      untrust,
      encodeCommand,
      decodeCommand,
      "0a0169" +
        "12027331" +
        "1801" +
        "2002" + // id, site, issued_at, expires_at
        "4a04" + //     untrust_central_key (field 9), 4 bytes:
        "0a026331", //    key_id = "c1"
    );
  });

  it("CommandResult", () => {
    golden(
      { id: "i", site: "s1", outcome: "refused" as const, reason: "EXPIRED", at: 3 },
      encodeCommandResult,
      decodeCommandResult,
      "0a0169" + //       id = "i"
        "12027331" + //   site = "s1"
        "1802" + //       outcome = COMMAND_OUTCOME_REFUSED (2)
        "2207455850495245" +
        "44" + // reason = "EXPIRED"
        "2803", //        at = 3
    );
  });
});
