export {
  BridgeBus,
  type BridgeBusOptions,
  type BridgeBusStats,
  type BridgeReaderConfig,
} from "./buses/bridge/bridge-bus.js";
export type * from "./buses/bridge/bridge-events.js";
export { type Clock, systemClock } from "./clock.js";
export type { ByteTransport, TransportHandlers } from "./transport/byte-transport.js";
export { MemoryTransport, memoryTransportPair } from "./transport/memory-transport.js";
export { SerialTransport, type SerialTransportOptions } from "./transport/serial-transport.js";
