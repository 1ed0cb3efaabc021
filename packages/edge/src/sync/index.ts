export { Backoff } from "./backoff.js";
export type { CommandExecution, CommandOptions, CommandStats } from "./commands.js";
export type { DeltaOptions, DeltaStats } from "./deltas.js";
export type { SnapshotOptions, SnapshotReason, SnapshotStats } from "./snapshots.js";
export type { StatusOptions } from "./status.js";
export type { SubscriptionState } from "./subscriptions.js";
export {
  type StateChange,
  SyncClient,
  type SyncClientOptions,
  type SyncHealth,
  type SyncHooks,
  type SyncStats,
} from "./sync-client.js";
export type { UplinkOptions, UplinkStats } from "./uplink.js";
