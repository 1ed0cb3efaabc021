import { describe, expect, it } from "vitest";
import {
  type Card,
  decodeDelta,
  decodeSiteState,
  encodeDelta,
  encodeSiteState,
  encodeSnapshotRequest,
  type SiteDelta,
  type SiteState,
} from "../src/index.js";
import { hex, unhex } from "./codec-support.js";

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
