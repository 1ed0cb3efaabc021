import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Accessd, memoryTransportPair, parseSiteConfig, systemClock } from "@acs/edge";
import { encode, H10301 } from "@acs/wiegand";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CardBoard } from "../support/card-board.js";
import { CentralProcess } from "../support/central-process.js";
import { AccessdProcess } from "../support/edge-processes.js";
import {
  centralEvents,
  centralStats,
  drained,
  edgeOutbox,
  startCentral,
  stopCentral,
} from "../support/event-counts.js";
import { until } from "../support/log-sink.js";
import { Mosquitto } from "../support/mosquitto.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";
import {
  type CentralFiles,
  prepareCentral,
  smallDataset,
  syncedSiteConfig,
} from "../support/sync-site.js";

const SITE = "ams-bsl";
const FAST = { pulseUs: 50, intervalUs: 500 };
/** 101 and 102 may enter the hall; 103 works at another site; 999 is no card of ours. */
const CARDS = [101, 103, 102, 999];
const OFFLINE_READS = 100_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tally {
  case: string;
  reads: number;
  cardReadEvents: number;
  sent: number;
  stored: number;
  lost: number;
  duplicateResends: number;
  seconds: number;
}
const tallies: Tally[] = [];

describe("the event stream under faults: every event sent is stored at central once", () => {
  let dir: string;
  let broker: Mosquitto;
  let files: CentralFiles;
  let service: CentralProcess;
  let pty: PtyPair;
  let sim: SimProcess;
  let config: string;
  let accessd: AccessdProcess;
  let storePath: string;
  let eventsDb: string;
  /** Where the previous case left off: last seq and central's counts. */
  let previous = { lastSeq: 0, duplicate: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-sync-faults-"));
    broker = await Mosquitto.start();
    files = await prepareCentral(dir, smallDataset(SITE));
    eventsDb = `${files.db}.events`;
    service = new CentralProcess({ db: files.db, mqttUrl: broker.url, keyFile: files.keyFile });
    await service.start();
    pty = await openPtyPair();
    sim = await SimProcess.start(["bridge", "--device", pty.device]);
    config = join(dir, "site.json");
    const site = syncedSiteConfig({
      dir,
      site: SITE,
      device: pty.edge,
      mqttUrl: broker.url,
      central: files,
    });
    storePath = site.store.path;
    writeFileSync(config, JSON.stringify(site));
    accessd = new AccessdProcess(config);
    await accessd.waitFor((l) => l.msg === "board session started", 10_000, "the board");
    await accessd.waitFor((l) => l.msg === "decision index rebuilt", 20_000, "the snapshot");
  }, 60_000);

  afterAll(async () => {
    await accessd?.stop();
    await sim?.kill("SIGKILL");
    await pty?.close();
    await service?.stop();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.table(tallies);
  });

  const present = (i: number) =>
    sim.request("present", {
      port: 0,
      format: "H10301",
      fields: { facility: 18, card: CARDS[i % CARDS.length] },
      timing: FAST,
    });

  /** Card reads at the sim's pace: `before` of them, more while `fault` lasts, `after` more. */
  async function streamAround(fault: () => Promise<void>, before = 100, after = 100) {
    let reads = 0;
    while (reads < before) await present(reads++);
    let over = false;
    const faulted = fault()
      .then(
        () => undefined,
        (err: unknown) => err,
      )
      .finally(() => {
        over = true;
      });
    while (!over) await present(reads++);
    const err = await faulted;
    if (err) throw err;
    const end = reads + after;
    while (reads < end) await present(reads++);
    return reads;
  }

  /** Drains, counts and checks: all seqs 1..last at central, each once; the outbox empty. */
  async function settle(name: string, reads: number, started: number) {
    const edge = await drained(storePath, eventsDb, SITE, 60_000);
    const central = centralEvents(eventsDb, SITE, { from: previous.lastSeq, to: edge.lastSeq });
    // Central's own counts are logged when it stops: stop and start it between cases.
    await stopCentral(service);
    const stats = centralStats(service.lines);
    await startCentral(service);
    expect(central.minSeq).toBe(1);
    expect(central.maxSeq).toBe(edge.lastSeq);
    expect(central.rows).toBe(edge.lastSeq);
    expect(central.distinct).toBe(central.rows);
    expect(stats.stored).toBe(central.rows);
    expect(edge.depth).toBe(0);
    // No read was lost between the board and the outbox.
    expect(central.cardReads).toBeGreaterThanOrEqual(reads);
    const tally = {
      case: name,
      reads,
      cardReadEvents: central.cardReads,
      sent: edge.lastSeq - previous.lastSeq,
      stored: central.rows - previous.lastSeq,
      lost: edge.lastSeq - central.distinct,
      duplicateResends: stats.duplicate - previous.duplicate,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    tallies.push(tally);
    previous = { lastSeq: edge.lastSeq, duplicate: stats.duplicate };
    return tally;
  }

  /** accessd (the current process) logged a line matching `msg` since line `from`. */
  const logged = (msg: RegExp, from = 0) =>
    accessd.lines.slice(from).some((l) => msg.test(String(l.msg)));

  it("(1) the broker killed (SIGKILL) and restarted mid-stream", async () => {
    const started = performance.now();
    const from = accessd.lines.length;
    const reads = await streamAround(async () => {
      await broker.kill("SIGKILL");
      await sleep(2000);
      await broker.run();
    });
    await settle("broker SIGKILL", reads, started);
    expect(logged(/^disconnected from the broker/, from)).toBe(true);
    expect(logged(/^connected to the broker/, from)).toBe(true);
  }, 90_000);

  it("(2) accessd killed (SIGKILL) and restarted mid-stream", async () => {
    const started = performance.now();
    const reads = await streamAround(async () => {
      await accessd.stop("SIGKILL");
      await sleep(1000);
      accessd = new AccessdProcess(config);
      await accessd.waitFor((l) => l.msg === "board session started", 10_000, "the board again");
    });
    await settle("accessd SIGKILL", reads, started);
    expect(logged(/^connected to the broker/)).toBe(true);
  }, 90_000);

  it("(3) central down for longer than the edge's ack timeout", async () => {
    const started = performance.now();
    const from = accessd.lines.length;
    const reads = await streamAround(async () => {
      await stopCentral(service);
      // The uplink sends unacknowledged batches again after 10 s: central gets both.
      await sleep(12_000);
      await startCentral(service);
    });
    const tally = await settle("central down 12 s", reads, started);
    expect(logged(/^batch not acknowledged in time/, from)).toBe(true);
    // Central got those batches twice (queued for it, then sent again) and stored them once.
    expect(tally.duplicateResends).toBeGreaterThan(0);
  }, 90_000);

  it(`(4) the edge offline for ${OFFLINE_READS} reads`, async () => {
    const started = performance.now();
    const dir4 = mkdtempSync(join(tmpdir(), "acs-sync-offline-"));
    const broker4 = await Mosquitto.start();
    const files4 = await prepareCentral(dir4, smallDataset(SITE));
    const eventsDb4 = `${files4.db}.events`;
    const central4 = new CentralProcess({
      db: files4.db,
      mqttUrl: broker4.url,
      keyFile: files4.keyFile,
    });
    await central4.start();
    const [edgeLine, boardLine] = memoryTransportPair();
    const board = new CardBoard(boardLine);
    await board.plugIn();
    const site = syncedSiteConfig({
      dir: dir4,
      site: SITE,
      device: "memory",
      mqttUrl: broker4.url,
      central: files4,
    });
    const warnings: Array<Record<string, unknown>> = [];
    const log = pino(
      { level: "warn" },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const text of chunk.toString().split("\n"))
            if (text) warnings.push(JSON.parse(text));
          done();
        },
      }),
    );
    const edge = new Accessd(parseSiteConfig(site), {
      clock: systemClock,
      log,
      transportFor: () => edgeLine,
    });
    const bits = CARDS.map((card) => encode(H10301, { facility: 18, card }));
    try {
      await edge.start();
      // Online first, for the site's state (so the reads are granted and refused as usual).
      await until(() => edge.index.version > 0 && board.welcomed, 20_000, "the snapshot");
      await stopCentral(central4);
      await broker4.kill("SIGKILL");
      await until(() => edge.syncStats()?.connected === false, 10_000, "the edge offline");
      const readsStarted = performance.now();
      await board.feed(OFFLINE_READS, (i) => bits[i % bits.length] as string);
      const readsMs = performance.now() - readsStarted;
      const offline = edgeOutbox(site.store.path);
      expect(edge.syncStats()?.connected).toBe(false);
      expect(offline.depth).toBeGreaterThanOrEqual(2 * OFFLINE_READS);

      const backStarted = performance.now();
      await broker4.run();
      await startCentral(central4);
      const drainedEdge = await drained(site.store.path, eventsDb4, SITE, 120_000);
      const drainMs = performance.now() - backStarted;
      await stopCentral(central4);
      const stats = centralStats(central4.lines);
      const central = centralEvents(eventsDb4, SITE);
      expect(central.minSeq).toBe(1);
      expect(central.maxSeq).toBe(drainedEdge.lastSeq);
      expect(central.rows).toBe(drainedEdge.lastSeq);
      expect(central.distinct).toBe(central.rows);
      expect(stats.stored).toBe(central.rows);
      expect(drainedEdge.depth).toBe(0);
      expect(board.acknowledged).toBe(OFFLINE_READS);
      expect(central.cardReads).toBe(OFFLINE_READS);
      tallies.push({
        case: `edge offline, ${OFFLINE_READS} reads`,
        reads: OFFLINE_READS,
        cardReadEvents: central.cardReads,
        sent: drainedEdge.lastSeq,
        stored: central.rows,
        lost: drainedEdge.lastSeq - central.distinct,
        duplicateResends: stats.duplicate,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      });
      console.log(
        `offline: ${OFFLINE_READS} reads in ${Math.round(readsMs)} ms, ${offline.depth} events queued; ` +
          `back online: drained in ${Math.round(drainMs)} ms; ` +
          `warnings: ${[...new Set(warnings.map((w) => w.msg))].join("; ")}`,
      );
    } finally {
      await edge.stop();
      board.unplug();
      await central4.stop();
      await broker4.stop();
      rmSync(dir4, { recursive: true, force: true });
    }
  }, 180_000);
});
