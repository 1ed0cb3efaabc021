import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CENTRAL_STATUS_TOPIC,
  centralSubscriptions,
  edgePublications,
  edgeSubscriptions,
  topics,
} from "@acs/protocol";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { central } from "../support/central-process.js";
import type { Mosquitto } from "../support/mosquitto.js";
import {
  type ClientFiles,
  makeCertificates,
  startSecureBroker,
  tlsClient,
} from "../support/secure-broker.js";

/** Messages a client received, and a wait for one. */
function inbox(client: mqtt.MqttClient) {
  const got: Array<{ topic: string; payload: string; retain: boolean }> = [];
  client.on("message", (topic, payload, packet) =>
    got.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  return {
    got,
    topics: () => got.map((m) => m.topic),
    async waitFor(payload: string, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!got.some((m) => m.payload === payload)) {
        if (Date.now() > deadline)
          throw new Error(`"${payload}" never arrived: ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** One SUBSCRIBE per filter, so every SUBACK code is seen on its own. */
async function subscribeEach(client: mqtt.MqttClient, filters: readonly string[]) {
  const codes: Record<string, number> = {};
  for (const filter of filters) {
    const [grant] = await client.subscribeAsync(filter, { qos: 1 });
    codes[filter] = grant?.qos ?? -1;
  }
  return codes;
}

/** How a connection attempt ends: "connected", or why not. */
function attempt(url: string, options: mqtt.IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ...options,
    });
    let settled = false;
    const done = (outcome: string) => {
      if (settled) return;
      settled = true;
      client.end(true);
      resolve(outcome);
    };
    client.once("connect", () => done("connected"));
    client.once("error", (err) => done(`refused: ${err.message}`));
    client.once("close", () => done("refused: closed"));
  });
}

// Fences: a publisher's messages reach a subscriber in order, and Mosquitto queues a
// message to its subscribers before it acknowledges it; so once a message published after
// the forbidden ones has arrived, a forbidden one that was let through would be there too.

describe("the generated broker configuration on a real Mosquitto (client certificates)", () => {
  let dir: string;
  let db: string;
  let broker: Mosquitto;
  let configure: () => Promise<string>;
  let certs: Awaited<ReturnType<typeof makeCertificates>>;
  let foreign: ClientFiles;
  const clients: mqtt.MqttClient[] = [];
  const connect = async (identity: string, options: mqtt.IClientOptions = {}) => {
    const client = await tlsClient(broker.url, certs.client(identity), {
      clientId: identity,
      ...options,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-broker-security-"));
    db = join(dir, "central.db");
    for (const args of [["init"], ...["a", "b"].map((s) => ["site", "add", s, "--name", s])]) {
      const r = await central(db, ...args);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    certs = await makeCertificates(dir, ["edge-a", "edge-b", "central", "edge-c"]);
    // The same identity from a CA the broker does not know.
    const other = await makeCertificates(join(dir, "other"), ["edge-b"]);
    foreign = other.client("edge-b");
    ({ broker, configure } = await startSecureBroker(dir, db));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("listens on its TLS port only: plain MQTT, no certificate, another CA are refused", async () => {
    const ports = [...broker.output.matchAll(/listen socket on port (\d+)/g)].map((m) => m[1]);
    expect(new Set(ports)).toEqual(new Set([String(broker.port)]));
    const plain = await attempt(`mqtt://127.0.0.1:${broker.port}`, { clientId: "edge-a" });
    expect(plain).toMatch(/^refused/);
    const ca = readFileSync(certs.ca);
    expect(await attempt(broker.url, { ca, clientId: "edge-a" })).toMatch(/^refused/);
    const stranger = await attempt(broker.url, {
      ca,
      cert: readFileSync(foreign.certFile),
      key: readFileSync(foreign.keyFile),
      clientId: "edge-b",
    });
    expect(stranger).toMatch(/^refused/);
    // And a client that does not know the installation's CA does not trust the broker.
    const a = certs.client("edge-a");
    const untrusting = await attempt(broker.url, {
      cert: readFileSync(a.certFile),
      key: readFileSync(a.keyFile),
      rejectUnauthorized: true,
    });
    expect(untrusting).toMatch(/^refused: .*(self[- ]signed|unable to verify|certificate)/i);
    expect(
      await attempt(broker.url, {
        ca,
        cert: readFileSync(a.certFile),
        key: readFileSync(a.keyFile),
      }),
    ).toBe("connected");
  });

  it("an edge can do everything its own site needs", async () => {
    const hub = await connect("central");
    const centralBox = inbox(hub);
    expect(Object.values(await subscribeEach(hub, centralSubscriptions))).toEqual(
      centralSubscriptions.map(() => 1),
    );
    await hub.publishAsync(CENTRAL_STATUS_TOPIC, "central online", { qos: 1, retain: true });
    const edge = await connect("edge-a");
    const edgeBox = inbox(edge);
    const codes = await subscribeEach(edge, edgeSubscriptions("a"));
    expect(Object.values(codes)).toEqual(edgeSubscriptions("a").map(() => 1));
    await edgeBox.waitFor("central online");
    for (const topic of edgeSubscriptions("a").filter((t) => t !== CENTRAL_STATUS_TOPIC))
      await hub.publishAsync(topic, `to a: ${topic}`, { qos: 1 });
    for (const topic of edgePublications("a"))
      await edge.publishAsync(topic, `from a: ${topic}`, { qos: 1 });
    for (const topic of edgeSubscriptions("a").filter((t) => t !== CENTRAL_STATUS_TOPIC))
      await edgeBox.waitFor(`to a: ${topic}`);
    for (const topic of edgePublications("a")) await centralBox.waitFor(`from a: ${topic}`);
  });

  it("an edge cannot read another site's topics, by name or by wildcard, retained or not", async () => {
    const hub = await connect("central");
    const b = await connect("edge-b");
    await b.publishAsync(topics.status("b"), "b's retained status", { qos: 1, retain: true });
    const spy = await connect("edge-a");
    const spyBox = inbox(spy);
    const others = [
      ...edgeSubscriptions("b").filter((t) => t !== CENTRAL_STATUS_TOPIC),
      ...edgePublications("b"),
      "acs/v1/sites/+/state/#",
      "acs/v1/sites/#",
      "#",
      CENTRAL_STATUS_TOPIC,
    ];
    const codes = await subscribeEach(spy, others);
    // Mosquitto 2's acl_file grants every SUBSCRIBE (SUBACK 1; its source says so) and
    // checks `read` on each message instead: what counts is that nothing of b arrives.
    for (const [filter, code] of Object.entries(codes))
      expect([0x80, 0, 1], filter).toContain(code);
    // The retained status of central is the fence for the retained messages (its filter last).
    await spyBox.waitFor("central online");
    for (const topic of [
      topics.delta("b"),
      topics.snapshotManifest("b"),
      topics.snapshotChunk("b"),
      topics.eventsAck("b"),
      topics.command("b"),
    ])
      await hub.publishAsync(topic, `secret of b: ${topic}`, { qos: 1 });
    await b.publishAsync(topics.events("b"), "b's events", { qos: 1 });
    await hub.publishAsync(topics.snapshotManifest("a"), "fence for a", { qos: 1 });
    await spyBox.waitFor("fence for a");
    expect(spyBox.got.filter((m) => m.topic.includes("/sites/b/"))).toEqual([]);
    expect(
      spyBox.topics().every((t) => t === CENTRAL_STATUS_TOPIC || t.includes("/sites/a/")),
    ).toBe(true);
  });

  it("an edge cannot publish as another site: Mosquitto drops the message", async () => {
    const hub = await connect("central");
    const hubBox = inbox(hub);
    await subscribeEach(hub, centralSubscriptions);
    const b = await connect("edge-b");
    const bBox = inbox(b);
    await subscribeEach(b, edgeSubscriptions("b"));
    // Mosquitto 2.0.11 acknowledges a refused publish (QoS 1) and then drops the
    // connection of an MQTT 3.1.1 client; so a connection per forged message.
    for (const topic of [...edgePublications("b"), ...edgeSubscriptions("b")]) {
      const forger = await connect("edge-a");
      const closed = new Promise<void>((r) => forger.once("close", () => r()));
      await Promise.race([forger.publishAsync(topic, `forged: ${topic}`, { qos: 1 }), closed]);
    }
    const honest = await connect("edge-a");
    await honest.publishAsync(topics.events("a"), "a's own events", { qos: 1 });
    await hub.publishAsync(topics.eventsAck("b"), "central's ack for b", { qos: 1 });
    await hubBox.waitFor("a's own events");
    await bBox.waitFor("central's ack for b");
    expect([...hubBox.got, ...bBox.got].filter((m) => m.payload.startsWith("forged"))).toEqual([]);
  });

  it("a certificate of site a with client id edge-b does not take over b's session", async () => {
    const hub = await connect("central");
    const b = await connect("edge-b", { clean: false });
    await b.subscribeAsync(topics.delta("b"), { qos: 1 });
    await b.endAsync();
    await hub.publishAsync(topics.delta("b"), "queued for b", { qos: 1 });
    const impostor = await tlsClient(broker.url, certs.client("edge-a"), {
      clientId: "edge-b",
      clean: false,
    });
    clients.push(impostor);
    const impostorBox = inbox(impostor);
    await impostor.subscribeAsync(topics.delta("a"), { qos: 1 });
    await hub.publishAsync(topics.delta("a"), "fence for the impostor", { qos: 1 });
    await impostorBox.waitFor("fence for the impostor");
    expect(impostorBox.got.map((m) => m.payload)).not.toContain("queued for b");
    // b's session is untouched: back, it gets what was queued while it was away.
    const back = mqtt.connect(broker.url, {
      ...b.options,
      ca: readFileSync(certs.ca),
      reconnectPeriod: 0,
    });
    clients.push(back);
    const backBox = inbox(back);
    const connack = await new Promise<mqtt.IConnackPacket>((r) => back.once("connect", r));
    expect(connack.sessionPresent).toBe(true);
    await backBox.waitFor("queued for b");
  });

  it("a site added later: broker-config again and SIGHUP, and its edge may read its topics", async () => {
    const r = await central(db, "site", "add", "c", "--name", "c");
    expect(r.code, r.stderr).toBe(0);
    const hub = await connect("central");
    const c = await connect("edge-c");
    const box = inbox(c);
    await c.subscribeAsync([topics.delta("c"), CENTRAL_STATUS_TOPIC], { qos: 1 });
    // Not in the ACL yet: the retained status, the delta do not reach it.
    await hub.publishAsync(topics.delta("c"), "too early for c", { qos: 1 });
    expect(await configure()).toContain("written: acl");
    await broker.reload();
    // The connection it had keeps going, now with its grants.
    await hub.publishAsync(topics.delta("c"), "delta for c", { qos: 1 });
    await box.waitFor("delta for c");
    expect(box.got.map((m) => m.payload)).not.toContain("too early for c");
    const again = await connect("edge-c");
    const againBox = inbox(again);
    await again.subscribeAsync(CENTRAL_STATUS_TOPIC, { qos: 1 });
    await againBox.waitFor("central online");
  });
});

describe("the password alternative on a real Mosquitto", () => {
  let dir: string;
  let broker: Mosquitto;
  let brokerDir: string;
  let ca: Buffer;
  const password = (identity: string) =>
    readFileSync(join(brokerDir, "passwords", `${identity}.password`), "utf8").trim();
  const options = (identity: string, secret = password(identity)): mqtt.IClientOptions => ({
    ca,
    username: identity,
    password: secret,
    clientId: identity,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-broker-password-"));
    const db = join(dir, "central.db");
    for (const args of [["init"], ...["a", "b"].map((s) => ["site", "add", s, "--name", s])]) {
      const r = await central(db, ...args);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    const certs = await makeCertificates(dir, []);
    ca = readFileSync(certs.ca);
    ({ broker, brokerDir } = await startSecureBroker(dir, db, { auth: "password" }));
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the right password connects, a wrong one or none is refused, and the ACL applies", async () => {
    expect(await attempt(broker.url, options("edge-a", "not-the-password"))).toMatch(/^refused/);
    expect(await attempt(broker.url, { ca, clientId: "edge-a" })).toMatch(/^refused/);
    expect(await attempt(broker.url, options("edge-a", password("edge-b")))).toMatch(/^refused/);
    expect(await attempt(`mqtt://127.0.0.1:${broker.port}`, options("edge-a"))).toMatch(/^refused/);
    const hub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, ...options("central") });
    const edge = await mqtt.connectAsync(broker.url, { protocolVersion: 4, ...options("edge-a") });
    try {
      const box = inbox(edge);
      await edge.subscribeAsync([topics.delta("b"), "acs/v1/sites/+/state/#", topics.delta("a")], {
        qos: 1,
      });
      await hub.publishAsync(topics.delta("b"), "b's delta", { qos: 1 });
      await hub.publishAsync(topics.delta("a"), "a's delta", { qos: 1 });
      await box.waitFor("a's delta");
      expect(box.got.map((m) => m.payload)).not.toContain("b's delta");
    } finally {
      await Promise.all([hub.endAsync(true), edge.endAsync(true)]);
    }
  });
});
