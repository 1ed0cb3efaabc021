export { type Actor, ROLES, type Role } from "./actor.js";
export {
  type AuditEntity,
  type AuditRecord,
  AuditService,
  appendAudit,
  MASKED_DATE,
  maskIdNumber,
  maskSensitive,
} from "./audit.js";
export type * from "./companies/model.js";
export { ID_TYPES } from "./companies/model.js";
export {
  CompanyService,
  type CompanyServiceOptions,
  type IamLog,
} from "./companies/service.js";
export type { ContactPersonInput, RegisterCompanyInput } from "./companies/validation.js";
export {
  DEFAULT_FREE_MAIL_DOMAINS,
  DEFAULT_IAM_CONFIG,
  DEFAULT_ROLE_ADDRESSES,
  type IamConfig,
} from "./config.js";
export { type IamDatabase, type IamDb, inTransaction, openIamDb } from "./db.js";
export { IamError, type IamErrorCode, IamValidationError, type Problem } from "./errors.js";
