import { Worker } from "node:worker_threads";
import type { Logger } from "pino";

export interface CheckpointerOptions {
  /** How often the WAL is checkpointed (PASSIVE). Default 2000 ms. */
  readonly intervalMs?: number;
  /** Past this size the WAL is emptied (TRUNCATE checkpoint). Default 64 MiB. */
  readonly walLimitBytes?: number;
}

interface WorkerReport {
  readonly walBytes?: number;
  readonly error?: string;
  readonly truncated?: boolean;
  readonly before?: number;
}

/** Keeps the WAL short from a worker thread (see checkpoint-worker.ts). */
export class Checkpointer {
  private worker: Worker | undefined;
  private readonly path: string;
  private readonly log: Logger;
  private lastWalBytes = 0;
  private failing = false;
  private truncations = 0;

  constructor(path: string, log: Logger) {
    this.path = path;
    this.log = log;
  }

  /** The WAL's size at the last checkpoint (bytes). */
  get walBytes(): number {
    return this.lastWalBytes;
  }

  /** TRUNCATE checkpoints that emptied the WAL so far. */
  get truncated(): number {
    return this.truncations;
  }

  start(options: number | CheckpointerOptions = {}): void {
    if (this.worker) return;
    const o = typeof options === "number" ? { intervalMs: options } : options;
    const worker = new Worker(new URL("./checkpoint-worker.js", import.meta.url), {
      workerData: {
        path: this.path,
        intervalMs: o.intervalMs ?? 2000,
        walLimitBytes: o.walLimitBytes ?? 64 * 1024 * 1024,
      },
    });
    worker.on("message", (m: WorkerReport) => this.onReport(m));
    worker.on("error", (err) => this.log.error({ err: err.message }, "checkpoint worker failed"));
    worker.unref();
    this.worker = worker;
  }

  /** Checkpoints now (a write failed, or the WAL is over its limit); the worker paces it. */
  checkpointNow(): void {
    this.worker?.postMessage("now");
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    // Unreferenced, it would let the process exit before it did (the stop never returns).
    worker.ref();
    worker.postMessage("stop");
    await exited;
  }

  private onReport(m: WorkerReport): void {
    if (m.walBytes !== undefined) this.lastWalBytes = m.walBytes;
    if (m.truncated) {
      this.truncations++;
      this.log.debug({ before: m.before, after: m.walBytes }, "WAL over its limit; truncated");
    }
    // Logged when checkpoints start and stop failing, not on every tick of a full disk.
    if (m.error && !this.failing) {
      this.failing = true;
      this.log.warn({ err: m.error, walBytes: m.walBytes }, "WAL checkpoint failed");
    } else if (!m.error && this.failing) {
      this.failing = false;
      this.log.info({ walBytes: m.walBytes }, "WAL checkpoints work again");
    }
  }
}
