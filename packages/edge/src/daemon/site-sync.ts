import {
  type CommandAction,
  publicKeys,
  type ReaderHealth,
  type SigningKey,
  type SiteCommand,
} from "@acs/protocol";
import type { Logger } from "pino";
import type { AccessIndex, IndexHolder } from "../access-index/access-index.js";
import type { Clock } from "../clock.js";
import { ConfigError, type SyncConfig } from "../config/site-config.js";
import { readSyncCredentials } from "../config/sync-credentials.js";
import type { DoorController } from "../door/door-controller.js";
import type { EventRecorder } from "../store/event-journal.js";
import type { Store } from "../store/store.js";
import type { CommandExecution } from "../sync/commands.js";
import type { StatusStoreHealth } from "../sync/status.js";
import { SyncClient } from "../sync/sync-client.js";
import { IndexFollower } from "./index-follower.js";

/** What the daemon lends the sync: its index, its doors, and who may change their modes. */
export interface SiteSyncHost {
  readonly site: string;
  readonly store: Store;
  /** Where the sync's own events go (the daemon's journal: one order for all events). */
  readonly events: EventRecorder;
  readonly holder: IndexHolder;
  readonly clock: Clock;
  readonly log: Logger;
  /** The edge's own key (sync.edgeKey). */
  readonly edgeKey: SigningKey;
  buildIndex(): Promise<AccessIndex>;
  indexSwapped(index: AccessIndex): void;
  door(id: string): DoorController | undefined;
  /** Lockdown of the whole site (on) or back to the modes in force (off). */
  setLockdown(on: boolean, reason: string): void;
  /** A door's mode by central's command, over its policy until the next command. */
  setCommandedMode(doorId: string, mode: DoorController["mode"]): void;
  readers(): ReaderHealth[];
  /** Whether the store takes writes and what waits in memory (the status reports it). */
  storeHealth(): StatusStoreHealth;
}

/**
 * The site's link with central: the sync client (snapshots and deltas in, events and
 * status out, commands) and the index follower that makes each applied change count at
 * the doors at once.
 */
export class SiteSync {
  readonly client: SyncClient;
  readonly follower: IndexFollower;
  private readonly host: SiteSyncHost;

  constructor(host: SiteSyncHost, config: SyncConfig) {
    this.host = host;
    this.follower = new IndexFollower({
      holder: host.holder,
      build: () => host.buildIndex(),
      clock: host.clock,
      log: host.log,
      swapped: (index) => host.indexSwapped(index),
    });
    // Read again (the config check read them at start-up): a file that went since is a
    // config problem now, never a connect that fails for ever.
    const credentials = readSyncCredentials(config, host.site);
    if (credentials.problems.length > 0) throw new ConfigError("site config", credentials.problems);
    for (const warning of credentials.warnings) host.log.warn({ module: "sync" }, warning);
    this.client = new SyncClient({
      site: host.site,
      mqttUrl: process.env.MQTT_URL ?? config.mqttUrl,
      mqtt: credentials.mqtt,
      store: host.store,
      events: host.events,
      publicKeys: publicKeys(config.centralKeys),
      signingKey: host.edgeKey,
      clock: host.clock,
      log: host.log.child({ module: "sync" }),
      status: { heartbeatMs: config.heartbeatMs },
      uplink: config.uplink,
      hooks: {
        stateApplied: (change) => {
          if (change.kind === "delta") this.follower.deltaApplied(change.delta);
          else this.follower.snapshotApplied();
        },
        executeCommand: (command) => Promise.resolve(this.execute(command)),
        readers: () => host.readers(),
        storeHealth: () => host.storeHealth(),
      },
    });
  }

  start(): void {
    this.client.start();
  }

  async stop(): Promise<void> {
    this.follower.stop();
    await this.client.stop();
  }

  private execute(command: SiteCommand): CommandExecution {
    const action: CommandAction = command.action;
    switch (action.kind) {
      case "remote-open": {
        const door = this.host.door(action.doorId);
        if (!door) return { outcome: "refused", reason: "UNKNOWN_DOOR" };
        this.host.log.warn(
          { door: action.doorId, command: command.id, reason: action.reason },
          "remote open by central",
        );
        return door.grant("remote")
          ? { outcome: "done" }
          : { outcome: "failed", reason: "INTERLOCK" };
      }
      case "lockdown":
        this.host.setLockdown(action.on, action.reason);
        return { outcome: "done" };
      case "door-mode": {
        if (!this.host.door(action.doorId)) return { outcome: "refused", reason: "UNKNOWN_DOOR" };
        this.host.setCommandedMode(action.doorId, action.mode);
        return { outcome: "done" };
      }
      case "trust-central-key":
      case "untrust-central-key":
        // The sync client handles central's key rotation itself; never a door's business.
        return { outcome: "refused", reason: "NOT_A_DOOR_COMMAND" };
    }
  }
}
