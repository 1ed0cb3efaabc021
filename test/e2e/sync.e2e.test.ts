import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStore, openCentralStore } from "@acs/central";
import {
  decodeCommandResult,
  encodeDelta,
  loadPrivateKey,
  openEnvelope,
  signEnvelope,
  topics,
} from "@acs/protocol";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CentralProcess, central } from "../support/central-process.js";
import { AccessdProcess } from "../support/edge-processes.js";
import { Mosquitto } from "../support/mosquitto.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";
import {
  type CentralFiles,
  edgeTrust,
  prepareCentral,
  smallDataset,
  syncedSiteConfig,
} from "../support/sync-site.js";

const SITE = "ams-bsl";
const FAST = { pulseUs: 50, intervalUs: 500 };

describe("central and an edge through a real Mosquitto", () => {
  let dir: string;
  let broker: Mosquitto;
  let files: CentralFiles;
  let service: CentralProcess;
  let pty: PtyPair;
  let sim: SimProcess;
  let accessd: AccessdProcess;
  let observer: mqtt.MqttClient;
  const seen: Array<{ topic: string; payload: Buffer }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-sync-"));
    broker = await Mosquitto.start();
    files = await prepareCentral(dir, smallDataset(SITE));
    service = new CentralProcess({ db: files.db, mqttUrl: broker.url, keyFile: files.keyFile });
    await service.start();
    pty = await openPtyPair();
    sim = await SimProcess.start(["bridge", "--device", pty.device]);
    const config = join(dir, "site.json");
    writeFileSync(
      config,
      JSON.stringify(
        syncedSiteConfig({
          dir,
          site: SITE,
          device: pty.edge,
          mqttUrl: broker.url,
          central: files,
        }),
      ),
    );
    observer = await mqtt.connectAsync(broker.url, {
      clientId: "test-observer",
      protocolVersion: 4,
    });
    observer.on("message", (topic, payload) => seen.push({ topic, payload }));
    await observer.subscribeAsync([topics.command(SITE), topics.commandResult(SITE)], { qos: 1 });
    accessd = new AccessdProcess(config);
    await accessd.waitFor((l) => l.msg === "board session started", 10_000, "the board");
  }, 60_000);

  afterAll(async () => {
    await observer?.endAsync();
    await accessd?.stop();
    await sim?.kill("SIGKILL");
    await pty?.close();
    await service?.stop();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Presents a card until the decision matches (the state may still be on its way). */
  async function decisionFor(
    card: number,
    expect: (l: Record<string, unknown>) => boolean,
    ms = 10_000,
  ) {
    const deadline = Date.now() + ms;
    for (;;) {
      const from = accessd.lines.length;
      await sim.request("present", {
        port: 0,
        format: "H10301",
        fields: { facility: 18, card },
        timing: FAST,
      });
      const line = await accessd.waitFor(
        (l) => l.outcome !== undefined && accessd.lines.indexOf(l) >= from,
        3000,
        "a decision",
      );
      if (expect(line)) return line;
      if (Date.now() > deadline)
        throw new Error(`no matching decision for card ${card}: ${JSON.stringify(line)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const version = async () => {
    const shown = await central(files.db, "show", "site", SITE);
    return Number(/version\s+(\d+)/.exec(shown.stdout)?.[1]);
  };

  it("an empty edge takes a snapshot and decides on it: only its own site's people", async () => {
    await accessd.waitFor((l) => l.msg === "decision index rebuilt", 20_000, "the snapshot");
    await decisionFor(101, (l) => l.outcome === "grant");
    // Engineer 3 works elsewhere: not in this site's state at all.
    await decisionFor(103, (l) => l.reason === "UNKNOWN_CARD");
  });

  it("an employment ended at central refuses the next read", async () => {
    const ended = await central(files.db, "end-employment", "--employment", "1");
    expect(ended.code, ended.stderr).toBe(0);
    const line = await decisionFor(101, (l) => l.reason === "EMPLOYMENT_ENDED", 5000);
    expect(line.door).toBe("hall");
    await decisionFor(102, (l) => l.outcome === "grant");
  });

  it("a tampered delta is refused and the state is kept", async () => {
    const key = { keyId: files.keyId, privateKey: loadPrivateKey(files.privateKeyPem) };
    const current = await version();
    const forged = signEnvelope(
      "delta",
      encodeDelta({ site: SITE, version: current + 1, upsert: {}, delete: { cards: [102] } }),
      key,
    );
    const tampered = Buffer.from(forged);
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] as number) ^ 0x01;
    const from = accessd.lines.length;
    await observer.publishAsync(topics.delta(SITE), tampered, { qos: 1 });
    await accessd.waitFor(
      (l) => accessd.lines.indexOf(l) >= from && /refused/i.test(String(l.msg)),
      5000,
      "the refusal",
    );
    await decisionFor(102, (l) => l.outcome === "grant");
  });

  it("a gap makes the edge ask for a snapshot, and it catches up", async () => {
    // Two changes while the service is down; the first is lost on the way (marked sent).
    await service.stop();
    const lost = await central(files.db, "card-status", "--card", "102", "--status", "lost");
    expect(lost.code, lost.stderr).toBe(0);
    const granted = await central(files.db, "grant", "--employment", "3", "--area", "1");
    expect(granted.code, granted.stderr).toBe(0);
    const store = openCentralStore(files.db);
    const [first] = store.pendingDeltas(10, SITE);
    if (first) store.markDeltaPublished(SITE, first.version);
    store.close();
    const from = accessd.lines.length;
    await service.start();
    await accessd
      .waitFor(
        (l) => accessd.lines.indexOf(l) >= from && l.reason === "gap",
        10_000,
        "the snapshot request for the gap",
      )
      .catch(() => undefined);
    await decisionFor(102, (l) => l.reason === "CARD_LOST", 20_000);
    await decisionFor(103, (l) => l.outcome === "grant", 20_000);
  });

  it("a replayed command is refused; the original was done once", async () => {
    // The last grant's strike (500 ms) is over first, so the remote open is a relay change.
    await new Promise((r) => setTimeout(r, 700));
    const fromSim = sim.events.length;
    seen.length = 0;
    const sent = await central(
      files.db,
      "command",
      "remote-open",
      "--mqtt",
      broker.url,
      "--key",
      files.keyFile,
      "--site",
      SITE,
      "--door",
      "hall",
      "--reason",
      "helpdesk ticket 4711: badge reader fault",
    );
    expect(sent.stdout.trim(), sent.stderr).toBe("done");
    await accessd.waitFor((l) => l.msg === "remote open by central", 5000, "the remote open");
    await sim.waitFor(
      (e) => e.event === "relay" && e.on === true && sim.events.indexOf(e) >= fromSim,
    );
    const original = seen.find((m) => m.topic === topics.command(SITE));
    expect(original).toBeDefined();
    const resultsBefore = seen.filter((m) => m.topic === topics.commandResult(SITE)).length;
    await observer.publishAsync(topics.command(SITE), original?.payload as Buffer, { qos: 1 });
    const deadline = Date.now() + 5000;
    let replay: ReturnType<typeof decodeCommandResult> | undefined;
    while (!replay && Date.now() < deadline) {
      const results = seen
        .filter((m) => m.topic === topics.commandResult(SITE))
        .slice(resultsBefore);
      replay = results.map((m) =>
        decodeCommandResult(openEnvelope(m.payload, "command-result", edgeTrust(files, SITE))),
      )[0];
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(replay).toMatchObject({ outcome: "refused", reason: "REPLAYED" });
  });

  it("every event reaches central, each stored once", async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const store = new EventStore(`${files.db}.events`);
      const stored = store.count(SITE);
      const distinct = store.db
        .prepare("SELECT count(DISTINCT seq) FROM access_event WHERE site = ?")
        .pluck()
        .get(SITE) as number;
      store.close();
      const status = await central(files.db, "show", "site", SITE);
      void status;
      if (stored > 0 && accessd.lines.some((l) => l.msg === "decision index rebuilt")) {
        expect(distinct).toBe(stored);
        // The edge's outbox drains as central acknowledges.
        break;
      }
      if (Date.now() > deadline) throw new Error("no events at central");
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
