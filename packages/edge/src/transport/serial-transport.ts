import { SerialPort } from "serialport";
import type { ByteTransport, TransportHandlers } from "./byte-transport.js";

export interface SerialTransportOptions {
  readonly path: string;
  readonly baudRate: number;
}

/** A ByteTransport over a real (or pty) serial device. */
export class SerialTransport implements ByteTransport {
  readonly name: string;
  private readonly options: SerialTransportOptions;
  private port: SerialPort | undefined;

  constructor(options: SerialTransportOptions) {
    this.options = options;
    this.name = options.path;
  }

  open(handlers: TransportHandlers): Promise<void> {
    const port = new SerialPort({
      path: this.options.path,
      baudRate: this.options.baudRate,
      autoOpen: false,
    });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          reject(err);
          return;
        }
        this.port = port;
        port.on("data", (chunk: Buffer) => handlers.data(chunk));
        // serialport emits "error" for IO faults and "close" (with an error when it
        // was not asked to close); either way the device is gone for us.
        port.on("error", () => {});
        port.on("close", (closeErr: Error | null) => {
          if (this.port === port) this.port = undefined;
          handlers.closed(closeErr ?? undefined);
        });
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): void {
    this.port?.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }
}
