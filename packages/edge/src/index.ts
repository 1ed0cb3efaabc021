export {
  type ByteTransport,
  MemoryTransport,
  memoryTransportPair,
  SerialTransport,
  type SerialTransportOptions,
  type TransportHandlers,
} from "@acs/serial-transport";
export {
  BridgeBus,
  type BridgeBusOptions,
  type BridgeBusStats,
  type BridgeReaderConfig,
} from "./buses/bridge/bridge-bus.js";
export type * from "./buses/bridge/bridge-events.js";
export { type Clock, systemClock } from "./clock.js";
