import { readSync, writeSync } from "node:fs";
import { autoDetect } from "@serialport/bindings-cpp";
import type { ByteTransport, TransportHandlers } from "./byte-transport.js";

export interface SerialTransportOptions {
  readonly path: string;
  readonly baudRate: number;
  /**
   * Told about an exception thrown by a handler (data, closed). It is caught: the
   * handlers run inside serialport's native poll callback, where an escaping exception
   * becomes a C++ exception and std::terminate (SIGABRT). Default: a line on stderr.
   */
  readonly onHandlerError?: (error: Error, handler: "data" | "closed") => void;
}

/** What this transport needs of serialport's native port binding on Linux and macOS. */
interface NativePort {
  fd: number | null;
  readonly poller?: {
    once(event: "readable" | "disconnect", callback: (err: Error | null) => void): unknown;
    stop(): void;
  };
  write(buffer: Buffer): Promise<void>;
  close(): Promise<void>;
}

const READ_CHUNK = 4096;
const GONE = new Set(["EIO", "ENXIO", "EBADF", "ENODEV"]);

/**
 * A serial device (or one end of a pty pair) through serialport's native binding, which
 * opens and configures the port and watches its descriptor. Reads and writes then go
 * straight to the non-blocking descriptor on the event loop: serialport's stream would
 * send each read through the thread pool twice, which costs a card read up to milliseconds
 * of latency on a busy two-core controller. A write the device cannot take at once
 * (EAGAIN) is finished by the binding's own queued write, in order.
 *
 * Nothing thrown by a handler leaves this class: the readable callback is called by native
 * code (node-addon-api, C++ exceptions on), which would abort the whole process.
 */
export class SerialTransport implements ByteTransport {
  readonly name: string;
  private readonly options: SerialTransportOptions;
  private port: NativePort | undefined;
  private handlers: TransportHandlers | undefined;
  private readonly buffer = Buffer.allocUnsafe(READ_CHUNK);
  private queuedWrites = 0;

  constructor(options: SerialTransportOptions) {
    this.options = options;
    this.name = options.path;
  }

  async open(handlers: TransportHandlers): Promise<void> {
    const binding = autoDetect();
    const port = (await binding.open({
      path: this.options.path,
      baudRate: this.options.baudRate,
    })) as unknown as NativePort;
    if (port.fd === null || !port.poller) {
      await port.close();
      throw new Error(`${this.name}: this platform's serial binding has no pollable descriptor`);
    }
    this.port = port;
    this.handlers = handlers;
    this.queuedWrites = 0;
    this.drain(port);
    this.watch(port);
  }

  write(bytes: Uint8Array): void {
    const port = this.port;
    if (!port || port.fd === null) return;
    let written = 0;
    if (this.queuedWrites === 0) {
      try {
        written = writeSync(port.fd, bytes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "";
        if (GONE.has(code)) {
          this.lost(port, err as Error);
          return;
        }
        if (code !== "EAGAIN") throw err;
      }
    }
    if (written >= bytes.length) return;
    this.queuedWrites++;
    port.write(Buffer.from(bytes.subarray(written))).then(
      () => {
        this.queuedWrites--;
      },
      (err: Error) => {
        this.queuedWrites--;
        this.lost(port, err);
      },
    );
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.handlers = undefined;
    if (!port) return;
    port.poller?.stop();
    await port.close().catch(() => undefined);
  }

  private watch(port: NativePort): void {
    port.poller?.once("readable", (err) => {
      // Called from native code: nothing may escape (see the class comment).
      try {
        if (this.port !== port) return;
        if (err) {
          this.lost(port, err);
          return;
        }
        this.drain(port);
        if (this.port === port) this.watch(port);
      } catch (thrown) {
        this.handlerFailed(thrown, "data");
        if (this.port === port) this.watch(port);
      }
    });
  }

  /** Reads everything the descriptor holds now. */
  private drain(port: NativePort): void {
    while (this.port === port && port.fd !== null) {
      let n: number;
      try {
        n = readSync(port.fd, this.buffer, 0, READ_CHUNK, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "";
        if (code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR") return;
        this.lost(port, err as Error);
        return;
      }
      if (n === 0) return;
      const chunk = Uint8Array.prototype.slice.call(this.buffer, 0, n);
      try {
        this.handlers?.data(chunk);
      } catch (err) {
        this.handlerFailed(err, "data");
      }
    }
  }

  private handlerFailed(err: unknown, handler: "data" | "closed"): void {
    const error = err instanceof Error ? err : new Error(String(err));
    try {
      if (this.options.onHandlerError) this.options.onHandlerError(error, handler);
      else
        process.stderr.write(
          `${JSON.stringify({ transport: this.name, handler, err: error.message })}\n`,
        );
    } catch {
      // The report itself must not throw into native code either.
    }
  }

  /** The device went away (unplugged, pty closed): close it and tell the owner. */
  private lost(port: NativePort, error: Error): void {
    if (this.port !== port) return;
    const handlers = this.handlers;
    this.port = undefined;
    this.handlers = undefined;
    port.poller?.stop();
    port.close().catch(() => undefined);
    try {
      handlers?.closed(error);
    } catch (err) {
      this.handlerFailed(err, "closed");
    }
  }
}
