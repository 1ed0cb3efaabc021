export { osdpChecksum, osdpCrc16 } from "./check.js";
export { CAPABILITY, COMMAND_CODES, describeNak, NAK_CODES, REPLY_CODES } from "./codes.js";
export { type BusSnapshot, BusStatistics } from "./cp/bus-stats.js";
export {
  ControlPanel,
  type ControlPanelHandlers,
  type ControlPanelOptions,
  type OsdpClock,
  type OsdpLine,
  type PdInfo,
} from "./cp/control-panel.js";
export type { PdConfig, PdLink, PdState, PdStats } from "./cp/pd-link.js";
export { BadPayloadError, OsdpError, type OsdpErrorCode, UnknownCodeError } from "./errors.js";
export { DEFAULT_MAX_PACKET, Framer, type FramerStats, type ReceivedFrame } from "./framer.js";
export { decodeCommand, decodeReply, encodeCommand, encodeReply } from "./messages/index.js";
export type * from "./messages/types.js";
export {
  BROADCAST,
  decodePacket,
  encodePacket,
  MARK,
  type Packet,
  type PacketHeader,
  packetBytes,
  SCS,
  SOM,
} from "./packet.js";
export type { PdApplication } from "./pd/application.js";
export {
  nextSequence,
  PeripheralDevice,
  type PeripheralOptions,
  type PeripheralStats,
} from "./pd/peripheral.js";
export { DEFAULT_SCBK } from "./secure/crypto.js";
export { SecureSession } from "./secure/session.js";
