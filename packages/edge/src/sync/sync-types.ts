import type { KeyObject } from "node:crypto";
import type { ReaderHealth, SigningKey, SiteCommand, SiteDelta } from "@acs/protocol";
import type { IClientOptions } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../store/event-journal.js";
import type { Store } from "../store/store.js";
import type { CommandExecution, CommandOptions, CommandStats } from "./commands.js";
import type { DeltaOptions, DeltaStats } from "./deltas.js";
import type { SnapshotOptions, SnapshotStats } from "./snapshots.js";
import type { StatusOptions, StatusStoreHealth } from "./status.js";
import type { SubscriptionState } from "./subscriptions.js";
import type { UplinkOptions, UplinkStats } from "./uplink.js";

/** What changed in the store: accessd rebuilds (or patches) its index from it. */
export type StateChange =
  | { readonly kind: "delta"; readonly delta: SiteDelta }
  | { readonly kind: "snapshot"; readonly version: number };

/** What the sync client asks of accessd. Called on the event loop, never concurrently. */
export interface SyncHooks {
  /**
   * A snapshot or delta was committed to the store. For a change central split into
   * several deltas (`partial: true` on all but the last), the whole change is committed
   * in one transaction when its last delta is in, and this is then called once per delta
   * of the change, in version order, one right after the other (the store already holds
   * the whole change at the first call). A snapshot is followed by calls for the deltas
   * that were waiting for it.
   */
  stateApplied(change: StateChange): void;
  /** Carries out a verified command (signed, this site, not expired, not seen before). */
  executeCommand(command: SiteCommand): Promise<CommandExecution>;
  /** Reader health for the status. */
  readers(): ReaderHealth[];
  /** Whether the store takes writes (and what waits in memory), for the status. */
  storeHealth?(): StatusStoreHealth;
}

export interface SyncClientOptions {
  /** The site this edge serves (`[a-z0-9_-]`). */
  readonly site: string;
  /** e.g. mqtt://broker:1883 or mqtts://... */
  readonly mqttUrl: string;
  /** Default `edge-<site>`: fixed, so the broker keeps the persistent session. */
  readonly clientId?: string;
  readonly store: Store;
  /**
   * Where the sync's events go (refusals, sync health, outbox alarms, commands): accessd's
   * journal, so that they keep one order with the doors' events also while the store takes
   * no writes. Without it the client keeps a journal of its own.
   */
  readonly events?: EventRecorder;
  /**
   * Central's signing keys by key id, as the site config names them (deltas, manifests,
   * commands, acks, central's status); a signed key rotation adds and withdraws keys over
   * them (kept in the store).
   */
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
  /** This edge's own key: everything it sends is signed with it. */
  readonly signingKey: SigningKey;
  readonly clock: Clock;
  readonly log: Logger;
  readonly hooks: SyncHooks;
  readonly uplink?: UplinkOptions;
  readonly status?: StatusOptions;
  readonly snapshot?: SnapshotOptions;
  readonly deltas?: DeltaOptions;
  readonly commands?: CommandOptions;
  /** Reconnect backoff: from initialMs (default 250) doubling to maxMs (default 1 s), jittered. */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Retry of refused subscriptions: default 1 s doubling to 60 s. */
  readonly subscribeRetry?: { readonly initialMs?: number; readonly maxMs?: number };
  /** MQTT keepalive, seconds. Default 30. */
  readonly keepaliveSec?: number;
  /** CONNACK wait. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Security ("sync-refused") events recorded per minute at most. Default 60. */
  readonly securityEventsPerMinute?: number;
  /** More client options: credentials, TLS (ca, cert, key). The session settings are fixed. */
  readonly mqtt?: Pick<
    IClientOptions,
    "username" | "password" | "ca" | "cert" | "key" | "rejectUnauthorized" | "servername"
  >;
}

export interface SyncHealth {
  readonly connected: boolean;
  /** Connected and every subscription granted with QoS 1. */
  readonly healthy: boolean;
  readonly subscriptions: Readonly<Record<string, SubscriptionState>>;
  readonly problems: readonly string[];
}

export interface SyncStats extends SyncHealth {
  readonly connects: number;
  readonly disconnects: number;
  readonly subscriptionRefusals: number;
  readonly stateVersion: number | null;
  readonly deltas: DeltaStats;
  readonly snapshots: SnapshotStats;
  readonly uplink: UplinkStats;
  readonly commands: CommandStats;
  /** Messages refused as security events (sync-refused). */
  readonly securityRefusals: number;
  /** Central's key ids trusted now. */
  readonly centralKeyIds: readonly string[];
  /** Central's status as last seen (null: none yet). */
  readonly central: { readonly online: boolean; readonly at: number } | null;
  readonly statusPublished: number;
}
