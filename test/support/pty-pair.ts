import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "acs-pty-"));
  const device = join(dir, "device");
  const edge = join(dir, "edge");
  const socat: ChildProcess = spawn(
    "socat",
    [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${edge}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
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
