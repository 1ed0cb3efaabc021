export {
  type ByteTransport,
  MemoryTransport,
  memoryTransportPair,
  SerialTransport,
  type SerialTransportOptions,
  type TransportHandlers,
} from "@acs/serial-transport";
export { type AccessIndex, IndexHolder } from "./access-index/access-index.js";
export { buildAccessIndex } from "./access-index/build-index.js";
export {
  buildAccessIndexOffThread,
  buildAccessIndexParallel,
} from "./access-index/build-index-parallel.js";
export {
  BridgeBus,
  type BridgeBusOptions,
  type BridgeBusStats,
  type BridgeReaderConfig,
} from "./buses/bridge/bridge-bus.js";
export type * from "./buses/bridge/bridge-events.js";
export { type Clock, systemClock } from "./clock.js";
export {
  type ConfigError,
  loadSiteConfig,
  parseSiteConfig,
  type SiteConfig,
} from "./config/site-config.js";
export { Accessd, type AccessdDeps } from "./daemon/accessd.js";
export { IndexFollower, type IndexFollowerOptions } from "./daemon/index-follower.js";
export {
  type Credential,
  type Decision,
  type DecisionRequest,
  type DoorContext,
  decide,
  findCard,
  type Now,
} from "./decision/decide.js";
export { DENY_REASONS, type DenyReason, reasonText } from "./decision/reasons.js";
export { ZoneClock } from "./schedule/local-time.js";
export type * from "./state/model.js";
export { Checkpointer } from "./store/checkpointer.js";
export {
  EventJournal,
  type EventJournalOptions,
  type EventRecorder,
  type RecordOutcome,
  type StoreHealth,
} from "./store/event-journal.js";
export { openStore, type Store } from "./store/store.js";
export {
  type StateChange,
  SyncClient,
  type SyncClientOptions,
  type SyncHooks,
  type SyncStats,
} from "./sync/index.js";
