export type { ByteTransport, TransportHandlers } from "./byte-transport.js";
export { MemoryTransport, memoryTransportPair } from "./memory-transport.js";
export { SerialTransport, type SerialTransportOptions } from "./serial-transport.js";
