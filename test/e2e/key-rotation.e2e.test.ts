import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  encodeEdgeStatus,
  generateSigningKeyPair,
  loadPrivateKey,
  signEnvelope,
  topics,
} from "@acs/protocol";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { central } from "../support/central-process.js";
import { centralSecurityEvents } from "../support/event-counts.js";
import { until } from "../support/log-sink.js";
import { edgeKeyOf, provisionEdgeKey } from "../support/sync-site.js";
import { SyncedSite } from "../support/synced-site.js";

const SITE = "ams-bsl";

/**
 * Both keys of the sync plane rotate with an overlap, end to end with real processes:
 * central's key site by site (the edge trusts the new one, central signs with it, the old
 * one is withdrawn), and an edge's own key (both accepted until the new one is used, the
 * old one refused once the overlap is over). Nothing stops deciding meanwhile.
 */
describe("key rotation, both ways, with an overlap", () => {
  let s: SyncedSite;
  let nextKeyFile: string;

  beforeAll(async () => {
    s = await SyncedSite.start(SITE);
    nextKeyFile = join(s.dir, "central-2.pem");
    writeFileSync(nextKeyFile, generateSigningKeyPair("central-2").privateKeyPem, { mode: 0o600 });
  }, 60_000);

  afterAll(async () => {
    await s?.stop();
  });

  const decision = (cardId: number, from: number) =>
    s.accessd.waitFor(
      (l) =>
        s.accessd.lines.indexOf(l) >= from &&
        l.cardId === cardId &&
        (l.outcome === "grant" || l.outcome === "deny"),
      5000,
      `the decision on card ${cardId}`,
    );

  it("central's key: the edge trusts the new key, then drops the old; deltas signed with the new one count", async () => {
    await s.restartCentral({ extra: ["--next-key", nextKeyFile, "--next-key-id", "central-2"] });
    await s.accessd.waitFor(
      (l) => l.msg === "central key trusted" && l.keyId === "central-2",
      20_000,
      "the new key trusted",
    );
    await s.accessd.waitFor(
      (l) => l.msg === "central key withdrawn" && l.keyId === "central-1",
      40_000,
      "the old key withdrawn",
    );
    // Central on its new key alone: a grant reaches the door.
    await s.restartCentral({ keyFile: nextKeyFile, keyId: "central-2" });
    const from = s.accessd.lines.length;
    const granted = await central(s.files.db, "grant", "--employment", "3", "--area", "1");
    expect(granted.code, granted.stderr).toBe(0);
    await s.accessd.waitFor(
      (l) => l.msg === "delta applied" && s.accessd.lines.indexOf(l) >= from,
      10_000,
      "the grant's delta",
    );
    await s.present(103);
    expect((await decision(103, from)).outcome).toBe("grant");
    expect(
      s.accessd.lines.some((l) => l.msg === "sync message refused" && l.message === "delta"),
    ).toBe(false);
  }, 90_000);

  it("the rotation outlives a restart of accessd, whose config still names only the old key", async () => {
    await s.accessd.stop();
    await s.startAccessd();
    const from = s.accessd.lines.length;
    const ended = await central(s.files.db, "end-employment", "--employment", "2");
    expect(ended.code, ended.stderr).toBe(0);
    await s.accessd.waitFor(
      (l) => l.msg === "delta applied" && s.accessd.lines.indexOf(l) >= from,
      10_000,
      "the end's delta",
    );
    await s.present(102);
    expect((await decision(102, from)).outcome).toBe("deny");
  }, 60_000);

  it("an edge's key: both accepted until the new one is used, then the old one is refused after the overlap", async () => {
    await s.restartCentral({
      keyFile: nextKeyFile,
      keyId: "central-2",
      extra: ["--edge-key-overlap", "3"],
    });
    const oldKeyFile = edgeKeyOf(s.files, SITE);
    const fresh = await provisionEdgeKey(s.dir, s.files.db, SITE, "edge-new.key");
    s.rewriteConfig((config) => {
      (config.sync as { edgeKey: unknown }).edgeKey = { privateKeyFile: fresh.privateKeyFile };
    });
    await s.accessd.stop();
    await s.startAccessd();
    await s.central.waitFor(
      (l) => l.msg === "edge key rotation confirmed: the older keys retire after the overlap",
      15_000,
    );
    for (let i = 0; i < 3; i++) await s.present(101);
    await s.drained();
    await new Promise((r) => setTimeout(r, 3500));
    // A message signed with the old key, after the overlap: refused.
    const listed = await central(s.files.db, "edge", "list", "--site", SITE);
    expect(listed.stdout).toMatch(/retired \(replaced\)/);
    const oldKey = loadPrivateKey(readFileSync(oldKeyFile, "utf8"));
    const oldKeyId = /ams-bsl-[0-9a-f]{16}(?=\s.*retired)/.exec(listed.stdout)?.[0] as string;
    expect(oldKeyId).toBeDefined();
    const status = encodeEdgeStatus({
      site: SITE,
      online: true,
      stateVersion: 1,
      outboxDepth: 0,
      outboxAlarm: false,
      readers: [],
      at: Date.now(),
      session: "old",
      edgeKeyId: oldKeyId,
      centralKeyIds: [],
      storeUnwritable: false,
      eventsQueued: 0,
      eventsDropped: 0,
      outboxEpoch: "",
      syncHealthy: true,
    });
    const client = await mqtt.connectAsync(s.broker.url, { protocolVersion: 4 });
    await client.publishAsync(
      topics.status(SITE),
      Buffer.from(signEnvelope("status", status, { keyId: oldKeyId, privateKey: oldKey })),
      { qos: 1 },
    );
    await client.endAsync();
    const eventsDb = `${s.files.db}.events`;
    await until(
      () => centralSecurityEvents(eventsDb).some((e) => e.reason === "RETIRED_KEY"),
      5000,
      "the old key refused",
    );
    expect(centralSecurityEvents(eventsDb).at(-1)).toMatchObject({
      site: SITE,
      kind: "status",
      reason: "RETIRED_KEY",
      keyId: oldKeyId,
    });
  }, 90_000);
});
