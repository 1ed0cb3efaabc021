import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessdProcess, accessctl } from "../support/edge-processes.js";
import { FINGER, IO, READERS, TERMINAL, writeOsdpSite } from "../support/osdp-site.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { type SimLine, SimProcess } from "../support/sim-process.js";

const ALL = [...READERS, TERMINAL, IO];

describe.each([9600, 115200])("accessd as OSDP CP with 8 PDs on one bus at %i baud", (baud) => {
  // A poll cycle of 8 PDs takes ~0.25 s at 9600 baud: waits scale with the wire.
  const slow = baud < 20_000 ? 4 : 1;
  let dir: string;
  let pty: PtyPair;
  let sim: SimProcess;
  let accessd: AccessdProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-osdp-"));
    pty = await openPtyPair();
    const files = writeOsdpSite(dir, pty.edge, baud);
    sim = await SimProcess.start(["osdp", "--device", pty.device, "--bus", files.bus]);
    const imported = await accessctl(files.config, "import", files.state);
    expect(imported.code, imported.stderr).toBe(0);
    const enrolled = await accessctl(
      files.config,
      "enroll",
      "--card",
      "H10301:18:101",
      "--template",
      files.template,
    );
    expect(enrolled.code, enrolled.stderr).toBe(0);
    accessd = new AccessdProcess(files.config);
    for (const address of ALL) {
      await accessd.waitFor(
        (l) => l.msg === "PD online" && l.address === address && l.secure === true,
        15_000,
        `PD ${address} online in the secure channel`,
      );
    }
  }, 90_000);

  afterAll(async () => {
    await accessd?.stop();
    await sim?.kill("SIGKILL");
    await pty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const present = (address: number, card: number) =>
    sim.request("present", { address, format: "H10301", fields: { facility: 18, card } });
  const relayOn = (output: number, from: number, timeoutMs: number) =>
    sim.waitFor(
      (e: SimLine) =>
        e.event === "relay" &&
        e.address === IO &&
        e.output === output &&
        e.on === true &&
        sim.events.indexOf(e) >= from,
      timeoutMs,
    );

  it("opens the hall lock on the I/O module for a card at reader 1", async () => {
    const from = sim.events.length;
    await present(1, 101);
    await relayOn(0, from, 2000 * slow);
    await accessd.waitFor(
      (l) => l.msg === "access granted" && l.cardId === 101 && l.door === "hall",
      2000,
      "the grant",
    );
  });

  it("refuses a card without authorization and leaves the lock alone", async () => {
    const from = sim.events.length;
    const logFrom = accessd.lines.length;
    await present(1, 202);
    await accessd.waitFor(
      (l) => l.reason !== undefined && l.cardId === 202 && accessd.lines.indexOf(l) >= logFrom,
      2000 * slow,
      "the refusal",
    );
    // The red LED shows at the reader: the PD heard the LED command after the decision.
    await sim.waitFor(
      (e) =>
        e.event === "led" && e.address === 1 && e.color === "red" && sim.events.indexOf(e) >= from,
      2000 * slow,
    );
    expect(sim.events.slice(from).some((e) => e.event === "relay" && e.on === true)).toBe(false);
  });

  /** Presents the finger once the terminal is armed by the BIOMATCH after the card. */
  async function fingerOnTerminal(fingerId: string): Promise<void> {
    const deadline = Date.now() + 5000 * slow;
    while (Date.now() < deadline) {
      const result = await sim.request("finger", { address: TERMINAL, fingerId });
      if (result.operation === "match") return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("the terminal was never armed for a match");
  }

  it("opens the card + fingerprint door only with the right finger", async () => {
    let from = sim.events.length;
    await present(2, 101);
    await fingerOnTerminal(FINGER);
    await relayOn(1, from, 3000 * slow);
    await accessd.waitFor(
      (l) => l.msg === "access granted" && l.cardId === 101 && l.door === "cabinet",
      2000,
      "the fingerprint grant",
    );

    await new Promise((r) => setTimeout(r, 1600)); // the strike time passes
    from = sim.events.length;
    const logFrom = accessd.lines.length;
    await present(2, 101);
    await fingerOnTerminal("someone-else-left-thumb");
    await accessd.waitFor(
      (l) =>
        l.door === "cabinet" &&
        l.reason !== undefined &&
        accessd.lines.indexOf(l) > logFrom &&
        String(l.reason).includes("FINGERPRINT"),
      3000 * slow,
      "the refusal of the wrong finger",
    );
    expect(sim.events.slice(from).some((e) => e.event === "relay" && e.output === 1 && e.on)).toBe(
      false,
    );
  });

  it("notices a PD pulled off the bus and takes it back when it returns", async () => {
    const logFrom = accessd.lines.length;
    await sim.request("detach", { address: 4 });
    await accessd.waitFor(
      (l) => l.msg === "PD offline" && l.address === 4 && accessd.lines.indexOf(l) >= logFrom,
      5000 * slow,
      "PD 4 offline",
    );
    // The others are served meanwhile.
    const from = sim.events.length;
    await present(1, 101);
    await relayOn(0, from, 3000 * slow);
    await sim.request("attach", { address: 4 });
    await accessd.waitFor(
      (l) => l.msg === "PD online" && l.address === 4 && accessd.lines.indexOf(l) >= logFrom,
      15_000,
      "PD 4 back online",
    );
  });

  it("survives garbage on the bus", async () => {
    await sim.request("inject", { hex: "53ff0102030453000000ffff5353" });
    const from = sim.events.length;
    await new Promise((r) => setTimeout(r, 1600));
    await present(1, 101);
    await relayOn(0, from, 3000 * slow);
    const stats = await sim.request("stats");
    expect(Object.keys(stats.pds as object)).toHaveLength(8);
  });
});
