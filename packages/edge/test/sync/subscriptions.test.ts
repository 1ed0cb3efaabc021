import { topics } from "@acs/protocol";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type SubscribeFn, Subscriptions } from "../../src/sync/subscriptions.js";
import { fakeClock } from "../fake-clock.js";
import { Broker, DYNSEC_PLUGIN } from "./broker.js";
import { FakeCentral, signingKeys } from "./central.js";
import { cleanupDirs, type EdgeFixture, startEdge, stopEdge, waitFor } from "./fixtures.js";

describe("subscriptions (SUBACK checks, unit)", () => {
  function setup() {
    const { clock, fake } = fakeClock();
    const calls: Array<{
      filters: readonly string[];
      done: Parameters<SubscribeFn>[1];
    }> = [];
    let changes = 0;
    const subs = new Subscriptions({
      filters: ["a", "b", "c"],
      clock,
      log: pino({ level: "silent" }),
      subscribe: (filters, done) => calls.push({ filters, done }),
      changed: () => {
        changes++;
      },
      retry: { initialMs: 1000, maxMs: 8000 },
    });
    return { subs, calls, fake, changes: () => changes };
  }

  it("takes a SUBACK per filter and asks again, with backoff, for the refused ones", () => {
    const { subs, calls, fake } = setup();
    subs.onConnect();
    expect(calls.map((c) => c.filters)).toEqual([["a", "b", "c"]]);
    expect(subs.all()).toEqual({ a: "pending", b: "pending", c: "pending" });
    calls[0]?.done(undefined, [1, 0x80, 0]);
    expect(subs.all()).toEqual({ a: "granted", b: "refused", c: "degraded" });
    expect(subs.healthy()).toBe(false);
    expect(subs.holds("c")).toBe(true);
    expect(subs.refused()).toEqual(["b"]);

    // Backoff 1 s, 2 s, ... each jittered to 50..100 %.
    fake.tick(499);
    expect(calls).toHaveLength(1);
    fake.tick(501);
    expect(calls[1]?.filters).toEqual(["b"]);
    calls[1]?.done(undefined, [0x80]);
    fake.tick(999);
    expect(calls).toHaveLength(2);
    fake.tick(1001);
    expect(calls[2]?.filters).toEqual(["b"]);
    calls[2]?.done(undefined, [1]);
    expect(subs.state("b")).toBe("granted");
    expect(subs.refusalCount).toBe(2);
    fake.tick(60_000);
    expect(calls).toHaveLength(3);
  });

  it("asks again when the SUBACK does not come back usable", () => {
    const { subs, calls, fake } = setup();
    subs.onConnect();
    calls[0]?.done(new Error("connection closed"), undefined);
    expect(subs.healthy()).toBe(false);
    fake.tick(1000);
    expect(calls[1]?.filters).toEqual(["a", "b", "c"]);
    calls[1]?.done(undefined, [1, 1, 1]);
    expect(subs.healthy()).toBe(true);
  });

  it("ignores a SUBACK from an earlier connection and stops retrying when down", () => {
    const { subs, calls, fake } = setup();
    subs.onConnect();
    subs.onDown();
    subs.onConnect();
    calls[0]?.done(undefined, [1, 1, 1]);
    expect(subs.all()).toEqual({ a: "pending", b: "pending", c: "pending" });
    calls[1]?.done(undefined, [1, 1, 0x80]);
    subs.onDown();
    fake.tick(120_000);
    expect(calls).toHaveLength(2);
  });
});

describe.skipIf(!DYNSEC_PLUGIN)("subscriptions (a broker refusing one, SUBACK 0x80)", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    cleanupDirs();
  });

  it("reports the edge unhealthy and retries until the subscription holds", async () => {
    const site = "suback";
    const commandTopic = topics.command(site);
    const broker = await Broker.start({ denySubscribe: [commandTopic] });
    closers.push(() => broker.stop());
    const { key, trusted } = signingKeys();
    const central = await FakeCentral.start(broker.url, site, key);
    closers.push(() => central.close());
    const edge: EdgeFixture = startEdge({
      site,
      mqttUrl: broker.url,
      publicKeys: trusted,
      subscribeRetry: { initialMs: 100, maxMs: 200 },
      uplink: { pollMs: 20 },
    });
    closers.push(() => stopEdge(edge));

    await waitFor(() => edge.client.stats().subscriptionRefusals >= 2, "refused, retried");
    const health = edge.client.health();
    expect(health.connected).toBe(true);
    expect(health.healthy).toBe(false);
    expect(health.subscriptions[commandTopic]).toBe("refused");
    expect(health.subscriptions[topics.delta(site)]).toBe("granted");
    expect(health.problems).toContain(`subscription refused: ${commandTopic}`);
    // The rest works meanwhile (the uplink runs), and central sees the problem.
    await waitFor(
      () => [...central.events.values()].some((e) => e.type === "sync-health"),
      "sync-health event at central",
    );
    const unhealthy = [...central.events.values()].find((e) => e.type === "sync-health");
    expect(JSON.parse(unhealthy?.payloadJson ?? "{}")).toEqual({
      healthy: false,
      refusedSubscriptions: [commandTopic],
    });
    await waitFor(
      () => central.statuses.some((s) => s.readers.some((r) => r.bus === "sync")),
      "unhealthy in the status",
    );

    await broker.allowSubscribe(commandTopic);
    await waitFor(() => edge.client.health().healthy, "healthy once allowed", 10_000);
    await waitFor(
      () => central.statuses.at(-1)?.readers.every((r) => r.bus !== "sync") === true,
      "status healthy again",
    );
    // And commands now arrive.
    const now = Date.now();
    await central.publishCommand({
      id: "after-allow",
      site,
      issuedAt: now,
      expiresAt: now + 60_000,
      action: { kind: "lockdown", on: false, reason: "test" },
    });
    await waitFor(() => central.results.length === 1, "command result");
    expect(central.results[0]).toMatchObject({ id: "after-allow", outcome: "done" });
  });
});
