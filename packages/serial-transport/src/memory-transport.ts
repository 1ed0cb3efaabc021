import type { ByteTransport, TransportHandlers } from "./byte-transport.js";

/**
 * Two connected in-memory transports, for unit tests: what one writes the other
 * receives on the next microtask. `unplug()` closes both as a pulled cable would.
 */
export function memoryTransportPair(): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport("memory-a");
  const b = new MemoryTransport("memory-b");
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export class MemoryTransport implements ByteTransport {
  readonly name: string;
  peer: MemoryTransport | undefined;
  private handlers: TransportHandlers | undefined;
  /** While false, open() fails as for a device that is not there. */
  present = true;
  readonly written: Uint8Array[] = [];

  constructor(name: string) {
    this.name = name;
  }

  get isOpen(): boolean {
    return this.handlers !== undefined;
  }

  open(handlers: TransportHandlers): Promise<void> {
    if (!this.present) return Promise.reject(new Error(`${this.name}: no such device`));
    this.handlers = handlers;
    return Promise.resolve();
  }

  write(bytes: Uint8Array): void {
    if (!this.handlers) return;
    this.written.push(bytes);
    const peer = this.peer;
    const copy = bytes.slice();
    queueMicrotask(() => peer?.receive(copy));
  }

  /** Delivers bytes as if they came from the line. */
  receive(bytes: Uint8Array): void {
    this.handlers?.data(bytes);
  }

  close(): Promise<void> {
    this.handlers = undefined;
    return Promise.resolve();
  }

  /** The device disappears (cable pulled): the owner is told it closed. */
  unplug(): void {
    const handlers = this.handlers;
    this.handlers = undefined;
    this.present = false;
    handlers?.closed(new Error(`${this.name}: device removed`));
  }
}
