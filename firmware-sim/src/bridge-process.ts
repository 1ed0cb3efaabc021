import { randomInt } from "node:crypto";
import pino from "pino";
import { SerialPort } from "serialport";
import { BridgeBoard } from "./board/bridge-board.js";
import { systemClock } from "./clock.js";
import { BridgeControl, type OutputChange } from "./control/bridge-control.js";
import { NdjsonStdio } from "./control/ndjson-stdio.js";

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
  let port: SerialPort | undefined;
  let connected = true;
  const record = (change: OutputChange) => {
    history.push(change);
    stdio.emit(change);
  };
  const board = new BridgeBoard({
    clock: systemClock,
    write: (bytes) => {
      if (connected && port?.isOpen) port.write(Buffer.from(bytes));
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
    inject: (bytes) => {
      if (port?.isOpen) port.write(Buffer.from(bytes));
    },
    history: () => history,
  });

  const openPort = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const p = new SerialPort({
        path: options.device,
        baudRate: options.baudRate,
        autoOpen: false,
      });
      p.open((err) => {
        if (err) return reject(err);
        port = p;
        p.on("data", (chunk: Buffer) => {
          if (connected) board.receive(chunk);
        });
        p.on("error", (e) => log.warn({ err: e.message }, "serial error"));
        p.on("close", () => {
          if (stopping) return;
          log.warn("serial device closed; retrying");
          setTimeout(() => void reopen(), 500);
        });
        resolve();
      });
    });
  const reopen = async () => {
    try {
      await openPort();
    } catch {
      setTimeout(() => void reopen(), 500);
    }
  };

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    board.stop();
    const p = port;
    if (p?.isOpen) p.close(() => process.exit(0));
    else process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  await openPort();
  board.start();
  log.info({ bootId: board.bootId }, "bridge board started");
  stdio.emit({ event: "ready", bootId: board.bootId, atUs: systemClock.nowUs() });
  stdio.serve((request) => control.handle(request), shutdown);
}
