import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";

/** Mosquitto's dynamic security plugin, where Debian/Ubuntu put it (undefined if absent). */
export const DYNSEC_PLUGIN = [
  "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
  "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
  "/usr/lib/mosquitto_dynamic_security.so",
].find((path) => existsSync(path));

const DYNSEC_ADMIN = { username: "admin", password: "test-admin-pw" };

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(200, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1");
  });
}

export interface BrokerOptions {
  /** Mosquitto ACL file contents; absent: everyone may do everything. */
  readonly acl?: string;
  /** Extra config lines. */
  readonly extra?: readonly string[];
  /**
   * Run the dynamic security plugin, anonymous clients allowed everything except
   * subscribing to these filters (refused with SUBACK 0x80). Needs DYNSEC_PLUGIN.
   */
  readonly denySubscribe?: readonly string[];
}

/**
 * A real mosquitto on a free port of 127.0.0.1 with persistence in a temp dir. It can be
 * killed (SIGKILL: no clean shutdown, the persistence file is what the last autosave
 * wrote) and started again on the same port with the same persistence.
 */
export class Broker {
  readonly port: number;
  readonly dir: string;
  private readonly configPath: string;
  private readonly aclPath: string;
  private process: ChildProcess | undefined;
  output = "";

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
    this.configPath = join(dir, "mosquitto.conf");
    this.aclPath = join(dir, "acl");
  }

  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const broker = new Broker(await freePort(), mkdtempSync(join(tmpdir(), "acs-mosquitto-")));
    // Started as root, mosquitto drops to its own user: it must be able to write here.
    chmodSync(broker.dir, 0o777);
    const lines = [
      `listener ${broker.port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence true",
      `persistence_location ${broker.dir}/`,
      "autosave_interval 1",
      ...(options.acl === undefined ? [] : [`acl_file ${broker.aclPath}`]),
      ...(options.extra ?? []),
    ];
    if (options.acl !== undefined) writeFileSync(broker.aclPath, options.acl);
    if (options.denySubscribe) lines.push(...broker.dynsecConfig(options.denySubscribe));
    writeFileSync(broker.configPath, `${lines.join("\n")}\n`);
    await broker.restart();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  /** Starts mosquitto (again) and waits until its port accepts connections. */
  async restart(): Promise<void> {
    if (this.process) throw new Error("broker already running");
    const child = spawn("mosquitto", ["-c", this.configPath], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => {
      this.output += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      this.output += d.toString();
    });
    this.process = child;
    child.once("exit", () => {
      if (this.process === child) this.process = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.process) throw new Error(`mosquitto exited:\n${this.output}`);
      if (await accepts(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`mosquitto did not accept on ${this.port}:\n${this.output}`);
  }

  private dynsecConfig(deny: readonly string[]): string[] {
    if (!DYNSEC_PLUGIN) throw new Error("mosquitto dynamic security plugin not installed");
    const path = join(this.dir, "dynsec.json");
    execFileSync("mosquitto_ctrl", [
      "dynsec",
      "init",
      path,
      DYNSEC_ADMIN.username,
      DYNSEC_ADMIN.password,
    ]);
    const config = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    config.roles = [
      ...(config.roles as unknown[]),
      {
        rolename: "anonymous",
        acls: deny.map((topic) => ({
          acltype: "subscribePattern",
          topic,
          allow: false,
          priority: 10,
        })),
      },
    ];
    config.groups = [{ groupname: "anonymous", roles: [{ rolename: "anonymous" }], clients: [] }];
    config.anonymousGroup = "anonymous";
    config.defaultACLAccess = {
      publishClientSend: true,
      publishClientReceive: true,
      subscribe: true,
      unsubscribe: true,
    };
    writeFileSync(path, JSON.stringify(config));
    chmodSync(path, 0o666);
    return [`plugin ${DYNSEC_PLUGIN}`, `plugin_opt_config_file ${path}`];
  }

  /** Allows anonymous subscriptions to `filter` again (dynamic security, at run time). */
  async allowSubscribe(filter: string): Promise<void> {
    await this.dynsec([
      {
        command: "removeRoleACL",
        rolename: "anonymous",
        acltype: "subscribePattern",
        topic: filter,
      },
    ]);
  }

  private async dynsec(commands: readonly object[]): Promise<void> {
    const client = await mqtt.connectAsync(this.url, {
      protocolVersion: 4,
      clientId: `dynsec-admin-${Date.now()}`,
      ...DYNSEC_ADMIN,
    });
    try {
      const response = new Promise<string>((resolve) =>
        client.on("message", (_t, payload) => resolve(payload.toString())),
      );
      await client.subscribeAsync("$CONTROL/dynamic-security/v1/response", { qos: 1 });
      await client.publishAsync("$CONTROL/dynamic-security/v1", JSON.stringify({ commands }), {
        qos: 1,
      });
      const answer = JSON.parse(await response) as { responses: Array<{ error?: string }> };
      const error = answer.responses.find((r) => r.error)?.error;
      if (error) throw new Error(`dynsec: ${error}`);
    } finally {
      await client.endAsync(true);
    }
  }

  /** Replaces the ACL file and makes mosquitto reload it (SIGHUP). */
  async setAcl(acl: string): Promise<void> {
    writeFileSync(this.aclPath, acl);
    this.process?.kill("SIGHUP");
    await new Promise((r) => setTimeout(r, 200));
  }

  /** Stops mosquitto with `signal` (SIGKILL: no clean shutdown) and waits for its exit. */
  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.process;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await exited;
    this.process = undefined;
  }

  /** Stops mosquitto and removes its directory. */
  async stop(): Promise<void> {
    await this.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
