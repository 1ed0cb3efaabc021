import {
  encodeEventBatch,
  generateSigningKeyPair,
  loadPrivateKey,
  type SigningKey,
  signEnvelope,
} from "@acs/protocol";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { EdgeIngest } from "../../src/service/edge-ingest.js";
import { EventStore } from "../../src/service/event-store.js";
import { SecurityLog } from "../../src/service/security-log.js";
import { EdgeKeyCache, EdgeKeyRegistry } from "../../src/trust/edge-keys.js";
import { openTestStore, tempDbPath } from "../support/fixture.js";

function setup() {
  const t = openTestStore();
  t.cmd.createSite({ id: "ams-bsl", name: "Amsterdam" });
  t.cmd.createSite({ id: "rtm-wh", name: "Rotterdam" });
  let now = 1_000_000;
  const registry = new EdgeKeyRegistry(t.store.db, () => now);
  const keyOf = (site: string): SigningKey => {
    const pair = generateSigningKeyPair("x");
    const info = registry.register(site, pair.publicKeyPem, { by: "test" });
    now += 1;
    return { keyId: info.keyId, privateKey: loadPrivateKey(pair.privateKeyPem) };
  };
  const events = new EventStore(tempDbPath());
  const security = new SecurityLog(pino({ level: "silent" }), events, () => now, 3);
  const keys = new EdgeKeyCache(registry, () => now, 60_000, 0);
  const ingest = new EdgeIngest({
    keys,
    registry,
    security,
    log: pino({ level: "silent" }),
    overlapMs: 10_000,
  });
  const reasons = () =>
    events.db.prepare("SELECT reason FROM security_event ORDER BY id").pluck().all() as string[];
  return {
    ...t,
    registry,
    keyOf,
    events,
    security,
    ingest,
    reasons,
    tick: (ms: number) => (now += ms),
  };
}

const batch = (site: string) => encodeEventBatch({ site, batchId: 1, epoch: "e1", events: [] });

describe("what central takes from an edge", () => {
  it("opens a message signed by an active key of the topic's own site", () => {
    const { ingest, keyOf } = setup();
    const key = keyOf("ams-bsl");
    const opened = ingest.open("ams-bsl", "events", signEnvelope("events", batch("ams-bsl"), key));
    expect(opened?.keyId).toBe(key.keyId);
  });

  it("refuses unsigned, wrongly signed, unknown, other-site and wrong-kind messages, each a security event", () => {
    const { ingest, keyOf, reasons, security } = setup();
    const ams = keyOf("ams-bsl");
    const rtm = keyOf("rtm-wh");
    const stranger: SigningKey = {
      keyId: "ams-bsl-0000000000000000",
      privateKey: loadPrivateKey(generateSigningKeyPair("s").privateKeyPem),
    };
    const tampered = signEnvelope("events", batch("ams-bsl"), ams);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    const impostor: SigningKey = { keyId: ams.keyId, privateKey: rtm.privateKey };
    const cases: Array<[string, Uint8Array]> = [
      ["UNSIGNED", batch("ams-bsl")],
      ["BAD_SIGNATURE", tampered],
      ["BAD_SIGNATURE", signEnvelope("events", batch("ams-bsl"), impostor)],
      ["UNKNOWN_KEY", signEnvelope("events", batch("ams-bsl"), stranger)],
      ["WRONG_SITE", signEnvelope("events", batch("ams-bsl"), rtm)],
      ["WRONG_KIND", signEnvelope("status", batch("ams-bsl"), ams)],
    ];
    for (const [, bytes] of cases) expect(ingest.open("ams-bsl", "events", bytes)).toBeUndefined();
    // At most 3 kept a minute (this log's limit); all counted.
    expect(reasons()).toEqual(cases.slice(0, 3).map(([reason]) => reason));
    expect(security.total).toBe(cases.length);
    expect(security.counts).toEqual({
      UNSIGNED: 1,
      BAD_SIGNATURE: 2,
      UNKNOWN_KEY: 1,
      WRONG_SITE: 1,
      WRONG_KIND: 1,
    });
    security.flush();
    expect(reasons().at(-1)).toBe("SUPPRESSED");
  });

  it("takes the old and the new key of a rotation until the overlap after the new one's first use", () => {
    const { ingest, keyOf, tick, reasons } = setup();
    const old = keyOf("ams-bsl");
    const fresh = keyOf("ams-bsl");
    const send = (key: SigningKey) =>
      ingest.open("ams-bsl", "events", signEnvelope("events", batch("ams-bsl"), key));
    expect(send(old)).toBeDefined();
    expect(send(fresh)).toBeDefined();
    tick(9_999);
    expect(send(old)).toBeDefined();
    tick(1);
    expect(send(old)).toBeUndefined();
    expect(send(fresh)).toBeDefined();
    expect(reasons()).toEqual(["RETIRED_KEY"]);
  });
});
