/**
 * The edge on its own, as an operator would watch it: accessd deciding at an exchange's
 * door from its local state, a simulated Wiegand + door I/O board on a real pty pair,
 * and accessctl answering the support desk. (Central and the sync come with the sync work.)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessdProcess, accessctl, type LogLine } from "../support/edge-processes.js";
import { openPtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";
import { EMPTY_STATE_PARTS, h10301Card } from "../support/state-records.js";

const started = Date.now();
const say = (text: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s] ${text}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DAY = 86_400_000;

function demoState(version: number, endedEmployment: boolean) {
  const now = Date.now();
  const card = h10301Card;
  return {
    site: "ams-bsl",
    version,
    ...EMPTY_STATE_PARTS,
    persons: [
      { id: 1, displayName: "J. de Vries" },
      { id: 2, displayName: "A. Bakker" },
    ],
    cards: [card(1201, 1), card(1202, 2), card(1199, 2, "lost")],
    employments: [
      {
        id: 11,
        personId: 1,
        companyId: 7,
        start: now - 300 * DAY,
        end: endedEmployment ? now - 1000 : null,
      },
      { id: 21, personId: 2, companyId: 7, start: now - 300 * DAY, end: null },
    ],
    areas: [
      { id: 1, name: "Exchange hall", requiredCertificates: [] },
      { id: 2, name: "Cable vault", requiredCertificates: ["KVD"] },
    ],
    authorizations: [
      { id: 111, employmentId: 11, areaId: 1 },
      { id: 211, employmentId: 21, areaId: 1 },
    ],
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acs-demo-"));
  const pty = await openPtyPair();
  const sim = await SimProcess.start(["bridge", "--device", pty.device, "--board-id", "4711"]);
  const config = join(dir, "site.json");
  writeFileSync(
    config,
    JSON.stringify({
      site: "ams-bsl",
      store: { path: join(dir, "edge.db") },
      buses: [
        {
          id: "bridge-1",
          kind: "bridge",
          device: pty.edge,
          readers: [{ id: "hall-in", port: 0, formats: ["H10301", "H10304"] }],
        },
      ],
      doors: [
        {
          id: "hall",
          name: "Exchange hall",
          areaId: 1,
          entryReader: "hall-in",
          lock: { bus: "bridge-1", number: 0 },
          contact: { bus: "bridge-1", number: 0 },
          rex: { bus: "bridge-1", number: 1 },
          strikeMs: 1500,
          heldOpenPreAlarmMs: 1500,
          heldOpenAlarmMs: 2500,
        },
      ],
    }),
  );
  let accessd: AccessdProcess | undefined;
  try {
    writeFileSync(join(dir, "state-1.json"), JSON.stringify(demoState(1, false)));
    say(
      "accessctl import: the site's state (2 engineers, 3 cards, 2 areas) goes into the local store",
    );
    await accessctl(config, "import", join(dir, "state-1.json"));
    accessd = new AccessdProcess(config);
    const daemon = accessd;
    await daemon.waitFor((l) => l.msg === "board session started", 10_000, "the board");
    say("accessd is running: board 4711 on the serial line, door 'hall' in card mode");
    sim.events.length = 0;
    const decision = async (card: number, what: string, opensDoor = false) => {
      const from = daemon.lines.length;
      say(`${what}: card H10301 18/${card} is presented`);
      await sim.request("present", { port: 0, format: "H10301", fields: { facility: 18, card } });
      const line: LogLine = await daemon.waitFor(
        (l) => l.outcome !== undefined && daemon.lines.indexOf(l) >= from,
        3000,
        "the decision",
      );
      say(
        line.outcome === "grant"
          ? `  -> GRANT (card ${line.cardId}, person ${line.personId})`
          : `  -> DENY ${String(line.reason)}: ${String(line.msg)}`,
      );
      const relay = await sim
        .waitFor((e) => e.event === "relay" && e.on === true, 800)
        .catch(() => undefined);
      say(relay ? "  the lock relay pulses" : "  the lock relay stays off");
      sim.events.length = 0;
      if (opensDoor) {
        say("  she opens the door and leaves it open");
        await sim.request("door", { open: true });
        await daemon.waitFor((l) => l.event === "door-held-open-prealarm", 5000, "the pre-alarm");
        say("  -> held-open pre-alarm");
        await daemon.waitFor(
          (l) => l.event === "door-held-open-alarm",
          5000,
          "the held-open alarm",
        );
        say("  -> held-open alarm; she closes the door");
        await sim.request("door", { open: false });
      }
      await pause(1800);
    };
    await decision(1201, "J. de Vries arrives", true);
    await decision(1199, "A. Bakker tries his old card");
    await decision(1202, "A. Bakker uses his new card");
    await decision(4242, "Someone presents a card from elsewhere");
    say("central ends J. de Vries's employment ('uit dienst'); the new state is imported");
    writeFileSync(join(dir, "state-2.json"), JSON.stringify(demoState(2, true)));
    await accessctl(config, "import", join(dir, "state-2.json"));
    await daemon.waitFor((l) => l.msg === "decision index swapped", 5000, "the new state");
    await decision(1201, "J. de Vries comes back");
    say("the support desk asks: why can't card 18/1201 open the hall?");
    const explained = await accessctl(
      config,
      "explain",
      "--card",
      "H10301:18:1201",
      "--door",
      "hall",
    );
    for (const line of explained.stdout.trim().split("\n")) say(`  ${line}`);
    say("someone forces the door");
    await sim.request("door", { open: true });
    await daemon.waitFor((l) => l.event === "door-forced-open", 3000, "forced-open");
    say("  -> door-forced-open alarm");
    await sim.request("door", { open: false });
    await pause(300);
    const events = await accessctl(config, "events", "--limit", "200", "--json");
    say(
      `the outbox holds ${events.stdout.trim().split("\n").length} events, every read, decision and door change`,
    );
  } finally {
    await accessd?.stop();
    await sim.kill();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
