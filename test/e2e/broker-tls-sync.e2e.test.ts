import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStore } from "@acs/central";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CentralProcess, central, tlsArgs } from "../support/central-process.js";
import { AccessdProcess } from "../support/edge-processes.js";
import type { Mosquitto } from "../support/mosquitto.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { makeCertificates, startSecureBroker } from "../support/secure-broker.js";
import { SimProcess } from "../support/sim-process.js";
import {
  type CentralFiles,
  prepareCentral,
  smallDataset,
  syncedSiteConfig,
} from "../support/sync-site.js";

const SITE = "ams-bsl";
const FAST = { pulseUs: 50, intervalUs: 500 };

describe("central and an edge over TLS with client certificates (the generated broker)", () => {
  let dir: string;
  let broker: Mosquitto;
  let files: CentralFiles;
  let certs: Awaited<ReturnType<typeof makeCertificates>>;
  let service: CentralProcess;
  let pty: PtyPair;
  let sim: SimProcess;
  let accessd: AccessdProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-tls-sync-"));
    files = await prepareCentral(dir, smallDataset(SITE));
    certs = await makeCertificates(dir, [`edge-${SITE}`, "central", "central-tool"]);
    ({ broker } = await startSecureBroker(dir, files.db));
    service = new CentralProcess({
      db: files.db,
      mqttUrl: broker.url,
      keyFile: files.keyFile,
      tls: certs.client("central"),
    });
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
          tls: certs.client(`edge-${SITE}`),
        }),
      ),
    );
    accessd = new AccessdProcess(config);
    await accessd.waitFor((l) => l.msg === "board session started", 10_000, "the board");
  }, 90_000);

  afterAll(async () => {
    await accessd?.stop();
    await sim?.kill("SIGKILL");
    await pty?.close();
    await service?.stop();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function decisionFor(card: number, expected: (l: Record<string, unknown>) => boolean) {
    const deadline = Date.now() + 20_000;
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
      if (expected(line)) return line;
      if (Date.now() > deadline)
        throw new Error(`no matching decision for card ${card}: ${JSON.stringify(line)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("the edge takes its first state over TLS and decides on it", async () => {
    await accessd.waitFor((l) => l.msg === "all subscriptions hold", 20_000, "the subscriptions");
    await accessd.waitFor((l) => l.msg === "decision index rebuilt", 20_000, "the snapshot");
    await decisionFor(101, (l) => l.outcome === "grant");
    await decisionFor(103, (l) => l.reason === "UNKNOWN_CARD");
    // The edge's events (the decisions) reach central through the broker's ACL too.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const events = new EventStore(`${files.db}.events`);
      const stored = events.recent(SITE, 50).length;
      events.close();
      if (stored >= 2) break;
      if (Date.now() > deadline) throw new Error(`central stored ${stored} event(s)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it("an operator's command goes out as central-tool and comes back answered", async () => {
    const sent = await central(
      files.db,
      "command",
      "lockdown",
      "--mode",
      "off",
      "--site",
      SITE,
      "--mqtt",
      broker.url,
      "--key",
      files.keyFile,
      ...tlsArgs(certs.client("central-tool")),
    );
    expect(sent.stdout.trim(), sent.stderr).toBe("done");
  });

  it("no key, no password in any log line", () => {
    const logs = [...accessd.lines, ...service.lines].map((l) => JSON.stringify(l)).join("\n");
    expect(logs).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(logs).toContain('"url":"mqtts://127.0.0.1:');
  });
});
