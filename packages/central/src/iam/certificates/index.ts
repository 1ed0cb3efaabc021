export {
  type Certificate,
  type CertificateState,
  requiredTypes,
  validCertificateTypes,
} from "./model.js";
export {
  CERTIFICATE_TIMERS,
  CertificateService,
  type CertificateServiceOptions,
} from "./service.js";
export { DEFAULT_CERTIFICATE_TYPES } from "./validation.js";
