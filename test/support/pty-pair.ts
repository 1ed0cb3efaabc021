import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realtime } from "./realtime.js";

export interface PtyPair {
  /** One end of the pair (give it to the simulated device). */
  readonly device: string;
  /** The other end (give it to the edge). */
  readonly edge: string;
  close(): Promise<void>;
}

/**
 * A real pseudo-terminal pair joined by socat, as a serial cable between a device and
 * the edge. The links live in a fresh temporary directory removed on close.
 */
export async function openPtyPair(options: { realtime?: boolean } = {}): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "acs-pty-"));
  const device = join(dir, "device");
  const edge = join(dir, "edge");
  const socatArgs = [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${edge}`];
  const [command, args] = options.realtime ? realtime("socat", socatArgs) : ["socat", socatArgs];
  const socat: ChildProcess = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  socat.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const deadline = Date.now() + 5000;
  while (!(existsSync(device) && existsSync(edge))) {
    if (socat.exitCode !== null || Date.now() > deadline) {
      socat.kill("SIGKILL");
      throw new Error(`socat did not create the pty pair: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    device,
    edge,
    close: async () => {
      if (socat.exitCode === null) {
        const exited = new Promise((r) => socat.once("exit", r));
        socat.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
