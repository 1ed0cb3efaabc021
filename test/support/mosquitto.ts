import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** A free TCP port on 127.0.0.1 (the OS picks one; it is released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}

/**
 * A real Mosquitto on a free port with its own persistence directory, so a test can kill
 * it (SIGKILL) and start it again on the same port with the sessions and queued messages
 * it had saved, as a broker restart in the field would.
 */
export class Mosquitto {
  readonly port: number;
  readonly url: string;
  private readonly dir: string;
  private readonly conf: string;
  private child: ChildProcess | undefined;
  private log = "";
  private reloads = 0;

  private constructor(port: number, dir: string, scheme = "mqtt") {
    this.port = port;
    this.url = `${scheme}://127.0.0.1:${port}`;
    this.dir = dir;
    this.conf = join(dir, "mosquitto.conf");
  }

  /**
   * Mosquitto with a given configuration (e.g. `central broker-config`'s, whose listener
   * is on `port`, from freePort()), run as this user like start(). Nothing is left
   * behind if it does not come up; stop() removes the copy and its persistence.
   */
  static async startWith(
    configFile: string,
    options: { port: number; tls?: boolean },
  ): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), "acs-mosquitto-"));
    const broker = new Mosquitto(options.port, dir, options.tls ? "mqtts" : "mqtt");
    try {
      const given = readFileSync(configFile, "utf8");
      // Root would switch to the mosquitto user, which cannot read the test's key files.
      const user = /^user /m.test(given) ? [] : [`user ${userInfo().username}`];
      writeFileSync(broker.conf, [given, ...user, ""].join("\n"));
      await broker.run();
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  /** What Mosquitto said on stderr (its last 4000 characters). */
  get output(): string {
    return this.log;
  }

  /** Makes it read its ACL and password file again, as an operator would after a new site. */
  async reload(): Promise<void> {
    const before = this.reloads;
    this.child?.kill("SIGHUP");
    const deadline = Date.now() + 5000;
    while (this.reloads === before) {
      if (Date.now() > deadline) throw new Error(`mosquitto did not reload: ${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  static async start(): Promise<Mosquitto> {
    const broker = await Mosquitto.prepare();
    await broker.run();
    return broker;
  }

  /** Its configuration on a free port, not yet running (run() starts it). */
  static async prepare(): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), "acs-mosquitto-"));
    const broker = new Mosquitto(await freePort(), dir);
    writeFileSync(
      broker.conf,
      [
        `listener ${broker.port} 127.0.0.1`,
        "allow_anonymous true",
        // Run as the user that owns the persistence directory (as root mosquitto would
        // otherwise switch to its own user, fail every save, and forget all on a restart).
        `user ${userInfo().username}`,
        "persistence true",
        `persistence_location ${dir}/`,
        // Save often, so a SIGKILL loses little of what the broker had queued.
        "autosave_interval 1",
        "max_queued_messages 0",
        "max_inflight_messages 64",
        "message_size_limit 131072",
        // Without it Nagle holds each small ack for ~40 ms: a round trip per uplink batch.
        "set_tcp_nodelay true",
        "",
      ].join("\n"),
    );
    return broker;
  }

  async run(): Promise<void> {
    this.child = spawn("mosquitto", ["-c", this.conf], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child.stderr?.on("data", (d: Buffer) => {
      const text = d.toString();
      if (/Reloading config/i.test(text)) this.reloads++;
      this.log = (this.log + text).slice(-4000);
    });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`mosquitto did not start on ${this.port}: ${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.kill("SIGKILL");
    await this.run();
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
