import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode, H10301 } from "@acs/wiegand";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessdProcess, accessctl, type LogLine } from "../support/edge-processes.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { type SimLine, SimProcess } from "../support/sim-process.js";
import { EMPTY_STATE_PARTS, h10301Card } from "../support/state-records.js";

const DAY = 86_400_000;
const T0 = Date.now();
const FAST = { pulseUs: 50, intervalUs: 500 };

/** Persons 1..5; card numbers equal card ids; person 1 (card 101) may enter the hall. */
function state(version: number, swapped = false) {
  const card = h10301Card;
  return {
    site: "e2e-site",
    version,
    ...EMPTY_STATE_PARTS,
    persons: [1, 2, 3, 4, 5].map((id) => ({ id, displayName: `Engineer ${id}` })),
    cards: [
      card(101, 1, swapped ? "lost" : "active"),
      card(102, 1, swapped ? "active" : "lost"),
      card(301, 3),
      card(401, 4),
      card(501, 5),
    ],
    employments: [
      { id: 1, personId: 1, companyId: 9, start: T0 - 100 * DAY, end: null },
      { id: 3, personId: 3, companyId: 9, start: T0 - 100 * DAY, end: T0 - DAY },
      { id: 4, personId: 4, companyId: 9, start: T0 - 100 * DAY, end: null },
    ],
    areas: [
      { id: 1, name: "Hall", requiredCertificates: [] },
      { id: 2, name: "Cable room", requiredCertificates: [] },
    ],
    authorizations: [
      { id: 1, employmentId: 1, areaId: 1 },
      { id: 3, employmentId: 3, areaId: 1 },
      { id: 4, employmentId: 4, areaId: 2 },
    ],
  };
}

describe("accessd with a simulated bridge board on a real pty", () => {
  let dir: string;
  let pty: PtyPair;
  let sim: SimProcess;
  let accessd: AccessdProcess;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-accessd-"));
    pty = await openPtyPair();
    sim = await SimProcess.start(["bridge", "--device", pty.device, "--board-id", "31"]);
    config = join(dir, "site.json");
    writeFileSync(
      config,
      JSON.stringify({
        site: "e2e-site",
        store: { path: join(dir, "edge.db") },
        buses: [
          {
            id: "bridge-1",
            kind: "bridge",
            device: pty.edge,
            heartbeatMs: 100,
            readers: [{ id: "main-in", port: 0, formats: ["H10301"] }],
          },
        ],
        doors: [
          {
            id: "main",
            name: "Main entrance",
            areaId: 1,
            entryReader: "main-in",
            lock: { bus: "bridge-1", number: 0 },
            contact: { bus: "bridge-1", number: 0 },
            rex: { bus: "bridge-1", number: 1 },
            strikeMs: 800,
            heldOpenPreAlarmMs: 300,
            heldOpenAlarmMs: 600,
          },
        ],
      }),
    );
    writeFileSync(join(dir, "state-1.json"), JSON.stringify(state(1)));
    const imported = await accessctl(config, "import", join(dir, "state-1.json"));
    expect(imported.code, imported.stderr).toBe(0);
    accessd = new AccessdProcess(config);
    await accessd.waitFor((l) => l.msg === "board session started", 10_000, "the board session");
  }, 60_000);

  afterAll(async () => {
    await accessd?.stop();
    await sim?.kill("SIGKILL");
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const present = (number: number, timing = FAST) =>
    sim.request("present", {
      port: 0,
      format: "H10301",
      fields: { facility: 18, card: number },
      timing,
    });
  const decisionAfter = (from: number) =>
    accessd.waitFor(
      (l) => l.msg !== undefined && l.outcome !== undefined && accessd.lines.indexOf(l) >= from,
      3000,
      "a decision",
    );
  const relayEventsSince = (from: number) =>
    sim.events.slice(from).filter((e: SimLine) => e.event === "relay");

  it("pulses the lock relay for the strike time for an authorized card", async () => {
    const simFrom = sim.events.length;
    await present(101);
    const on = await sim.waitFor(
      (e) => e.event === "relay" && e.on === true && sim.events.indexOf(e) >= simFrom,
    );
    const off = await sim.waitFor(
      (e) => e.event === "relay" && e.on === false && sim.events.indexOf(e) >= simFrom,
      3000,
    );
    expect(off.cause).toBe("pulse-end");
    const heldMs = ((off.atUs as number) - (on.atUs as number)) / 1000;
    expect(heldMs).toBeGreaterThanOrEqual(790);
    expect(heldMs).toBeLessThan(1000);
    await accessd.waitFor(
      (l) => l.msg === "access granted" && l.cardId === 101,
      2000,
      "the grant log",
    );
  });

  const refused: Array<[string, () => Promise<unknown>, string]> = [
    ["an unknown card", () => present(999), "UNKNOWN_CARD"],
    ["a lost card", () => present(102), "CARD_LOST"],
    ["a card whose employment ended", () => present(301), "EMPLOYMENT_ENDED"],
    ["a card without an authorization for the area", () => present(401), "NO_AUTHORIZATION"],
    ["a card without an employment", () => present(501), "NO_EMPLOYMENT"],
    [
      "a card read with a parity error",
      () => {
        const good = encode(H10301, { facility: 18, card: 101 });
        return sim.request("present", {
          port: 0,
          bits: `${good.slice(0, 25)}${good.endsWith("1") ? "0" : "1"}`,
        });
      },
      "UNREADABLE_CREDENTIAL",
    ],
  ];
  for (const [what, read, reason] of refused) {
    it(`leaves the relay alone and logs the reason for ${what}`, async () => {
      await new Promise((r) => setTimeout(r, 1000)); // let the previous strike end
      const simFrom = sim.events.length;
      const logFrom = accessd.lines.length;
      await read();
      const line: LogLine = await decisionAfter(logFrom);
      expect(line).toMatchObject({
        outcome: "deny",
        reason,
        site: "e2e-site",
        door: "main",
        reader: "main-in",
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(relayEventsSince(simFrom)).toEqual([]);
    });
  }

  it("raises the held-open pre-alarm and alarm, and forced-open", async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const logFrom = accessd.lines.length;
    await present(101);
    await accessd.waitFor(
      (l) => l.msg === "access granted" && accessd.lines.indexOf(l) >= logFrom,
      2000,
      "the grant",
    );
    await sim.request("door", { open: true });
    await accessd.waitFor(
      (l) => l.event === "door-held-open-prealarm",
      3000,
      "the held-open pre-alarm",
    );
    await accessd.waitFor((l) => l.event === "door-held-open-alarm", 3000, "the held-open alarm");
    await sim.request("door", { open: false });
    await accessd.waitFor((l) => l.event === "door-held-open-cleared", 3000, "the alarm cleared");
    await new Promise((r) => setTimeout(r, 1200));
    await sim.request("door", { open: true });
    await accessd.waitFor((l) => l.event === "door-forced-open", 3000, "forced-open");
    await sim.request("door", { open: false });
    const events = await accessctl(config, "events", "--json", "--limit", "200");
    const types = events.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(
      expect.arrayContaining(["door-held-open-alarm", "door-forced-open", "lock-released"]),
    );
  });

  it("never decides from half a state when the state is swapped during a burst of reads", async () => {
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(join(dir, "state-2.json"), JSON.stringify(state(2, true)));
    const logFrom = accessd.lines.length;
    const reads: Array<Promise<unknown>> = [];
    for (let i = 0; i < 120; i++)
      reads.push(present(i % 2 === 0 ? 101 : 102, { pulseUs: 50, intervalUs: 300 }));
    await new Promise((r) => setTimeout(r, 300));
    const imported = await accessctl(config, "import", join(dir, "state-2.json"));
    expect(imported.code, imported.stderr).toBe(0);
    await Promise.all(reads);
    await accessd.waitFor(
      () => accessd.lines.slice(logFrom).filter((l) => l.outcome !== undefined).length >= 120,
      15_000,
      "120 decisions",
    );
    const events = await accessctl(config, "events", "--json", "--limit", "400");
    const decisions = events.stdout
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            payload: { cardId: number; outcome: string; stateVersion: number };
          },
      )
      .filter(
        (e) =>
          e.type === "access-decision" && (e.payload.cardId === 101 || e.payload.cardId === 102),
      )
      .slice(0, 120);
    const versions = new Set(decisions.map((d) => d.payload.stateVersion));
    expect(versions).toEqual(new Set([1, 2]));
    for (const d of decisions) {
      const granted = d.payload.outcome === "grant";
      // Version 1: card 101 active, 102 lost. Version 2: the other way round. Nothing else.
      expect(granted).toBe(
        d.payload.stateVersion === 1 ? d.payload.cardId === 101 : d.payload.cardId === 102,
      );
    }
  }, 30_000);

  it("explains a refusal in the support desk's order", async () => {
    const out = await accessctl(config, "explain", "--card", "H10301:18:301", "--door", "main");
    expect(out.code).toBe(1);
    const lines = out.stdout.split("\n");
    expect(lines.findIndex((l) => l.includes("authorization"))).toBeLessThan(
      lines.findIndex((l) => l.includes(" card ")),
    );
    expect(out.stdout).toMatch(/employment\s+FAIL/);
    expect(out.stdout).toContain("decision: DENY EMPLOYMENT_ENDED");
  });

  it("refuses a state file for another site and keeps deciding on its state", async () => {
    writeFileSync(join(dir, "other.json"), JSON.stringify({ ...state(9), site: "other-site" }));
    const out = await accessctl(config, "import", join(dir, "other.json"));
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/site/i);
    const status = await accessctl(config, "status");
    expect(status.stdout).toMatch(/state version\s+2/);
  });

  it("shuts down cleanly on SIGTERM", async () => {
    expect(await accessd.stop("SIGTERM")).toBe(0);
  });
});
