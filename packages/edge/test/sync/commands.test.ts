import { encodeCommand, type SiteCommand, topics } from "@acs/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Broker } from "./broker.js";
import { FakeCentral, signingKeys } from "./central.js";
import { cleanupDirs, type EdgeFixture, startEdge, stopEdge, waitFor } from "./fixtures.js";

const { key, trusted } = signingKeys();
let broker: Broker;
const centrals: FakeCentral[] = [];
const edges: EdgeFixture[] = [];
let siteNo = 0;

beforeAll(async () => {
  broker = await Broker.start();
});

afterEach(async () => {
  for (const edge of edges.splice(0)) await stopEdge(edge);
  for (const central of centrals.splice(0)) await central.close();
  cleanupDirs();
});

afterAll(async () => {
  await broker.stop();
});

async function setup() {
  const site = `cmd-${++siteNo}`;
  const central = await FakeCentral.start(broker.url, site, key);
  centrals.push(central);
  const edge = edgeFor(site);
  await waitFor(() => edge.client.health().healthy, "edge subscribed");
  return { site, central, edge };
}

function edgeFor(site: string, path?: string): EdgeFixture {
  const edge = startEdge({
    site,
    mqttUrl: broker.url,
    publicKeys: trusted,
    uplink: { pollMs: 20 },
    ...(path ? { path } : {}),
  });
  edges.push(edge);
  return edge;
}

let commandNo = 0;
function command(site: string, overrides: Partial<SiteCommand> = {}): SiteCommand {
  const now = Date.now();
  return {
    id: `c-${++commandNo}`,
    site,
    issuedAt: now,
    expiresAt: now + 60_000,
    action: { kind: "remote-open", doorId: "main", reason: "helpdesk ticket 42", operator: "jdv" },
    ...overrides,
  };
}

/** The edge's "command" events, from its outbox and from central (uplinked). */
function commandEvents(edge: EdgeFixture, central: FakeCentral) {
  const events = new Map<number, { type: string; doorId: string | null; payload: unknown }>();
  for (const e of central.events.values())
    events.set(e.seq, { type: e.type, doorId: e.doorId, payload: JSON.parse(e.payloadJson) });
  if (edge.store.db.open)
    for (const e of edge.store.events({ limit: 10_000 })) events.set(e.seq, e);
  return [...events.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, e]) => e)
    .filter((e) => e.type === "command");
}

describe("commands", () => {
  it("executes a valid command once and refuses its replay", async () => {
    const { site, central, edge } = await setup();
    const cmd = command(site);
    const signed = central.signedCommand(cmd);
    await central.publish(topics.command(site), signed);
    await waitFor(() => central.results.length === 1, "result");
    expect(central.results[0]).toMatchObject({ id: cmd.id, site, outcome: "done", reason: null });
    expect(edge.recorder.commands).toEqual([cmd]);

    await central.publish(topics.command(site), signed);
    await waitFor(() => central.results.length === 2, "replay result");
    expect(central.results[1]).toMatchObject({
      id: cmd.id,
      outcome: "refused",
      reason: "REPLAYED",
    });
    expect(edge.recorder.commands).toHaveLength(1);

    await waitFor(() => commandEvents(edge, central).length === 2, "command events");
    const [done, replay] = commandEvents(edge, central);
    expect(done).toMatchObject({
      doorId: "main",
      payload: {
        id: cmd.id,
        action: "remote-open",
        outcome: "done",
        reason: null,
        operator: "jdv",
      },
    });
    expect(replay?.payload).toMatchObject({ id: cmd.id, outcome: "refused", reason: "REPLAYED" });
    expect(JSON.stringify(done?.payload)).not.toMatch(/signature|keyId|central-1/);
  });

  it("refuses a replay also after the edge restarted", async () => {
    const { site, central, edge } = await setup();
    const cmd = command(site, { action: { kind: "lockdown", on: true, reason: "drill" } });
    const signed = central.signedCommand(cmd);
    await central.publish(topics.command(site), signed);
    await waitFor(() => central.results.length === 1, "result");
    await stopEdge(edge);
    edges.splice(edges.indexOf(edge), 1);

    const again = edgeFor(site, edge.path);
    await waitFor(() => again.client.health().healthy, "restarted edge subscribed");
    await central.publish(topics.command(site), signed);
    await waitFor(() => central.results.length === 2, "replay result");
    expect(central.results[1]).toMatchObject({
      id: cmd.id,
      outcome: "refused",
      reason: "REPLAYED",
    });
    expect(again.recorder.commands).toHaveLength(0);
  });

  it("refuses expired, unsigned, tampered, unknown-key and other-site commands", async () => {
    const { site, central, edge } = await setup();
    const expired = command(site, { issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 1 });
    await central.publishCommand(expired);
    const unsigned = command(site);
    await central.publish(topics.command(site), encodeCommand(unsigned));
    const tamperedCmd = command(site);
    const tampered = central.signedCommand(tamperedCmd);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0xff;
    await central.publish(topics.command(site), tampered);
    const strangerCmd = command(site);
    await central.publish(
      topics.command(site),
      central.signedCommand(strangerCmd, signingKeys("intruder").key),
    );
    const elsewhere = command("elsewhere");
    await central.publishCommand(elsewhere);
    await waitFor(() => central.results.length === 5, "five results");

    expect(central.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      [expired.id, "refused", "EXPIRED"],
      [unsigned.id, "refused", "BAD_SIGNATURE"],
      [tamperedCmd.id, "refused", "BAD_SIGNATURE"],
      [strangerCmd.id, "refused", "BAD_SIGNATURE"],
      [elsewhere.id, "refused", "WRONG_SITE"],
    ]);
    expect(edge.recorder.commands).toHaveLength(0);
    expect(edge.client.stats().commands.refusedBy).toEqual({
      EXPIRED: 1,
      BAD_SIGNATURE: 3,
      WRONG_SITE: 1,
    });
    // A refused command never burns its id: the genuine one still runs.
    await central.publishCommand(unsigned);
    await waitFor(() => central.results.length === 6, "genuine result");
    expect(central.results[5]).toMatchObject({ id: unsigned.id, outcome: "done" });
  });

  it("reports what accessd made of a command, and a failure", async () => {
    const { site, central, edge } = await setup();
    edge.recorder.answer = async (c) =>
      c.action.kind === "door-mode"
        ? { outcome: "refused", reason: "UNKNOWN_DOOR" }
        : Promise.reject(new Error("relay stuck"));
    const mode = command(site, { action: { kind: "door-mode", doorId: "nope", mode: "locked" } });
    const open = command(site);
    await central.publishCommand(mode);
    await central.publishCommand(open);
    await waitFor(() => central.results.length === 2, "results");
    expect(central.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      [mode.id, "refused", "UNKNOWN_DOOR"],
      [open.id, "failed", "EXECUTION_ERROR"],
    ]);
  });
});
