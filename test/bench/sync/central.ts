import { join } from "node:path";
import { Writable } from "node:stream";
import {
  CentralCommands,
  CentralService,
  type CentralStore,
  EventStore,
  loadDataset,
  openCentralStore,
  stateSource,
} from "@acs/central";
import { generateSigningKeyPair, loadPrivateKey, type SiteState } from "@acs/protocol";
import pino from "pino";
import { type EdgeKey, registerEdgeKeys } from "../../support/edge-keys.js";
import { sharedNow } from "../../support/shared-clock.js";
import type { GeneratedDataset } from "../sync-data.js";

export interface Compile {
  readonly site: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly version: number;
}

/**
 * Central as `central serve` runs it, in this process: its store (loaded with a generated
 * dataset before anything is measured), a CentralService publishing deltas and answering
 * snapshot requests, and the event store. Compiles are timed; the service's log is kept.
 */
export class Central {
  readonly store: CentralStore;
  readonly events: EventStore;
  readonly commands: CentralCommands;
  readonly compiles: Compile[] = [];
  readonly lines: Array<Record<string, unknown>> = [];
  readonly keyId = "central-1";
  readonly publicKeyPem: string;
  readonly loadS: number;
  readonly layout: Pick<GeneratedDataset, "sites" | "roaming" | "records">;
  service: CentralService | undefined;
  private readonly edgeKeys: ReturnType<typeof registerEdgeKeys>;
  private readonly privateKeyPem: string;
  private readonly name: string;

  constructor(dir: string, name: string, generate: () => GeneratedDataset) {
    this.name = name;
    const pair = generateSigningKeyPair(this.keyId);
    this.publicKeyPem = pair.publicKeyPem;
    this.privateKeyPem = pair.privateKeyPem;
    this.store = openCentralStore(join(dir, "central.db"));
    this.events = new EventStore(join(dir, "central.db.events"));
    this.commands = new CentralCommands(this.store);
    let generated: GeneratedDataset | undefined = generate();
    const started = Date.now();
    loadDataset(this.store, generated.dataset);
    this.loadS = (Date.now() - started) / 1000;
    this.layout = {
      sites: generated.sites,
      roaming: generated.roaming,
      records: generated.records,
    };
    generated = undefined;
    this.edgeKeys = registerEdgeKeys(
      this.store,
      this.store.sites().map((s) => s.id),
    );
  }

  /** The key the edge of `site` signs with (registered for it). */
  edgeKey(site: string): EdgeKey {
    const key = this.edgeKeys.keys.get(site);
    if (!key) throw new Error(`no edge key for ${site}`);
    return key;
  }

  get keys() {
    return [{ keyId: this.keyId, publicKeyPem: this.publicKeyPem }];
  }

  async start(mqttUrl: string): Promise<void> {
    const source = stateSource(this.store);
    const lines = this.lines;
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const text of chunk.toString().split("\n")) {
          if (!text) continue;
          const line = JSON.parse(text) as Record<string, unknown>;
          lines.push(line);
          if ((line.level as number) >= 40) process.stderr.write(`central: ${text}\n`);
        }
        done();
      },
    });
    this.service = new CentralService({
      mqttUrl,
      clientId: `central-${this.name}`,
      log: pino({ level: "info" }, stream),
      now: () => Date.now(),
      signingKey: { keyId: this.keyId, privateKey: loadPrivateKey(this.privateKeyPem) },
      state: {
        ...source,
        compileSnapshot: (site: string): SiteState => {
          const startedAt = sharedNow();
          const state = source.compileSnapshot(site);
          this.compiles.push({ site, startedAt, endedAt: sharedNow(), version: state.version });
          return state;
        },
      },
      events: this.events,
      edgeKeys: this.edgeKeys.cache,
      edgeKeyRegistry: this.edgeKeys.registry,
    });
    await this.service.start();
  }

  async stopService(): Promise<void> {
    await this.service?.stop();
    this.service = undefined;
  }

  async close(): Promise<void> {
    await this.stopService();
    this.events.close();
    this.store.close();
  }

  version(site: string): number {
    return this.store.site(site)?.version ?? 0;
  }
}
