import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CentralProcess } from "../support/central-process.js";
import { AccessdProcess, type LogLine } from "../support/edge-processes.js";
import {
  centralEvents,
  centralTypeCounts,
  drained,
  longReader,
  startCentral,
  stopCentral,
} from "../support/event-counts.js";
import { type FullDisk, fullDisk } from "../support/full-disk.js";
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
const GRANTED = new Set([101, 102]);
const WAL_LIMIT = 1024 * 1024;
/** Reads streamed while the disk is full, besides the ones checked one by one. */
const BURST = 400;
const JOURNAL_TYPES = ["store-unwritable", "store-writable", "events-dropped", "accessd-started"];

interface Tally {
  case: string;
  reads: number;
  cardReadsAtCentral: number;
  lost: number;
  outages: number | null;
  outageMs: number | null;
  eventsHeld: number | null;
  walMaxKiB: number;
}
const tallies: Tally[] = [];

/**
 * The store of a real accessd on a real 16 MiB filesystem, filled to the last byte while
 * cards are read at the door through firmware-sim on a pty pair: accessd must neither
 * crash nor refuse anyone it would have let in, and every read must reach central once
 * the space is back (with central up, and with central down, during the outage).
 */
describe("accessd with its store on a full filesystem: the doors never stop", () => {
  let dir: string;
  let disk: FullDisk | undefined;
  let broker: Mosquitto;
  let files: CentralFiles;
  let service: CentralProcess;
  let pty: PtyPair;
  let sim: SimProcess;
  let config: string;
  let accessd: AccessdProcess;
  let storePath: string;
  let eventsDb: string;
  let walMax = 0;
  let walTimer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-full-disk-"));
    // A real 16 MiB filesystem needs root (as here and in CI); without it SQLite's page
    // limit stands in for the full disk (never a skip).
    disk = fullDisk(join(dir, "store"), 16);
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
    storePath = join(disk.dir, `${SITE}.db`);
    const door = { ...(site.doors[0] as (typeof site.doors)[number]), strikeMs: 100 };
    writeFileSync(
      config,
      JSON.stringify({
        ...site,
        store: {
          path: storePath,
          checkpointMs: 200,
          walLimitBytes: WAL_LIMIT,
          ...disk.storeOptions,
        },
        doors: [door],
      }),
    );
    accessd = new AccessdProcess(config);
    await accessd.waitFor((l) => l.msg === "board session started", 10_000, "the board");
    await accessd.waitFor((l) => l.msg === "decision index rebuilt", 20_000, "the snapshot");
    await drained(storePath, eventsDb, SITE, 30_000);
    walTimer = setInterval(() => {
      try {
        walMax = Math.max(walMax, statSync(`${storePath}-wal`).size);
      } catch {
        // between a truncate and the next write
      }
    }, 10);
  }, 90_000);

  afterAll(async () => {
    clearInterval(walTimer);
    // What accessd warned about, once per message (the outage's lines, or a failure's).
    const warned = new Map<string, number>();
    for (const l of accessd?.lines ?? [])
      if (Number(l.level) >= 40) warned.set(String(l.msg), (warned.get(String(l.msg)) ?? 0) + 1);
    console.log([...warned].map(([msg, n]) => `${n} x ${msg}`).join("\n"));
    try {
      await accessd?.stop("SIGKILL");
      await sim?.kill("SIGKILL");
      await pty?.close();
      await service?.stop();
      await broker?.stop();
    } finally {
      disk?.unmount();
      if (dir) rmSync(dir, { recursive: true, force: true });
      console.table(tallies);
    }
  });

  /** Fails at once, saying how, when accessd is gone (before: SIGABRT at the first read). */
  function assertAlive(): void {
    if (accessd.exitCode === null && accessd.signalCode === null) return;
    throw new Error(
      `accessd ended (exit ${accessd.exitCode}, signal ${accessd.signalCode}): ` +
        accessd.stderr.join("").slice(-500),
    );
  }

  const present = (card: number) => {
    assertAlive();
    return sim.request("present", {
      port: 0,
      format: "H10301",
      fields: { facility: 18, card },
      timing: FAST,
    });
  };

  /** The first line since `from` that matches (waiting for it if need be). */
  const lineSince = (from: number, match: (l: LogLine) => boolean, what: string, ms = 5000) =>
    accessd.waitFor((l) => match(l) && accessd.lines.indexOf(l) >= from, ms, what);

  /** One read at the door, and what the door did: the relay for a grant, none for a deny. */
  async function readAtTheDoor(card: number): Promise<void> {
    // The reads before it decided, and the lock they released (100 ms) is shut again.
    await new Promise((r) => setTimeout(r, 300));
    const simFrom = sim.events.length;
    const logFrom = accessd.lines.length;
    await present(card);
    const decision = await lineSince(logFrom, (l) => l.outcome !== undefined, `card ${card}`);
    // Unknown here: 999 is no card of ours, 103 belongs to another site's person.
    expect(decision.cardId).toBe(GRANTED.has(card) ? card : null);
    if (GRANTED.has(card)) {
      expect(decision.outcome).toBe("grant");
      await sim.waitFor(
        (e) => e.event === "relay" && e.on === true && sim.events.indexOf(e) >= simFrom,
      );
      await sim.waitFor(
        (e) => e.event === "relay" && e.on === false && sim.events.indexOf(e) >= simFrom,
      );
    } else {
      expect(decision.outcome).toBe("deny");
      expect(sim.events.slice(simFrom).some((e) => e.event === "relay" && e.on === true)).toBe(
        false,
      );
    }
  }

  /**
   * Reads on a full disk: at the sim's pace until the store refuses a write (SQLite goes on
   * writing into the WAL's own space while checkpoints can reuse free pages of the
   * database), then 12 checked one by one at the door, then BURST more.
   */
  async function readsWhileFull(from: number, centralDown: boolean): Promise<number> {
    let reads = 0;
    // SQLite's page limit leaves the WAL free: with central acknowledging (freeing pages)
    // it may never refuse; a real full disk, or an outbox that only grows, always does.
    const mustRefuse = disk?.real === true || centralDown;
    while (!unwritableSince(from) && reads < (mustRefuse ? 20_000 : 1000))
      await present(CARDS[reads++ % CARDS.length] as number);
    if (mustRefuse) expect(unwritableSince(from)?.code).toBe("SQLITE_FULL");
    for (let i = 0; i < 12; i++, reads++) await readAtTheDoor(CARDS[i % CARDS.length] as number);
    for (let i = 0; i < BURST; i++, reads++) await present(CARDS[i % CARDS.length] as number);
    return reads;
  }

  const unwritableSince = (from: number) =>
    accessd.lines.slice(from).find((l) => String(l.msg).startsWith("store unwritable"));
  const outagesSince = (from: number) => {
    const lines = accessd.lines.slice(from);
    const began = lines.filter((l) => String(l.msg).startsWith("store unwritable"));
    const ended = lines.filter((l) => String(l.msg).startsWith("store writable again"));
    return { began: began.length, ended };
  };

  /**
   * The space is back: waits until every outage that began since `from` has ended (a full
   * disk can make the store refuse, take, and refuse writes again: a checkpoint that
   * emptied the WAL gives its space back, and the next writes use it up).
   */
  async function backToWritable(from: number, hadOutage = true) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const outages = outagesSince(from);
      if ((outages.began > 0 || !hadOutage) && outages.ended.length === outages.began)
        return outages;
      if (Date.now() > deadline)
        throw new Error(`store not writable again: ${JSON.stringify(outages)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const sum = (lines: readonly LogLine[], key: string) =>
    lines.reduce((n, l) => n + Number(l[key] ?? 0), 0);

  async function outage(name: string, centralDown: boolean): Promise<void> {
    const before = centralEvents(eventsDb, SITE).cardReads;
    const typesBefore = centralTypeCounts(eventsDb, SITE, JOURNAL_TYPES);
    const logFrom = accessd.lines.length;
    walMax = 0;
    if (centralDown) await stopCentral(service);
    // With central up the outbox does not grow (acknowledged events' pages take the new
    // ones) and SQLite writes on in the space its files have. What makes a full disk bite
    // then is a long reader (accessctl on a large store, an index rebuild): while it reads,
    // the WAL cannot start over and must grow. One holds a read transaction here.
    const reader = centralDown ? undefined : longReader(storePath);
    let reads: number;
    let back: Awaited<ReturnType<typeof backToWritable>>;
    try {
      expect(disk?.fill()).toBeGreaterThan(0);
      if (disk?.real) expect(disk.freeBytes()).toBe(0);
      reads = await readsWhileFull(logFrom, centralDown);
      // Alive, and it knew: the store refused its writes.
      expect(accessd.exitCode).toBeNull();
      reader?.close();
      disk?.free();
      back = await backToWritable(logFrom, unwritableSince(logFrom) !== undefined);
    } finally {
      // Whatever failed, the next case gets its space and its central back.
      if (reader?.open) reader.close();
      disk?.free();
      if (centralDown) await startCentral(service);
    }
    await drained(storePath, eventsDb, SITE, 60_000);
    const after = centralEvents(eventsDb, SITE);
    const cardReads = after.cardReads - before;
    const types = centralTypeCounts(eventsDb, SITE, JOURNAL_TYPES);
    tallies.push({
      case: name,
      reads,
      cardReadsAtCentral: cardReads,
      lost: reads - cardReads,
      outages: back.began,
      outageMs: sum(back.ended, "durationMs"),
      eventsHeld: sum(back.ended, "queued"),
      walMaxKiB: Math.round(walMax / 1024),
    });
    // Every read reached central, each once; central holds every seq once.
    expect(cardReads).toBe(reads);
    expect(after.distinct).toBe(after.rows);
    expect(after.maxSeq).toBe(after.rows);
    // The outage itself reached central: when it began, and how it ended.
    const outages = back.began;
    expect(types["store-unwritable"]).toBe((typesBefore["store-unwritable"] ?? 0) + outages);
    expect(types["store-writable"]).toBe((typesBefore["store-writable"] ?? 0) + outages);
    expect(types["events-dropped"]).toBe(0);
    expect(accessd.exitCode).toBeNull();
  }

  it("(1) the disk full with central up: decisions go on, every read reaches central after", async () => {
    await outage("disk full, central up", false);
  }, 120_000);

  it("(2) the disk full with central down: the same, sent once central is back", async () => {
    await outage("disk full, central down", true);
  }, 120_000);

  it("(3) accessd restarted while the disk is full starts and decides", async () => {
    const before = centralEvents(eventsDb, SITE).cardReads;
    const startedBefore = centralTypeCounts(eventsDb, SITE, ["accessd-started"]);
    let reads = 0;
    // Central down: the outbox only grows (with central acknowledging, the deleted events'
    // pages take the new ones and a full disk refuses nothing for a long time).
    await stopCentral(service);
    try {
      expect(disk?.fill()).toBeGreaterThan(0);
      expect(await accessd.stop()).toBe(0);
      // A clean stop left the WAL and its index in place (SQLite would have removed them,
      // and on a full disk the index could not be created again).
      expect(existsSync(`${storePath}-shm`)).toBe(true);
      accessd = new AccessdProcess(config);
      await accessd.waitFor((l) => l.msg === "board session started", 20_000, "the board again");
      expect(accessd.lines.some((l) => l.msg === "decision index built")).toBe(true);
      for (const card of CARDS) {
        await readAtTheDoor(card);
        reads++;
      }
      // The WAL it left has room for some reads (SQLite writes it from its start again once
      // checkpointed into free pages); read on until the store refuses, check the door then.
      while (!unwritableSince(0) && reads < 20_000)
        await present(CARDS[reads++ % CARDS.length] as number);
      expect(unwritableSince(0)?.code).toBe("SQLITE_FULL");
      for (const card of CARDS) {
        await readAtTheDoor(card);
        reads++;
      }
      expect(accessd.exitCode).toBeNull();
      disk?.free();
    } finally {
      disk?.free();
      await startCentral(service);
    }
    const back = await backToWritable(0);
    await drained(storePath, eventsDb, SITE, 60_000);
    const cardReads = centralEvents(eventsDb, SITE).cardReads - before;
    const started = centralTypeCounts(eventsDb, SITE, ["accessd-started"]);
    tallies.push({
      case: "restarted on a full disk",
      reads,
      cardReadsAtCentral: cardReads,
      lost: reads - cardReads,
      outages: back.began,
      outageMs: sum(back.ended, "durationMs"),
      eventsHeld: sum(back.ended, "queued"),
      walMaxKiB: Math.round(walMax / 1024),
    });
    expect(cardReads).toBe(reads);
    // Its accessd-started event waited in the queue and reached central too.
    expect(started["accessd-started"]).toBe((startedBefore["accessd-started"] ?? 0) + 1);
  }, 120_000);

  it("(4) the WAL stays bounded: a stream of reads and a drained backlog stay near its limit", async () => {
    walMax = 0;
    for (let i = 0; i < 1500; i++) await present(CARDS[i % CARDS.length] as number);
    await drained(storePath, eventsDb, SITE, 60_000);
    const streamMax = walMax;
    tallies.push({
      case: "1500 reads, WAL limit 1 MiB",
      reads: 1500,
      cardReadsAtCentral: 0,
      lost: 0,
      outages: null,
      outageMs: null,
      eventsHeld: null,
      walMaxKiB: Math.round(streamMax / 1024),
    });
    // Checkpoints every 200 ms, TRUNCATE past 1 MiB: between two the WAL grows by what
    // 200 ms of reads write.
    expect(streamMax).toBeLessThan(3 * WAL_LIMIT);
    for (const t of tallies) expect(t.walMaxKiB * 1024).toBeLessThan(4 * WAL_LIMIT);
    await new Promise((r) => setTimeout(r, 1000));
    expect(disk?.fileBytes(`${SITE}.db-wal`) ?? 0).toBeLessThanOrEqual(WAL_LIMIT);
  }, 120_000);
});
