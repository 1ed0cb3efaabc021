/**
 * An exchange's OSDP bus as an operator would watch it: accessd as Control Panel, eight
 * simulated PDs (six readers, a fingerprint terminal, an I/O module) on one real pty at
 * 115200 baud, all in the secure channel; one reader fresh from the factory is enrolled.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessdProcess, accessctl, type LogLine } from "../support/edge-processes.js";
import { FINGER, IO, READERS, TERMINAL, writeOsdpSite } from "../support/osdp-site.js";
import { openPtyPair } from "../support/pty-pair.js";
import { type SimLine, SimProcess } from "../support/sim-process.js";

const FRESH = 3;
const started = Date.now();
const say = (text: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s] ${text}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acs-osdp-demo-"));
  const pty = await openPtyPair();
  const files = writeOsdpSite(dir, pty.edge, 115200, FRESH);
  const sim = await SimProcess.start(["osdp", "--device", pty.device, "--bus", files.bus]);
  await accessctl(files.config, "import", files.state);
  await accessctl(files.config, "enroll", "--card", "H10301:18:101", "--template", files.template);
  const accessd = new AccessdProcess(files.config);
  const seen = new Set<LogLine>();
  const next = (match: (l: LogLine) => boolean, what: string, timeoutMs = 5000) =>
    accessd
      .waitFor((l) => !seen.has(l) && match(l), timeoutMs, what)
      .then((l) => {
        seen.add(l);
        return l;
      });
  const relay = (output: number, from: number) =>
    sim.waitFor(
      (e: SimLine) =>
        e.event === "relay" &&
        e.output === output &&
        e.on === true &&
        sim.events.indexOf(e) >= from,
    );
  try {
    say("accessd brings up the bus: ID, CAP and the secure channel for each PD");
    for (const address of [...READERS, TERMINAL, IO]) {
      const line = await next(
        (l) => l.msg === "PD online" && l.address === address,
        `PD ${address}`,
        15_000,
      );
      const role =
        address === TERMINAL ? "fingerprint terminal" : address === IO ? "I/O module" : "reader";
      say(
        `  PD ${address} (${role}, serial ${line.serial}) online, secure channel: ${line.secure}`,
      );
    }
    await next((l) => l.msg === "PD took its own secure channel key", "the KEYSET");
    say(
      `  PD ${FRESH} came with only the default key: enrolled with SCBK-D, then given its own key (KEYSET)`,
    );

    say("an engineer presents card 101 at the hall reader (PD 1)");
    let from = sim.events.length;
    const presented = await sim.request("present", {
      address: 1,
      format: "H10301",
      fields: { facility: 18, card: 101 },
    });
    const on = await relay(0, from);
    const grant = await next((l) => l.msg === "access granted", "the grant");
    say(
      `  ${grant.msg}: the lock on the I/O module's output 0 released ${(((on.atUs as number) - (presented.atUs as number)) / 1000).toFixed(1)} ms after the read`,
    );

    say("a card with no authorization for the hall (202)");
    from = sim.events.length;
    await sim.request("present", {
      address: 1,
      format: "H10301",
      fields: { facility: 18, card: 202 },
    });
    const refusal = await next((l) => l.reason !== undefined, "the refusal");
    await sim.waitFor(
      (e) =>
        e.event === "led" && e.address === 1 && e.color === "red" && sim.events.indexOf(e) >= from,
    );
    say(
      `  refused (${refusal.reason}): "${refusal.msg}"; the reader shows red, the lock stays shut`,
    );

    const fingerDoor = async (fingerId: string) => {
      from = sim.events.length;
      await sim.request("present", {
        address: 2,
        format: "H10301",
        fields: { facility: 18, card: 101 },
      });
      for (let i = 0; i < 200; i++) {
        const result = await sim.request("finger", { address: TERMINAL, fingerId });
        if (result.operation === "match") return;
        await pause(10);
      }
    };
    say("the cabinet room needs card and fingerprint: card 101 at PD 2, then the enrolled finger");
    await fingerDoor(FINGER);
    await relay(1, from);
    const fpGrant = await next(
      (l) => l.msg === "access granted" && l.door === "cabinet",
      "the fingerprint grant",
    );
    say(
      `  the terminal matched the template the edge sent with BIOMATCH: ${fpGrant.msg}, lock output 1 released`,
    );
    await pause(1600);
    say("the same card with another finger");
    await fingerDoor("someone-elses-thumb");
    const fpDeny = await next(
      (l) => l.door === "cabinet" && l.reason !== undefined,
      "the fingerprint refusal",
      8000,
    );
    say(`  refused (${fpDeny.reason}): "${fpDeny.msg}"`);

    say("reader 4 is pulled off the bus");
    await sim.request("detach", { address: 4 });
    const offline = await next((l) => l.msg === "PD offline" && l.address === 4, "PD 4 offline");
    say(`  noticed: PD 4 offline (${offline.reason}); the other seven are still polled`);
    await sim.request("attach", { address: 4 });
    await next((l) => l.msg === "PD online" && l.address === 4, "PD 4 back", 15_000);
    say("  reader 4 plugged back in: probed, brought up again, secure channel re-established");

    say("noise on the RS-485 pair");
    await sim.request("inject", { hex: "53ff0102030453000000ffff5353" });
    await pause(300);
    const stats = await sim.request("stats");
    const cycle = stats.cycle as { meanMs: number };
    say(
      `  ignored; the bus keeps polling every PD (poll cycle ${cycle.meanMs.toFixed(1)} ms for 8 PDs)`,
    );
    const status = await accessctl(files.config, "status");
    say("accessctl status:");
    for (const line of status.stdout.trim().split("\n")) say(`  ${line}`);
  } finally {
    await accessd.stop();
    await sim.kill();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
