export type { DeltaResult, KindCounts } from "./delta-writer.js";
export {
  InvalidStateError,
  SchemaTooNewError,
  SiteMismatchError,
  StateFileError,
  type StateFileProblem,
  StoreError,
  type StoreErrorCode,
  VersionNotNewerError,
  VersionNotNextError,
} from "./errors.js";
export type { ApplyOptions, FullApplyOptions, FullApplyResult } from "./full-state-writer.js";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.js";
export type { NewOutboxEvent, OutboxEvent, OutboxQuery } from "./outbox.js";
export { importStateFile, parseStateFile } from "./state-file.js";
export { CARD_STATUSES, DOOR_MODES, stateFileSchema } from "./state-file-schema.js";
export { openStore, Store, type StoreOptions } from "./store.js";
export type { StateKind } from "./tables.js";
