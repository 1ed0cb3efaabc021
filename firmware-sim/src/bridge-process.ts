import { randomInt } from "node:crypto";
import { SerialTransport } from "@acs/serial-transport";
import pino from "pino";
import { BridgeBoard } from "./board/bridge-board.js";
import { systemClock } from "./clock.js";
import { BridgeControl, type OutputChange } from "./control/bridge-control.js";
import { NdjsonStdio } from "./control/ndjson-stdio.js";

/** Output changes kept for the `history` command. */
const HISTORY_LIMIT = 10_000;

export interface BridgeProcessOptions {
  readonly device: string;
  readonly baudRate: number;
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
  const log = pino({ base: { sim: "bridge", device: options.device } }, pino.destination(2));
  const stdio = new NdjsonStdio();
  const history: OutputChange[] = [];
  const line = new SerialTransport({ path: options.device, baudRate: options.baudRate });
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

  const openLine = (): Promise<void> =>
    line.open({
      data: (chunk) => {
        if (connected) board.receive(chunk);
      },
      closed: (err) => {
        if (stopping) return;
        log.warn({ err: err?.message }, "serial device closed; retrying");
        setTimeout(() => void reopen(), 500);
      },
    });
  const reopen = async () => {
    try {
      await openLine();
    } catch {
      setTimeout(() => void reopen(), 500);
    }
  };

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    board.stop();
    void line.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  await openLine();
  board.start();
  log.info({ bootId: board.bootId }, "bridge board started");
  stdio.emit({ event: "ready", bootId: board.bootId, atUs: systemClock.nowUs() });
  stdio.serve((request) => control.handle(request), shutdown);
}
