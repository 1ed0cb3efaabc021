import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CentralProcess } from "./central-process.js";
import { AccessdProcess } from "./edge-processes.js";
import { edgeOutbox, startCentral, stopCentral } from "./event-counts.js";
import { until } from "./log-sink.js";
import { Mosquitto } from "./mosquitto.js";
import { openPtyPair, type PtyPair } from "./pty-pair.js";
import { SimProcess } from "./sim-process.js";
import { type CentralFiles, prepareCentral, smallDataset, syncedSiteConfig } from "./sync-site.js";

const FAST = { pulseUs: 50, intervalUs: 500 };

/**
 * One synced site with real processes: a Mosquitto, `central serve`, a bridge board
 * (firmware-sim on a socat pty pair) and accessd, on the small dataset of sync-site.ts
 * (cards 101 and 102 may enter the hall, 103 works elsewhere). Every part can be stopped
 * and started again; stop() cleans up even after a failure.
 */
export class SyncedSite {
  readonly site: string;
  readonly dir: string;
  broker!: Mosquitto;
  files!: CentralFiles;
  central!: CentralProcess;
  accessd!: AccessdProcess;
  sim!: SimProcess;
  configPath!: string;
  storePath!: string;
  private pty!: PtyPair;
  /** Card reads presented so far. */
  reads = 0;

  private constructor(site: string) {
    this.site = site;
    this.dir = mkdtempSync(join(tmpdir(), "acs-synced-"));
  }

  static async start(site = "ams-bsl", centralExtra: string[] = []): Promise<SyncedSite> {
    const s = new SyncedSite(site);
    try {
      s.broker = await Mosquitto.start();
      s.files = await prepareCentral(s.dir, smallDataset(site));
      s.central = new CentralProcess({
        db: s.files.db,
        mqttUrl: s.broker.url,
        keyFile: s.files.keyFile,
        extra: centralExtra,
      });
      await s.central.start();
      s.pty = await openPtyPair();
      s.sim = await SimProcess.start(["bridge", "--device", s.pty.device]);
      s.configPath = join(s.dir, "site.json");
      const config = syncedSiteConfig({
        dir: s.dir,
        site,
        device: s.pty.edge,
        mqttUrl: s.broker.url,
        central: s.files,
      });
      s.storePath = config.store.path;
      writeFileSync(s.configPath, JSON.stringify(config));
      await s.startAccessd();
    } catch (err) {
      await s.stop();
      throw err;
    }
    return s;
  }

  /** `central serve` anew with other options (a key rotation); the old one is stopped first. */
  async restartCentral(options: {
    keyFile?: string;
    keyId?: string;
    extra?: string[];
  }): Promise<void> {
    await this.central.stop();
    this.central = new CentralProcess({
      db: this.files.db,
      mqttUrl: this.broker.url,
      keyFile: options.keyFile ?? this.files.keyFile,
      keyId: options.keyId ?? this.files.keyId,
      extra: options.extra ?? [],
    });
    await this.central.start();
  }

  /** Rewrites the site config (e.g. a new edge key); takes effect at accessd's next start. */
  rewriteConfig(change: (config: Record<string, unknown>) => void): void {
    const config = JSON.parse(readFileSync(this.configPath, "utf8")) as Record<string, unknown>;
    change(config);
    writeFileSync(this.configPath, JSON.stringify(config));
  }

  /** Starts accessd and waits for its board and its first state. */
  async startAccessd(): Promise<void> {
    this.accessd = new AccessdProcess(this.configPath);
    await this.accessd.waitFor((l) => l.msg === "board session started", 10_000, "the board");
    await this.accessd.waitFor(
      (l) => l.msg === "decision index rebuilt" || l.msg === "decision index built",
      20_000,
      "the state",
    );
  }

  async stopCentral(): Promise<void> {
    await stopCentral(this.central);
  }

  async startCentral(): Promise<void> {
    await startCentral(this.central);
  }

  /** Presents `card` (facility 18) at the hall's reader; resolves once the board sent it. */
  async present(card: number): Promise<void> {
    this.reads++;
    await this.sim.request("present", {
      port: 0,
      format: "H10301",
      fields: { facility: 18, card },
      timing: FAST,
    });
  }

  /** Waits until the edge's outbox is empty (central acknowledged everything) for a second. */
  async drained(timeoutMs = 30_000): Promise<void> {
    let since = Number.POSITIVE_INFINITY;
    await until(
      () => {
        const { depth } = edgeOutbox(this.storePath);
        if (depth > 0) since = Number.POSITIVE_INFINITY;
        else if (since === Number.POSITIVE_INFINITY) since = Date.now();
        return Date.now() - since >= 1000;
      },
      timeoutMs,
      "the edge's outbox drained",
    );
  }

  async stop(): Promise<void> {
    await this.accessd?.stop().catch(() => undefined);
    await this.sim?.kill("SIGKILL").catch(() => undefined);
    await this.pty?.close().catch(() => undefined);
    await this.central?.stop().catch(() => undefined);
    await this.broker?.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
