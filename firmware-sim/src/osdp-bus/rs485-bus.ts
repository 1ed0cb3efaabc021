import { Framer, type OsdpError, type PeripheralDevice } from "@acs/osdp";
import { DeadlineTimer } from "../bridge/deadline-timer.js";
import { blockUntil, type SimClock } from "../clock.js";

/**
 * A wait shorter than this is done on the spot: a Node timer cannot fire sooner than 1 ms,
 * while a command or reply at 115200 baud lasts about 1.3 ms on the wire.
 */
const WAIT_IN_PLACE_US = 2500;

export interface Rs485BusOptions {
  readonly clock: SimClock;
  /** Puts bytes on the serial line towards the CP. */
  readonly write: (bytes: Uint8Array) => void;
  readonly baudRate: number;
  /** Real clock: wake on the microsecond, as a UART would finish a byte (see DeadlineTimer). */
  readonly precise?: boolean;
  readonly onError?: (error: OsdpError) => void;
  /** A PD answered; for statistics and the control channel. */
  readonly onReply?: (address: number, bytes: number) => void;
}

interface Job {
  readonly atUs: number;
  readonly run: () => void;
}

/**
 * Several PDs on one RS-485 pair, with the wire's timing. A pty moves bytes at once, but a
 * real bus carries 10 bits per byte at its baud rate and only one talker at a time: a
 * command is acted on when its last byte would have arrived, and a reply reaches the CP
 * when its last byte would have been sent. So the CP sees the latency of a real bus.
 */
export class Rs485Bus {
  private readonly o: Rs485BusOptions;
  private readonly framer: Framer;
  private readonly pds = new Map<PeripheralDevice, { attached: boolean; baudRate: number }>();
  private readonly jobs: Job[] = [];
  private readonly timer: DeadlineTimer;
  private baudRate: number;
  /** When the wire is next free (µs). */
  private wireFreeUs = 0;
  private chunkAtUs = 0;
  /** The lowest address's commands, to time the CP's poll cycle. */
  private cycleAddress: number | undefined;
  private lastCycleUs: number | undefined;
  private readonly cycles: number[] = [];

  constructor(options: Rs485BusOptions) {
    this.o = options;
    this.baudRate = options.baudRate;
    this.framer = new Framer({
      frame: (frame) => this.onFrame(frame.bytes, frame.marked),
      error: (err) => this.o.onError?.(err),
    });
    this.timer = new DeadlineTimer(options.clock, (nowUs) => this.runDue(nowUs), options.precise);
  }

  get currentBaudRate(): number {
    return this.baudRate;
  }

  /** Microseconds one byte (start, 8 data, stop) takes on the wire. */
  get byteUs(): number {
    return 10_000_000 / this.baudRate;
  }

  add(pd: PeripheralDevice): void {
    this.pds.set(pd, { attached: true, baudRate: this.baudRate });
    this.cycleAddress = Math.min(this.cycleAddress ?? 0x7f, pd.currentAddress);
  }

  resetCycleStats(): void {
    this.cycles.length = 0;
    this.lastCycleUs = undefined;
  }

  /** The CP's poll cycle as the bus sees it: the time between two commands to one PD. */
  cycleStats(): { samples: number; meanMs: number | undefined; lastMs: number | undefined } {
    const n = this.cycles.length;
    if (n === 0) return { samples: 0, meanMs: undefined, lastMs: undefined };
    const sum = this.cycles.reduce((a, b) => a + b, 0);
    return { samples: n, meanMs: sum / n / 1000, lastMs: (this.cycles[n - 1] as number) / 1000 };
  }

  /** Pulls a PD off the bus (or plugs it back): a detached PD hears and says nothing. */
  setAttached(address: number, attached: boolean): boolean {
    let found = false;
    for (const [pd, state] of this.pds) {
      if (pd.currentAddress === address) {
        state.attached = attached;
        found = true;
      }
    }
    return found;
  }

  /** COMSET moved a PD to another baud rate; the bus follows once every PD has. */
  pdBaudChanged(pd: PeripheralDevice, baudRate: number): void {
    const state = this.pds.get(pd);
    if (!state) return;
    state.baudRate = baudRate;
    if ([...this.pds.values()].every((s) => s.baudRate === baudRate)) this.baudRate = baudRate;
  }

  /** Bytes the CP wrote. */
  receive(chunk: Uint8Array): void {
    this.chunkAtUs = this.o.clock.nowUs();
    this.framer.push(chunk);
  }

  /** Bytes put on the wire by no PD (noise, a test's garbage). */
  inject(bytes: Uint8Array): void {
    this.o.write(bytes);
  }

  stop(): void {
    this.timer.cancel();
    this.jobs.length = 0;
  }

  private onFrame(bytes: Uint8Array, marked: boolean): void {
    const wireBytes = bytes.length + (marked ? 1 : 0);
    const endUs = Math.max(this.chunkAtUs, this.wireFreeUs) + wireBytes * this.byteUs;
    this.wireFreeUs = endUs;
    this.schedule(endUs, () => this.deliver(bytes, marked));
  }

  private deliver(bytes: Uint8Array, marked: boolean): void {
    if (((bytes[1] as number) & 0x7f) === this.cycleAddress) {
      const now = this.o.clock.nowUs();
      if (this.lastCycleUs !== undefined) {
        if (this.cycles.length >= 1000) this.cycles.shift();
        this.cycles.push(now - this.lastCycleUs);
      }
      this.lastCycleUs = now;
    }
    for (const [pd, state] of this.pds) {
      if (!state.attached || state.baudRate !== this.baudRate) continue;
      const reply = pd.receive(bytes, marked);
      if (!reply) continue;
      this.o.onReply?.(pd.currentAddress, reply.length);
      const endUs = Math.max(this.o.clock.nowUs(), this.wireFreeUs) + reply.length * this.byteUs;
      this.wireFreeUs = endUs;
      this.schedule(endUs, () => this.o.write(reply));
    }
  }

  private schedule(atUs: number, run: () => void): void {
    if (
      this.o.precise &&
      this.jobs.length === 0 &&
      atUs - this.o.clock.nowUs() < WAIT_IN_PLACE_US
    ) {
      blockUntil(this.o.clock, atUs);
      run();
      return;
    }
    let i = this.jobs.length;
    while (i > 0 && (this.jobs[i - 1] as Job).atUs > atUs) i--;
    this.jobs.splice(i, 0, { atUs, run });
    this.timer.armAt((this.jobs[0] as Job).atUs);
  }

  private runDue(nowUs: number): void {
    while (this.jobs.length > 0 && (this.jobs[0] as Job).atUs <= nowUs) {
      (this.jobs.shift() as Job).run();
    }
    if (this.jobs.length > 0) this.timer.armAt((this.jobs[0] as Job).atUs);
  }
}
