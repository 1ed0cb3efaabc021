import { describe, expect, it } from "vitest";
import {
  CENTRAL_STATUS_TOPIC,
  centralPublications,
  centralSubscriptions,
  edgePublications,
  edgeSubscriptions,
  TOPIC_KINDS,
  TOPIC_SPEC,
  topics,
} from "../src/index.js";

/** MQTT 3.1.1 filter matching with `+` and a trailing `#`. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

// The broker's ACL is generated from these lists: each side may publish exactly what the
// other subscribes to, and an edge nothing of another site.
describe("who publishes what (the broker's ACL)", () => {
  it("an edge publishes exactly its own site's edge -> central topics", () => {
    for (const kind of TOPIC_KINDS) {
      const own = edgePublications("ams-01").includes(topics[kind]("ams-01"));
      expect(own).toBe(TOPIC_SPEC[kind].direction === "edge->central");
      expect(edgePublications("ams-01").some((f) => matches(f, topics[kind]("ams-02")))).toBe(
        false,
      );
    }
    expect(edgePublications("ams-01").every((f) => !f.includes("+") && !f.includes("#"))).toBe(
      true,
    );
  });

  it("central publishes every site's central -> edge topics and its status", () => {
    for (const kind of TOPIC_KINDS) {
      const caught = centralPublications.some((f) => matches(f, topics[kind]("ams-01")));
      expect(caught).toBe(TOPIC_SPEC[kind].direction === "central->edge");
    }
    expect(centralPublications).toContain(CENTRAL_STATUS_TOPIC);
  });

  it("what one side publishes, the other subscribes to", () => {
    for (const topic of edgePublications("ams-01"))
      expect(centralSubscriptions.some((f) => matches(f, topic))).toBe(true);
    for (const topic of edgeSubscriptions("ams-01"))
      expect(centralPublications.some((f) => matches(f, topic))).toBe(true);
  });

  it("central's status is outside the sites' tree, and every edge reads it", () => {
    expect(CENTRAL_STATUS_TOPIC).toBe("acs/v1/central/status");
    expect(edgeSubscriptions("ams-01")).toContain(CENTRAL_STATUS_TOPIC);
    expect(edgeSubscriptions("ams-02")).toContain(CENTRAL_STATUS_TOPIC);
    expect(centralSubscriptions.some((f) => matches(f, CENTRAL_STATUS_TOPIC))).toBe(false);
  });
});
