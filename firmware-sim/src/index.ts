export {
  BridgeBoard,
  type BridgeBoardObserver,
  type BridgeBoardOptions,
} from "./board/bridge-board.js";
export {
  HID_TIMING,
  type Pulse,
  type PulseTiming,
  playPulseTrain,
  pulseTrain,
} from "./bridge/pulse-train.js";
export { type WiegandFrame, WiegandReceiver } from "./bridge/wiegand-receiver.js";
export { type SimClock, systemClock, type TimerHandle } from "./clock.js";
export * from "./osdp/index.js";
export type { SimBusConfig, SimPdConfig } from "./osdp-bus/bus-config.js";
export { Rs485Bus, type Rs485BusOptions } from "./osdp-bus/rs485-bus.js";
