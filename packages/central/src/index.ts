export { grants } from "./broker/acl.js";
export {
  type BrokerConfigOptions,
  type BrokerConfigResult,
  writeBrokerConfig,
} from "./broker/broker-config.js";
export { CENTRAL_IDENTITY, edgeIdentity, TOOL_IDENTITY } from "./broker/identities.js";
export { SetupError, type SetupErrorCode } from "./broker/setup-error.js";
export { keygen, sendCommand, serve, signingKeyFrom } from "./cli/serve.js";
export { type Clock, fixedClock, systemClock } from "./clock.js";
export {
  compileDeltas,
  deltaCounts,
  type TouchedRecord,
} from "./compiler/deltas.js";
export { hashRow } from "./compiler/hash.js";
export {
  compileSiteState,
  compileSnapshot,
  compileSnapshotDetailed,
  markPublished,
  publishedCounts,
  type SnapshotResult,
  siteCounts,
} from "./compiler/site-state.js";
export { stateSource } from "./compiler/state-source.js";
export { CentralError, type CentralErrorCode } from "./errors.js";
export { type ApiServer, buildServer, type ServerContext } from "./http/server.js";
export { registerWorkflowRoutes } from "./http/workflow-routes.js";
export { AccountService } from "./iam/accounts/service.js";
export * as iam from "./iam/index.js";
export { Workflow, type WorkflowOptions } from "./iam/workflow.js";
export {
  CentralService,
  type CentralServiceOptions,
  type StateSource,
} from "./service/central-service.js";
export {
  EventStore,
  type QuarantinedEvent,
  type StoredEvent,
  seqRanges,
} from "./service/event-store.js";
export { type MqttCredentials, MqttLinkError } from "./service/mqtt-link.js";
export {
  type AddCertificateInput,
  CentralCommands,
  type CreateAreaInput,
  type CreateEmploymentInput,
  type CreateHolidayCalendarInput,
  type CreatePersonInput,
  type CreateScheduleInput,
  type CreateSiteInput,
  type GrantOptions,
  type IssueCardInput,
  type Outcome,
  type SetDoorPolicyInput,
  type SetSitePolicyInput,
  type UpsertCompanyInput,
} from "./state/commands.js";
export {
  type Dataset,
  type DatasetArea,
  type DatasetAuthorization,
  type DatasetCard,
  type DatasetCertificate,
  type DatasetCompany,
  type DatasetDoorPolicy,
  type DatasetEmployment,
  type DatasetHolidayCalendar,
  type DatasetInstant,
  type DatasetPerson,
  type DatasetSchedule,
  type DatasetSite,
  type LoadResult,
  loadDataset,
} from "./state/dataset.js";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./state/migrations.js";
export { type PublishedKind, RECORD_KINDS, type RecordKind } from "./state/records.js";
export { CARD_STATUS_VALUES, DOOR_MODE_VALUES, SITE_ID_PATTERN } from "./state/schemas.js";
export {
  CentralStore,
  type CentralStoreOptions,
  type OutboxDelta,
  openCentralStore,
  type SiteInfo,
  type StoreLog,
} from "./state/store.js";
export {
  defaultEdgeKeyId,
  EdgeKeyCache,
  type EdgeKeyInfo,
  EdgeKeyRegistry,
  isActive,
} from "./trust/edge-keys.js";
