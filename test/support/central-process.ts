import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const require = createRequire(import.meta.url);
/** The real central CLI of this checkout (tests run after `tsc -b`). */
export const CENTRAL_BIN = require.resolve("@acs/central/bin/central");

export type CentralLine = Record<string, unknown> & { msg?: string };

/** A CA and a client certificate with its key (PEM files), as `central ca` writes them. */
export interface BrokerTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** The CLI's options for `tls`. */
export function tlsArgs(tls: BrokerTls): string[] {
  return ["--mqtt-ca", tls.caFile, "--mqtt-cert", tls.certFile, "--mqtt-key", tls.keyFile];
}

/** `central serve` as a process; its pino lines are kept for assertions. */
export class CentralProcess {
  readonly lines: CentralLine[] = [];
  readonly stderr: string[] = [];
  private child: ChildProcess | undefined;
  private readonly args: string[];

  constructor(options: {
    db: string;
    mqttUrl: string;
    keyFile: string;
    keyId?: string;
    /** The HTTP API's port (0: any free one; see `httpPort()`); absent: the default. */
    port?: number;
    /** Development sender: notifications appended to this file as JSON lines. */
    notifications?: string;
    /** TLS to the broker: its CA and central's client certificate (an mqtts:// URL). */
    tls?: BrokerTls;
    /** More options of `central serve` (e.g. --next-key FILE). */
    extra?: readonly string[];
  }) {
    this.args = [
      CENTRAL_BIN,
      "--db",
      options.db,
      "serve",
      "--mqtt",
      options.mqttUrl,
      "--key",
      options.keyFile,
      "--key-id",
      options.keyId ?? "central-1",
      ...(options.port === undefined ? [] : ["--port", String(options.port)]),
      ...(options.notifications === undefined ? [] : ["--notifications", options.notifications]),
      ...(options.tls ? tlsArgs(options.tls) : []),
      ...(options.extra ?? []),
    ];
  }

  /** The port the HTTP API listens on (from its "http listening" line). */
  async httpPort(): Promise<number> {
    const line = await this.waitFor((l) => l.msg === "http listening", 5000);
    return Number(line.port);
  }

  async start(): Promise<void> {
    const from = this.lines.length;
    const child = spawn(process.execPath, this.args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    createInterface({ input: child.stdout! }).on("line", (text) => {
      try {
        this.lines.push(JSON.parse(text) as CentralLine);
      } catch {
        this.lines.push({ msg: text });
      }
    });
    child.stderr?.on("data", (d: Buffer) => this.stderr.push(d.toString()));
    await this.waitFor((l) => l.msg === "central serving" && this.lines.indexOf(l) >= from, 15_000);
  }

  waitFor(match: (l: CentralLine) => boolean, timeoutMs = 5000): Promise<CentralLine> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.lines.find(match);
        if (line) return resolve(line);
        if (Date.now() > deadline || this.child?.exitCode !== null)
          return reject(
            new Error(`central: no matching line; stderr: ${this.stderr.join("").slice(-2000)}`),
          );
        setTimeout(check, 20);
      };
      check();
    });
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    // Its last lines (the stopping figures) are read before the exit counts as done.
    const drained = new Promise((r) => child.stdout?.once("end", r));
    child.kill(signal);
    await Promise.all([exited, drained]);
  }
}

const run = promisify(execFile);

/** Runs the central CLI; resolves with its output and exit code (non-zero does not throw). */
export async function central(
  db: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CENTRAL_BIN, "--db", db, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
