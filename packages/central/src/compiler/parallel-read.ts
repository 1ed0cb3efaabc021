import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { PublishedKind } from "../state/records.js";

const READER = new URL("./read-worker.js", import.meta.url);

/** No message from the reader for this long: it is taken as dead. */
const STALL_MS = 60_000;

type ReaderMessage =
  | { type: "site"; version: number | null; needsSnapshot: boolean }
  | { type: "rows"; kind: PublishedKind; json: string }
  | { type: "done" }
  | { type: "error"; message: string };

/** Whether the compiled reader exists (it does not where tests run from the sources). */
export function parallelReadAvailable(): boolean {
  return existsSync(fileURLToPath(READER));
}

/**
 * Reads `site`'s records on a second core: a worker thread with its own read-only
 * connection runs the SQL (one read transaction) and posts each chunk as JSON, while this
 * thread parses and hands the rows to `sink`. Synchronous like the rest of the store: this
 * thread waits on a shared counter (Atomics) for the next chunk, and the worker stays a few
 * chunks ahead at most. Returns the site's version and mark as of the worker's snapshot, or
 * null when the site does not exist.
 *
 * The worker sees only committed data: call it only when this connection has no
 * uncommitted changes, and hold the write lock if the result must match a later write.
 */
export function readSiteInWorker(
  path: string,
  site: string,
  sink: (kind: PublishedKind, rows: unknown[][]) => void,
): { version: number; needsSnapshot: boolean } | null {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(8);
  const counters = new Int32Array(signal);
  const worker = new Worker(READER, {
    workerData: { path, site, port: port2, signal },
    transferList: [port2],
  });
  worker.unref();
  let consumed = 0;
  let info: { version: number; needsSnapshot: boolean } | null = null;
  try {
    for (;;) {
      const received = receiveMessageOnPort(port1) as { message: ReaderMessage } | undefined;
      if (received === undefined) {
        if (Atomics.load(counters, 0) > consumed) continue; // posted, arriving
        if (Atomics.wait(counters, 0, consumed, STALL_MS) === "timed-out") {
          throw new Error(`the site reader for "${site}" stalled`);
        }
        continue;
      }
      consumed++;
      Atomics.store(counters, 1, consumed);
      Atomics.notify(counters, 1);
      const message = received.message;
      switch (message.type) {
        case "site":
          info =
            message.version === null
              ? null
              : { version: message.version, needsSnapshot: message.needsSnapshot };
          break;
        case "rows":
          sink(message.kind, JSON.parse(message.json) as unknown[][]);
          break;
        case "done":
          return info;
        case "error":
          throw new Error(`the site reader failed: ${message.message}`);
      }
    }
  } finally {
    port1.close();
    void worker.terminate().catch(() => undefined);
  }
}
