import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { realtime } from "./realtime.js";

const require = createRequire(import.meta.url);
/** The real daemon and CLI of this checkout (tests run after `tsc -b`). */
export const ACCESSD_BIN = require.resolve("@acs/edge/bin/accessd");
export const ACCESSCTL_BIN = require.resolve("@acs/edge/bin/accessctl");

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** An accessd process; its pino JSON log lines are kept for assertions. */
export class AccessdProcess {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly waiters: Array<{
    match: (l: LogLine) => boolean;
    resolve: (l: LogLine) => void;
  }> = [];

  constructor(configPath: string, options: { realtime?: boolean } = {}) {
    const argv = [ACCESSD_BIN, "--config", configPath];
    const [command, args] = options.realtime
      ? realtime(process.execPath, argv)
      : [process.execPath, argv];
    this.child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    createInterface({ input: this.child.stdout! }).on("line", (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.match(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    this.child.stderr?.on("data", (d: Buffer) => this.stderr.push(d.toString()));
  }

  waitFor(match: (l: LogLine) => boolean, timeoutMs = 5000, what = "a log line"): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(`timed out waiting for ${what}; stderr: ${this.stderr.join("").slice(-2000)}`),
        );
      }, timeoutMs);
      waiter.resolve = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push(waiter);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** The signal that ended it (SIGABRT for an abort); null while it runs or after an exit. */
  get signalCode(): NodeJS.Signals | null {
    return this.child.signalCode;
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once("exit", (code) => r(code)));
    this.child.kill(signal);
    return exited;
  }
}

const run = promisify(execFile);

/** Runs accessctl; resolves with its output and exit code (non-zero does not throw). */
export async function accessctl(
  configPath: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return accessctlRaw("--config", configPath, ...args);
}

/** Runs accessctl with exactly these arguments (keygen needs no config). */
export async function accessctlRaw(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [ACCESSCTL_BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === "number" ? e.code : 1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
    };
  }
}
