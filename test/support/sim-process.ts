import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { realtime } from "./realtime.js";

/** The real firmware-sim binary of this checkout (tests run after `tsc -b`). */
export const FIRMWARE_SIM_BIN = createRequire(import.meta.url).resolve("@acs/firmware-sim/bin");

export type SimLine = Record<string, unknown> & { event?: string; id?: number; ok?: boolean };

/** A firmware-sim process and its NDJSON control channel. */
export class SimProcess {
  readonly events: SimLine[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (line: SimLine) => void>();
  private readonly waiters: Array<{
    match: (l: SimLine) => boolean;
    resolve: (l: SimLine) => void;
  }> = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    const rl = createInterface({ input: child.stdout! });
    rl.on("line", (text) => this.onLine(JSON.parse(text) as SimLine));
    child.stderr?.on("data", (d: Buffer) => this.stderr.push(d.toString()));
  }

  static async start(args: string[], options: { realtime?: boolean } = {}): Promise<SimProcess> {
    const argv = [FIRMWARE_SIM_BIN, ...args];
    const [command, full] = options.realtime
      ? realtime(process.execPath, argv)
      : [process.execPath, argv];
    const child = spawn(command, full, { stdio: ["pipe", "pipe", "pipe"] });
    const sim = new SimProcess(child);
    await sim.waitFor((l) => l.event === "ready", 10_000);
    return sim;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request(cmd: string, params: Record<string, unknown> = {}): Promise<SimLine> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (line) =>
        line.ok ? resolve(line) : reject(new Error(`${cmd}: ${JSON.stringify(line.error)}`)),
      );
      this.child.stdin!.write(`${JSON.stringify({ id, cmd, ...params })}\n`);
    });
  }

  /** Resolves with the first event line (already seen or still to come) that matches. */
  waitFor(match: (line: SimLine) => boolean, timeoutMs = 5000): Promise<SimLine> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `timed out waiting for a sim event; stderr: ${this.stderr.join("").slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      waiter.resolve = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiters.push(waiter);
    });
  }

  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill(signal);
    await exited;
  }

  private onLine(line: SimLine): void {
    if (typeof line.id === "number" && this.pending.has(line.id)) {
      const resolve = this.pending.get(line.id)!;
      this.pending.delete(line.id);
      resolve(line);
      return;
    }
    this.events.push(line);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(line)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  }
}
