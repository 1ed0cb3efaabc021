import { Worker } from "node:worker_threads";
import type { Logger } from "pino";

/** Keeps the WAL short from a worker thread (see checkpoint-worker.ts). */
export class Checkpointer {
  private worker: Worker | undefined;
  private readonly path: string;
  private readonly log: Logger;

  constructor(path: string, log: Logger) {
    this.path = path;
    this.log = log;
  }

  start(intervalMs = 2000): void {
    if (this.worker) return;
    const worker = new Worker(new URL("./checkpoint-worker.js", import.meta.url), {
      workerData: { path: this.path, intervalMs },
    });
    worker.on("message", (m: { error?: string }) => {
      if (m.error) this.log.warn({ err: m.error }, "WAL checkpoint failed");
    });
    worker.on("error", (err) => this.log.error({ err: err.message }, "checkpoint worker failed"));
    worker.unref();
    this.worker = worker;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.postMessage("stop");
    await exited;
  }
}
