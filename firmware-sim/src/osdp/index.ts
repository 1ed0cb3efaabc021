export {
  type CardReaderOptions,
  CardReaderPd,
  cardReaderCapabilities,
  packBits,
  READER,
} from "./card-reader.js";
export { DEFAULT_EVENT_QUEUE_CAPACITY, EventQueue } from "./event-queue.js";
export {
  type Capture,
  type CaptureNoise,
  captureFinger,
  captureTemplate,
  DEFAULT_NOISE,
  decodeTemplate,
  encodeTemplate,
  fingerMinutiae,
  hashString,
  MAX_MINUTIAE,
  MINUTIA_BIFURCATION,
  MINUTIA_ENDING,
  type Minutia,
  matchScore,
  type Rng,
  seededRng,
  TEMPLATE_MAGIC,
  TEMPLATE_VERSION,
  TemplateError,
} from "./fingerprint.js";
export {
  DEFAULT_BIO_TIMEOUT_MS,
  type FingerprintTerminalOptions,
  FingerprintTerminalPd,
  type FingerResult,
} from "./fingerprint-terminal.js";
export { type IoModuleOptions, IoModulePd, ioModuleCapabilities, OUT_CODE } from "./io-module.js";
export {
  OSDP_CONTROL_COMMANDS,
  OsdpControl,
  type OsdpControlTarget,
  type OsdpSimPd,
  outputEventLine,
  pdState,
} from "./osdp-control.js";
export {
  DEFAULT_IDENTIFICATION,
  PdBase,
  type PdBaseOptions,
  type PdOutputEvent,
} from "./pd-base.js";
export * from "./spec.js";
