import { ControlPanel } from "../../src/cp/control-panel.js";
import type { Capability, Command, Reply } from "../../src/messages/types.js";
import type { PdApplication } from "../../src/pd/application.js";
import { PeripheralDevice } from "../../src/pd/peripheral.js";

/** A deterministic reader for transcripts: fixed identity, a card queued on demand. */
class TranscriptReader implements PdApplication {
  readonly identification = {
    vendorCode: Uint8Array.of(0xa1, 0xb2, 0xc3),
    model: 2,
    version: 1,
    serialNumber: 0x00c0ffee,
    firmware: { major: 1, minor: 0, build: 7 },
  };
  readonly capabilities: Capability[] = [
    { functionCode: 3, compliance: 1, numberOf: 0 },
    { functionCode: 4, compliance: 1, numberOf: 1 },
    { functionCode: 8, compliance: 1, numberOf: 0 },
    { functionCode: 9, compliance: 1, numberOf: 1 },
  ];
  private card: Reply | undefined;
  handle(_command: Command): Reply {
    return { kind: "ack" };
  }
  nextEvent(): Reply | undefined {
    const card = this.card;
    this.card = undefined;
    return card;
  }
  present(): void {
    this.card = {
      kind: "raw",
      reader: 0,
      format: 1,
      bitCount: 26,
      data: Uint8Array.of(0x8a, 0x0f, 0x42, 0x40),
    };
  }
}

/** Counting bytes as random input: every run of the handshake is byte-for-byte the same. */
function counter(start: number) {
  let next = start;
  return (n: number) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

/**
 * Runs CP and PD on a synchronous in-memory line with fixed randoms and returns every
 * frame in order: the bring-up, the handshake, a secure poll, a card and an OUT.
 */
export function secureTranscript(
  scbk: Uint8Array,
): Array<{ from: "cp" | "pd"; bytes: Uint8Array }> {
  const frames: Array<{ from: "cp" | "pd"; bytes: Uint8Array }> = [];
  const app = new TranscriptReader();
  const pd = new PeripheralDevice({
    address: 1,
    app,
    scbk,
    installMode: false,
    requireSecure: true,
    clientUid: Uint8Array.of(0xa1, 0xb2, 0xc3, 0x02, 0xee, 0xff, 0xc0, 0x00),
    random: counter(0xb0),
  });
  const queue: Array<() => void> = [];
  const cp = new ControlPanel({
    line: {
      write: (bytes) => {
        frames.push({ from: "cp", bytes });
        queue.push(() => {
          const reply = pd.receive(bytes.subarray(1), true);
          if (reply) {
            frames.push({ from: "pd", bytes: reply });
            queue.push(() => cp.receive(reply));
          }
        });
      },
    },
    clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
    random: counter(0xa0),
    baudRate: 115200,
    pds: [{ address: 1, scbk }],
  });
  cp.start();
  const run = (steps: number) => {
    for (let i = 0; i < steps && queue.length > 0; i++) (queue.shift() as () => void)();
  };
  run(12); // POLL, ID, CAP, CHLNG, SCRYPT: each a command and its reply
  run(2); // a secure POLL and its ACK
  app.present();
  run(2); // a secure POLL and the card
  void cp.send(
    1,
    { kind: "out", outputs: [{ output: 0, controlCode: 5, timer100ms: 30 }] },
    { urgent: true },
  );
  run(4);
  cp.stop();
  return frames;
}
