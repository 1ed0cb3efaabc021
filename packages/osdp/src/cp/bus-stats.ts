import type { OsdpClock } from "./control-panel.js";

export interface BusSnapshot {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Share of the elapsed time the wire carried our bytes, at the bus's baud rate. */
  readonly utilisation: number;
  readonly cycles: number;
  readonly lastCycleMs: number | undefined;
  readonly meanCycleMs: number | undefined;
  readonly framingErrors: Readonly<Record<string, number>>;
}

/** Per-bus counters: bytes each way, bus time used, poll cycles, framing errors. */
export class BusStatistics {
  private readonly clock: OsdpClock;
  private baudRate: number;
  private startedMs = 0;
  private wireMs = 0;
  private bytesSent = 0;
  private bytesReceived = 0;
  private cycles = 0;
  private cycleStartMs: number | undefined;
  private lastCycleMs: number | undefined;
  private cycleTotalMs = 0;
  private readonly framing: Record<string, number> = {};

  constructor(clock: OsdpClock, baudRate: number) {
    this.clock = clock;
    this.baudRate = baudRate;
  }

  start(): void {
    this.startedMs = this.clock.now();
    this.cycleStartMs = this.startedMs;
  }

  setBaudRate(baudRate: number): void {
    this.baudRate = baudRate;
  }

  sent(bytes: number): void {
    this.bytesSent += bytes;
    this.wireMs += (bytes * 10_000) / this.baudRate;
  }

  received(bytes: number): void {
    this.bytesReceived += bytes;
    this.wireMs += (bytes * 10_000) / this.baudRate;
  }

  framingError(code: string): void {
    this.framing[code] = (this.framing[code] ?? 0) + 1;
  }

  cycleCompleted(): void {
    const now = this.clock.now();
    if (this.cycleStartMs !== undefined) {
      this.lastCycleMs = now - this.cycleStartMs;
      this.cycleTotalMs += this.lastCycleMs;
      this.cycles++;
    }
    this.cycleStartMs = now;
  }

  snapshot(): BusSnapshot {
    const elapsed = this.clock.now() - this.startedMs;
    return {
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      utilisation: elapsed > 0 ? Math.min(1, this.wireMs / elapsed) : 0,
      cycles: this.cycles,
      lastCycleMs: this.lastCycleMs,
      meanCycleMs: this.cycles > 0 ? this.cycleTotalMs / this.cycles : undefined,
      framingErrors: { ...this.framing },
    };
  }
}
