import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CentralProcess } from "../support/central-process.js";
import { AccessdProcess } from "../support/edge-processes.js";
import { Mosquitto } from "../support/mosquitto.js";
import {
  type CentralFiles,
  prepareCentral,
  smallDataset,
  syncedSiteConfig,
} from "../support/sync-site.js";

const SITE = "ams-bsl";
/** Between two parts coming up: long enough for a request to be lost, a retry to pass. */
const GAP_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Part = "broker" | "central" | "edge";

interface Timing {
  order: string;
  /** ms from the last part being up to the edge's first state. */
  stateAfterAllUpMs: number;
}
const timings: Timing[] = [];

/**
 * An edge has its first state within 2 s of it, central and the broker all being up,
 * whichever started first, also with the broker restarted in between: real processes, a
 * fresh broker and an empty edge store per order.
 */
describe("start in any order: the first state within 2 s of everything being up", () => {
  let dir: string;
  let files: CentralFiles;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-start-order-"));
    files = await prepareCentral(dir, smallDataset(SITE));
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.table(timings);
  });

  async function run(order: readonly Part[], restartBroker = false): Promise<number> {
    const caseDir = mkdtempSync(join(dir, "case-"));
    const broker = await Mosquitto.prepare();
    const central = new CentralProcess({
      db: files.db,
      mqttUrl: broker.url,
      keyFile: files.keyFile,
    });
    const config = {
      ...syncedSiteConfig({
        dir: caseDir,
        site: SITE,
        device: "unused",
        mqttUrl: broker.url,
        central: files,
      }),
      buses: [],
      doors: [],
    };
    const configPath = join(caseDir, "site.json");
    writeFileSync(configPath, JSON.stringify(config));
    let accessd: AccessdProcess | undefined;
    let allUp = 0;
    try {
      for (const [i, part] of order.entries()) {
        if (i > 0) await sleep(GAP_MS);
        if (part === "broker") await broker.run();
        if (part === "central") await central.start();
        if (part === "edge") {
          accessd = new AccessdProcess(configPath);
          await accessd.waitFor((l) => l.msg === "accessd running", 10_000, "accessd running");
        }
        if (restartBroker && part === "broker") {
          await sleep(GAP_MS);
          await broker.restart();
        }
      }
      allUp = Date.now();
      const edge = accessd as AccessdProcess;
      await edge.waitFor((l) => l.msg === "snapshot applied", 15_000, "the first state");
      const ms = Date.now() - allUp;
      timings.push({
        order: `${order.join(" -> ")}${restartBroker ? " (broker restarted)" : ""}`,
        stateAfterAllUpMs: ms,
      });
      return ms;
    } finally {
      await accessd?.stop();
      await central.stop();
      await broker.stop();
    }
  }

  const orders: Array<readonly Part[]> = [
    ["edge", "broker", "central"],
    ["edge", "central", "broker"],
    ["broker", "edge", "central"],
    ["broker", "central", "edge"],
    ["central", "broker", "edge"],
    ["central", "edge", "broker"],
  ];
  for (const order of orders) {
    it(order.join(" -> "), async () => {
      expect(await run(order)).toBeLessThanOrEqual(2000);
    }, 60_000);
  }

  it("edge -> broker, broker restarted, -> central", async () => {
    expect(await run(["edge", "broker", "central"], true)).toBeLessThanOrEqual(2000);
  }, 60_000);

  it("central -> broker, broker restarted, -> edge", async () => {
    expect(await run(["central", "broker", "edge"], true)).toBeLessThanOrEqual(2000);
  }, 60_000);
});
