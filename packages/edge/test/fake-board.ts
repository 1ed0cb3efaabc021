import {
  type BridgeMessage,
  decodeMessage,
  encodeMessage,
  Framer,
  type HelloMessage,
} from "@acs/bridge-protocol";
import type { MemoryTransport } from "@acs/serial-transport";

/** The board's end of a memory line, driven by hand: it records what the edge sends. */
export class FakeBoard {
  readonly received: Array<{ seq: number; message: BridgeMessage }> = [];
  private readonly framer: Framer;
  private readonly line: MemoryTransport;

  constructor(line: MemoryTransport) {
    this.line = line;
    this.framer = new Framer({
      frame: (frame) => this.received.push({ seq: frame.seq, message: decodeMessage(frame) }),
      error: () => {},
    });
  }

  async plugIn(): Promise<void> {
    this.line.present = true;
    await this.line.open({ data: (chunk) => this.framer.push(chunk), closed: () => {} });
  }

  send(message: BridgeMessage, seq = 0): void {
    this.line.write(encodeMessage(message, seq));
  }

  sendBytes(bytes: Uint8Array): void {
    this.line.write(bytes);
  }

  hello(bootId: number, readerPorts = 2): HelloMessage {
    const hello: HelloMessage = {
      kind: "hello",
      protocolVersion: 1,
      boardId: 77,
      firmware: { major: 1, minor: 0, patch: 0 },
      bootId,
      readerPorts,
      relays: 2,
      inputs: 4,
      model: "FAKE",
    };
    this.send(hello);
    return hello;
  }

  kinds(): string[] {
    return this.received.map((r) => r.message.kind);
  }

  last<K extends BridgeMessage["kind"]>(kind: K): (BridgeMessage & { kind: K }) | undefined {
    for (let i = this.received.length - 1; i >= 0; i--) {
      const m = this.received[i]?.message;
      if (m?.kind === kind) return m as BridgeMessage & { kind: K };
    }
    return undefined;
  }

  sequenced(): Array<{ seq: number; message: BridgeMessage }> {
    return this.received.filter((r) => r.seq !== 0);
  }
}
