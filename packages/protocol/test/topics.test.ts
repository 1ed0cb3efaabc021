import { describe, expect, it } from "vitest";
import {
  assertSiteId,
  CENTRAL_ENVELOPE_KINDS,
  CENTRAL_STATUS_TOPIC,
  centralPublications,
  centralSubscriptions,
  EDGE_ENVELOPE_KINDS,
  edgePublications,
  edgeSubscriptions,
  ProtocolError,
  parseTopic,
  TOPIC_KINDS,
  TOPIC_ROOT,
  TOPIC_SPEC,
  topics,
} from "../src/index.js";

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  return "none";
}

/** MQTT filter matching with + and #. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

describe("topics", () => {
  it("are the documented topics", () => {
    expect(TOPIC_ROOT).toBe("acs/v1");
    expect(topics.delta("ams-01")).toBe("acs/v1/sites/ams-01/state/delta");
    expect(topics.snapshotRequest("ams-01")).toBe("acs/v1/sites/ams-01/state/snapshot-request");
    expect(topics.snapshotManifest("ams-01")).toBe("acs/v1/sites/ams-01/state/snapshot-manifest");
    expect(topics.snapshotChunk("ams-01")).toBe("acs/v1/sites/ams-01/state/snapshot-chunk");
    expect(topics.events("ams-01")).toBe("acs/v1/sites/ams-01/events");
    expect(topics.eventsAck("ams-01")).toBe("acs/v1/sites/ams-01/events/ack");
    expect(topics.status("ams-01")).toBe("acs/v1/sites/ams-01/status");
    expect(topics.command("ams-01")).toBe("acs/v1/sites/ams-01/commands");
    expect(topics.commandResult("ams-01")).toBe("acs/v1/sites/ams-01/commands/result");
  });

  it("use only [a-z0-9_-] levels", () => {
    for (const kind of TOPIC_KINDS) {
      for (const level of topics[kind]("s_1-x").split("/")) expect(level).toMatch(/^[a-z0-9_-]+$/);
    }
  });

  it("parse back to site and kind", () => {
    for (const kind of TOPIC_KINDS) {
      expect(parseTopic(topics[kind]("site-9"))).toEqual({ site: "site-9", kind });
    }
  });

  it("refuse anything else with BAD_TOPIC", () => {
    for (const bad of [
      "",
      "acs/v1/sites",
      "acs/v1/sites/",
      "acs/v1/sites/ams-01",
      "acs/v1/sites/ams-01/",
      "acs/v1/sites/ams-01/state",
      "acs/v1/sites/ams-01/state/delta/x",
      "acs/v1/sites/AMS/state/delta",
      "acs/v1/sites/+/state/delta",
      "acs/v1/sites//state/delta",
      "acs/v2/sites/ams-01/state/delta",
      "/acs/v1/sites/ams-01/state/delta",
    ]) {
      expect(codeOf(() => parseTopic(bad))).toBe("BAD_TOPIC");
    }
  });

  it("site ids are 1..64 of [a-z0-9_-]", () => {
    assertSiteId("a");
    assertSiteId("x".repeat(64));
    for (const bad of ["", "x".repeat(65), "A", "a/b", "a+", "a#", "a b", "é"]) {
      expect(codeOf(() => assertSiteId(bad))).toBe("BAD_TOPIC");
      expect(codeOf(() => topics.delta(bad))).toBe("BAD_TOPIC");
    }
  });

  it("central's filters catch exactly the edge -> central topics", () => {
    expect([...centralSubscriptions].sort()).toEqual(
      [
        "acs/v1/sites/+/commands/result",
        "acs/v1/sites/+/events",
        "acs/v1/sites/+/state/snapshot-request",
        "acs/v1/sites/+/status",
      ].sort(),
    );
    for (const kind of TOPIC_KINDS) {
      const topic = topics[kind]("ams-01");
      const caught = centralSubscriptions.some((f) => matches(f, topic));
      expect(caught).toBe(TOPIC_SPEC[kind].direction === "edge->central");
      const edgeCaught = edgeSubscriptions("ams-01").some((f) => matches(f, topic));
      // (the edge's own list also holds central's status, outside the sites' tree)
      expect(edgeCaught).toBe(TOPIC_SPEC[kind].direction === "central->edge");
      expect(edgeSubscriptions("ams-02").some((f) => matches(f, topic))).toBe(false);
    }
  });

  it("only the status is retained; everything but a snapshot chunk travels signed", () => {
    expect(TOPIC_KINDS.filter((k) => TOPIC_SPEC[k].retained)).toEqual(["status"]);
    expect(TOPIC_KINDS.filter((k) => TOPIC_SPEC[k].envelope === null)).toEqual(["snapshotChunk"]);
    for (const kind of TOPIC_KINDS) {
      const envelope = TOPIC_SPEC[kind].envelope;
      if (envelope === null) continue;
      // Central signs what goes to the edges, the edge what goes to central.
      const signers =
        TOPIC_SPEC[kind].direction === "central->edge"
          ? CENTRAL_ENVELOPE_KINDS
          : EDGE_ENVELOPE_KINDS;
      expect(signers as readonly string[]).toContain(envelope);
    }
  });

  it("central's status is one topic outside the sites, read by every edge", () => {
    expect(CENTRAL_STATUS_TOPIC).toBe("acs/v1/central/status");
    expect(edgeSubscriptions("ams-01")).toContain(CENTRAL_STATUS_TOPIC);
    expect(centralPublications).toContain(CENTRAL_STATUS_TOPIC);
    expect(() => parseTopic(CENTRAL_STATUS_TOPIC)).toThrow(ProtocolError);
  });

  it("publications: each side publishes only what the other subscribes to", () => {
    for (const topic of edgePublications("ams-01"))
      expect(centralSubscriptions.some((f) => matches(f, topic))).toBe(true);
    for (const filter of centralPublications) {
      const site = filter.replace("/+/", "/ams-01/");
      expect(edgeSubscriptions("ams-01")).toContain(site);
    }
  });
});
