import { SerialTransport } from "@acs/serial-transport";
import pino, { type Logger } from "pino";
import type { ControlRequest } from "./control/control-protocol.js";
import { NdjsonStdio } from "./control/ndjson-stdio.js";

/** Delay before a closed (or not yet present) serial device is opened again. */
const REOPEN_DELAY_MS = 500;

/** The serial device a simulator process runs on. */
export interface SerialDeviceOptions {
  readonly device: string;
  readonly baudRate: number;
}

/**
 * What every simulator process has: a serial device that is reopened whenever it goes away,
 * NDJSON control on stdin/stdout, logs on stderr, and one shutdown for SIGTERM, SIGINT and the
 * end of stdin.
 */
export interface SerialLine {
  readonly log: Logger;
  readonly stdio: NdjsonStdio;
  /** Writes bytes to the serial device. */
  write(bytes: Uint8Array): void;
  /**
   * Makes SIGTERM and SIGINT shut the process down (running `stop` once, closing the device,
   * then exiting), then opens the device with `receive` taking what it reads. When the device
   * closes it is reopened every 500 ms until that succeeds (unless shutting down). Rejects
   * when the first open fails.
   */
  start(receive: (chunk: Uint8Array) => void, stop: () => void): Promise<void>;
  /** Answers control requests from stdin; the end of stdin shuts the process down. */
  serve(handle: (request: ControlRequest) => Promise<Record<string, unknown>>): void;
}

/** The serial line, stdio and logger of simulator `sim` (logged as its `sim` field). */
export function serialLine(sim: string, options: SerialDeviceOptions): SerialLine {
  const log = pino({ base: { sim, device: options.device } }, pino.destination(2));
  const stdio = new NdjsonStdio();
  const line = new SerialTransport({ path: options.device, baudRate: options.baudRate });
  let stop = () => {};
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stop();
    void line.close().then(() => process.exit(0));
  };

  let receive = (_chunk: Uint8Array) => {};
  const openLine = (): Promise<void> =>
    line.open({
      data: (chunk) => receive(chunk),
      closed: (err) => {
        if (stopping) return;
        log.warn({ err: err?.message }, "serial device closed; retrying");
        setTimeout(() => void reopen(), REOPEN_DELAY_MS);
      },
    });
  const reopen = async () => {
    try {
      await openLine();
    } catch {
      setTimeout(() => void reopen(), REOPEN_DELAY_MS);
    }
  };

  return {
    log,
    stdio,
    write: (bytes) => line.write(bytes),
    start: (onData, onStop) => {
      receive = onData;
      stop = onStop;
      process.on("SIGTERM", shutdown);
      process.on("SIGINT", shutdown);
      return openLine();
    },
    serve: (handle) => stdio.serve(handle, shutdown),
  };
}
