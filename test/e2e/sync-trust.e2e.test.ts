import { readFileSync, rmSync } from "node:fs";
import {
  acsType,
  decodeEdgeStatus,
  encodeEventAck,
  encodeEventBatch,
  loadPrivateKey,
  signEnvelope,
  topics,
} from "@acs/protocol";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  centralEvents,
  centralEventsOf,
  centralSecurityEvents,
  edgeOutbox,
} from "../support/event-counts.js";
import { until } from "../support/log-sink.js";
import { edgeTrust } from "../support/sync-site.js";
import { SyncedSite } from "../support/synced-site.js";

const SITE = "ams-bsl";
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/**
 * The reproductions of the attack run on the sync plane, with real processes: whoever can
 * publish on the broker forges acks and event batches; a store is wiped. Each must cost no
 * event and leave a security event behind.
 */
describe("sync you can trust: forgeries on the broker and a wiped store lose nothing", () => {
  let s: SyncedSite;
  let attacker: MqttClient;
  let eventsDb: string;

  beforeAll(async () => {
    s = await SyncedSite.start(SITE);
    eventsDb = `${s.files.db}.events`;
    // Anyone on the broker: no key of central's or of any edge.
    attacker = await mqtt.connectAsync(s.broker.url, { protocolVersion: 4, clientId: "intruder" });
  }, 60_000);

  /** Puts back what a test took away, when it failed before doing so itself. */
  let onFailure: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await onFailure?.();
    onFailure = undefined;
  });

  afterAll(async () => {
    await attacker?.endAsync(true);
    await s?.stop();
  });

  const cardReads = () => centralEvents(eventsDb, SITE).cardReads;
  const refusedAtEdge = (message: string) =>
    s.accessd.lines.filter((l) => l.msg === "sync message refused" && l.message === message);

  it("a forged, unsigned ack (bounded [[10, 21]] and open-ended) makes the edge skip nothing", async () => {
    await s.drained();
    const before = cardReads();
    // Central away, so nothing but the forgeries could acknowledge these events.
    await s.stopCentral();
    onFailure = () => s.startCentral();
    for (let i = 0; i < 10; i++) await s.present(i % 2 === 0 ? 101 : 999);
    await until(() => edgeOutbox(s.storePath).depth >= 20, 5000, "the reads in the outbox");
    const { lastSeq, depth } = edgeOutbox(s.storePath);
    const first = lastSeq - depth + 1;
    const bounded = encodeEventAck({
      site: SITE,
      batchId: 1,
      epoch: "forged",
      ranges: [[first, first + 11]],
    });
    const open = encodeEventAck({
      site: SITE,
      batchId: 2,
      epoch: "forged",
      ranges: [[first, MAX_SEQ]],
    });
    // The issue's own bytes (site "s1", batch 1, ranges [[10, 21]], no epoch), on this site's topic.
    const issue = Buffer.from("0a02733110011a04080a1015", "hex");
    for (const payload of [bounded, open, issue])
      await attacker.publishAsync(topics.eventsAck(SITE), Buffer.from(payload), { qos: 1 });
    await until(() => refusedAtEdge("ack").length >= 3, 5000, "the forged acks refused");
    expect(refusedAtEdge("ack").map((l) => l.reason)).toEqual(["UNSIGNED", "UNSIGNED", "UNSIGNED"]);
    // Nothing was deleted for them: the oldest event is still there (the refusals came on top).
    const after = edgeOutbox(s.storePath);
    expect(after.lastSeq - after.depth + 1).toBe(first);
    expect(after.depth).toBeGreaterThanOrEqual(depth + 3);
    onFailure = undefined;
    await s.startCentral();
    await s.drained();
    expect(cardReads() - before).toBe(10);
    // The refusals are events too: they reached central.
    const refusals = centralEventsOf(eventsDb, SITE, "sync-refused").filter(
      (e) => e.payload.message === "ack",
    );
    expect(refusals.length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("a forged event batch (unsigned, or signed by another site's edge) is refused; the real events are stored", async () => {
    await s.drained();
    const before = cardReads();
    const { lastSeq } = edgeOutbox(s.storePath);
    const forged = (seq: number) => ({
      seq,
      at: Date.now(),
      type: "card-read",
      doorId: "hall",
      readerId: "hall-in",
      payloadJson: '{"forged":true}',
    });
    const events = Array.from({ length: 40 }, (_, i) => forged(lastSeq + 1 + i));
    // The edge's real epoch, as anyone reading its (signed, not secret) status sees it.
    const epoch = await statusEpoch();
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const batch = encodeEventBatch({ site: SITE, batchId: 1, epoch, events });
    await attacker.publishAsync(topics.events(SITE), Buffer.from(batch), { qos: 1 });
    // Signed, but with the key of the edge of "elsewhere", on this site's topic.
    const elsewhere = s.files.edgeKeys.elsewhere;
    if (!elsewhere) throw new Error("no key for elsewhere");
    const privateKey = loadPrivateKey(readFileSync(elsewhere.privateKeyFile, "utf8"));
    const keyId = [...edgeTrustIds("elsewhere")][0] as string;
    const otherSite = signEnvelope("events", batch, { keyId, privateKey });
    await attacker.publishAsync(topics.events(SITE), Buffer.from(otherSite), { qos: 1 });
    await until(() => centralSecurityEvents(eventsDb).length >= 2, 5000, "central's refusals");
    expect(centralSecurityEvents(eventsDb).slice(-2)).toEqual([
      { site: SITE, kind: "events", reason: "UNSIGNED", keyId: null },
      { site: SITE, kind: "events", reason: "WRONG_SITE", keyId },
    ]);
    for (let i = 0; i < 20; i++) await s.present(101);
    await s.drained();
    expect(cardReads() - before).toBe(20);
    const stored = centralEventsOf(eventsDb, SITE, "card-read");
    expect(stored.some((e) => e.payload.forged === true)).toBe(false);
  }, 60_000);

  it("a wiped store starts a new epoch: its events are never taken for old ones", async () => {
    await s.drained();
    const before = cardReads();
    const epochsBefore = new Set(centralEventsOf(eventsDb, SITE, "card-read").map((e) => e.epoch));
    await s.accessd.stop("SIGKILL");
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${s.storePath}${suffix}`, { force: true });
    await s.startAccessd();
    await until(
      () => s.accessd.lines.some((l) => l.msg === "snapshot applied"),
      20_000,
      "the new store's snapshot",
    );
    for (let i = 0; i < 5; i++) await s.present(101);
    await s.drained();
    // Seqs start at 1 again, under a new epoch: all five stored.
    expect(cardReads() - before).toBe(5);
    const fresh = centralEventsOf(eventsDb, SITE, "card-read").filter(
      (e) => !epochsBefore.has(e.epoch),
    );
    expect(fresh.map((e) => e.seq).every((seq) => seq < 50)).toBe(true);
    expect(fresh).toHaveLength(5);
  }, 60_000);

  /** The outbox epoch in the edge's retained status, read without verifying anything. */
  async function statusEpoch(): Promise<string> {
    const reader = await mqtt.connectAsync(s.broker.url, { protocolVersion: 4, clean: true });
    try {
      const status = new Promise<Buffer>((resolve) => reader.on("message", (_t, p) => resolve(p)));
      await reader.subscribeAsync(topics.status(SITE), { qos: 1 });
      const envelope = acsType("SignedEnvelope").decode(await status) as unknown as {
        payload: Uint8Array;
      };
      return decodeEdgeStatus(envelope.payload).outboxEpoch;
    } finally {
      await reader.endAsync(true);
    }
  }

  /** The key id(s) central holds for `site`'s edge. */
  function edgeTrustIds(site: string): string[] {
    const keys = edgeTrust(s.files, site) as Map<string, unknown>;
    return [...keys.keys()];
  }
});
