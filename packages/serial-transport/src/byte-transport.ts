/** What a transport tells its owner; `closed` carries the error when the device went away. */
export interface TransportHandlers {
  data(chunk: Uint8Array): void;
  closed(error?: Error): void;
}

/**
 * A byte stream to a peripheral (a serial port in the field, a memory pipe in unit
 * tests). Buses depend on this, never on serialport, so tests need no module mocks.
 */
export interface ByteTransport {
  /** Describes the device for logs, e.g. its path. */
  readonly name: string;
  open(handlers: TransportHandlers): Promise<void>;
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
}
