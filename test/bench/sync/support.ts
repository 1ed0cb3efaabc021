// Shared by the parts of `pnpm bench sync`: settings from the environment, progress on
// stderr, waiting and timing helpers.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { round } from "../../support/stats.js";

export const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** Node options for the edge worker processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
export const EDGE_NODE_ARGS = (process.env.BENCH_SYNC_EDGE_NODE_ARGS ?? "")
  .split(" ")
  .filter(Boolean);

export const benchStart = Date.now();
export function progress(message: string): void {
  process.stderr.write(`[sync ${((Date.now() - benchStart) / 1000).toFixed(1)}s] ${message}\n`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const yieldToIo = () => new Promise((r) => setImmediate(r));
export const seconds = (ms: number) => round(ms / 1000, 2);

export async function until<T>(
  check: () => T | undefined | false,
  timeoutMs: number,
  what: string,
  everyMs = 5,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `acs-bench-sync-${prefix}-`));
}
