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
