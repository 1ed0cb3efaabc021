export type {
  BuzzerControl,
  Capability,
  Command,
  LedControl,
  OutputControl,
  PdApplication,
  PdIdentification,
  Reply,
  TextOutput,
} from "@acs/osdp";
