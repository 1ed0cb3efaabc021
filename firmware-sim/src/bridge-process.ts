import { randomInt } from "node:crypto";
import { BridgeBoard } from "./board/bridge-board.js";
import { systemClock } from "./clock.js";
import { BridgeControl, type OutputChange } from "./control/bridge-control.js";
import { type SerialDeviceOptions, serialLine } from "./serial-line.js";

/** Output changes kept for the `history` command. */
const HISTORY_LIMIT = 10_000;

export interface BridgeProcessOptions extends SerialDeviceOptions {
  readonly boardId: number;
  readonly readerPorts: number;
  readonly relays: number;
  readonly inputs: number;
  readonly maxOnMs: number;
  readonly debounceMs: number;
  readonly model: string;
}

/**
 * Runs a simulated bridge board on a serial device, controlled through NDJSON on
 * stdin/stdout; logs go to stderr.
 */
export async function runBridgeProcess(options: BridgeProcessOptions): Promise<void> {
  const line = serialLine("bridge", options);
  const { log, stdio } = line;
  const history: OutputChange[] = [];
  let connected = true;
  const record = (change: OutputChange) => {
    // Bounded: a sim left running for days must not grow without end.
    if (history.length >= HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT + 1);
    history.push(change);
    stdio.emit(change);
  };
  const board = new BridgeBoard({
    clock: systemClock,
    write: (bytes) => {
      if (connected) line.write(bytes);
    },
    boardId: options.boardId,
    firmware: { major: 1, minor: 4, patch: 0 },
    model: options.model,
    readerPorts: options.readerPorts,
    relays: options.relays,
    inputs: options.inputs,
    maxOnMs: options.maxOnMs,
    debounceMs: options.debounceMs,
    randomU32: () => randomInt(0, 0xffffffff),
    observer: {
      relay: (relay, on, cause, atUs) => record({ event: "relay", relay, on, cause, atUs }),
      feedback: (readerPort, state, atUs) => {
        record({ event: "led", port: readerPort, led: state.led, atUs });
        record({ event: "buzzer", port: readerPort, on: state.buzzer, atUs });
      },
      input: (input, active, atUs) => stdio.emit({ event: "input", input, active, atUs }),
      card: (readerPort, frame) =>
        stdio.emit({
          event: "card",
          port: readerPort,
          bits: frame.bits,
          endReason: frame.endReason,
          lastPulseUs: frame.lastPulseUs,
          endedAtUs: frame.endedAtUs,
          sentAtUs: systemClock.nowUs(),
        }),
      pulseRejected: (readerPort, reject) =>
        stdio.emit({ event: "pulse-rejected", port: readerPort, ...reject }),
      session: (edgeSession) =>
        stdio.emit({ event: "session", edgeSession, atUs: systemClock.nowUs() }),
      overflow: (message) => log.error({ kind: message.kind }, "event queue full: event lost"),
    },
  });
  const control = new BridgeControl({
    board,
    clock: systemClock,
    setLineConnected: (value) => {
      connected = value;
      log.info({ connected: value }, "line");
    },
    lineConnected: () => connected,
    inject: (bytes) => line.write(bytes),
    history: () => history,
  });

  await line.start(
    (chunk) => {
      if (connected) board.receive(chunk);
    },
    () => board.stop(),
  );
  board.start();
  log.info({ bootId: board.bootId }, "bridge board started");
  stdio.emit({ event: "ready", bootId: board.bootId, atUs: systemClock.nowUs() });
  line.serve((request) => control.handle(request));
}
