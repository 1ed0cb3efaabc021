import { spawnSync } from "node:child_process";

let available: boolean | undefined;

/**
 * The command line to start a latency-critical process (accessd, the simulated board, the
 * socat "wire") with its main thread on real-time scheduling (SCHED_FIFO 50), as the edge's
 * service unit runs accessd in the field; threads it creates stay normal (`chrt -R`).
 * On a two-core machine a woken main thread otherwise queues for milliseconds behind
 * background threads (JIT, GC) on its CPU while the other sits idle. Falls back to a plain
 * start where chrt is missing or not permitted.
 */
export function realtime(command: string, args: readonly string[]): [string, string[]] {
  available ??= spawnSync("chrt", ["-f", "-R", "50", "true"], { stdio: "ignore" }).status === 0;
  return available ? ["chrt", ["-f", "-R", "50", command, ...args]] : [command, [...args]];
}

/** Puts this process's main thread on the same real-time scheduling (the edge driver in a bench). */
export function makeThisThreadRealtime(): boolean {
  return (
    spawnSync("chrt", ["-f", "-R", "-p", "50", String(process.pid)], { stdio: "ignore" }).status ===
    0
  );
}
