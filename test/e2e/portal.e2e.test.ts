import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CentralApi } from "../support/central-api.js";
import { CentralProcess } from "../support/central-process.js";
import { AccessdProcess, type LogLine } from "../support/edge-processes.js";
import { Mosquitto } from "../support/mosquitto.js";
import {
  addEngineer,
  cardToActive,
  createFirstAdmin,
  offerArea,
  requestAndApprove,
  type StoryPeople,
  signInEveryone,
} from "../support/portal-story.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";
import { type CentralFiles, prepareCentral, syncedSiteConfig } from "../support/sync-site.js";

const SITE = "ams-bsl";
const FAST = { pulseUs: 50, intervalUs: 500 };
const MOBILE = "+31620000001";

/**
 * The partner portal's back end from request to door, with real processes: `central serve`
 * (HTTP API and sync service), a real Mosquitto, accessd and a bridge board simulated on a
 * pty. Every step goes through the API as the portal would, with real sign-ins.
 */
describe("from the portal's API to the door", () => {
  let dir: string;
  let broker: Mosquitto;
  let files: CentralFiles;
  let service: CentralProcess;
  let pty: PtyPair;
  let sim: SimProcess;
  let accessd: AccessdProcess;
  let api: CentralApi;
  let people: StoryPeople;
  let engineer: { employmentId: number; personId: number; cardRequestId: number };
  let card: number;
  let entryId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-portal-"));
    broker = await Mosquitto.start();
    files = await prepareCentral(dir, {
      sites: [{ id: SITE, name: "Amsterdam Barbara Strozzilaan", fingerprintRequired: false }],
      areas: [{ id: 1, siteId: SITE, name: "Hall" }],
    });
    const invitation = await createFirstAdmin(files.db);
    const notifications = join(dir, "notifications.jsonl");
    service = new CentralProcess({
      db: files.db,
      mqttUrl: broker.url,
      keyFile: files.keyFile,
      port: 0,
      notifications,
    });
    await service.start();
    api = new CentralApi(`http://127.0.0.1:${await service.httpPort()}`, notifications);
    pty = await openPtyPair();
    sim = await SimProcess.start(["bridge", "--device", pty.device]);
    const config = syncedSiteConfig({
      dir,
      site: SITE,
      device: pty.edge,
      mqttUrl: broker.url,
      central: files,
    });
    const site = {
      ...config,
      buses: config.buses.map((b) => ({
        ...b,
        readers: b.readers.map((r) => ({ ...r, formats: ["C1000_35"] })),
      })),
    };
    writeFileSync(join(dir, "site.json"), JSON.stringify(site));
    accessd = new AccessdProcess(join(dir, "site.json"));
    await accessd.waitFor((l) => l.msg === "decision index rebuilt", 20_000, "the first snapshot");
    people = await signInEveryone(api, invitation);
  }, 90_000);

  afterAll(async () => {
    await accessd?.stop();
    await sim?.kill("SIGKILL");
    await pty?.close();
    await service?.stop();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Presents the card until the door decides as `expected` says; returns that decision. */
  async function decisionFor(expected: (l: LogLine) => boolean, ms = 10_000): Promise<LogLine> {
    const deadline = Date.now() + ms;
    for (;;) {
      const from = accessd.lines.length;
      await sim.request("present", {
        port: 0,
        format: "C1000_35",
        fields: { facility: 1000, card },
        timing: FAST,
      });
      const line = await accessd.waitFor(
        (l) => l.outcome !== undefined && accessd.lines.indexOf(l) >= from,
        3000,
        "a decision",
      );
      if (expected(line)) return line;
      if (Date.now() > deadline) throw new Error(`no expected decision: ${JSON.stringify(line)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("an employee added by the partner gets a card, produced, shipped and activated with its code", async () => {
    entryId = await offerArea(api, people, {
      code: "AMS-BSL-HALL",
      name: "Amsterdam BSL hal",
      siteId: SITE,
      areaId: 1,
    });
    engineer = await addEngineer(api, people, {
      initials: "J.",
      surnamePrefix: "de",
      surname: "Vries",
      birthDate: "1984-06-01",
      mobile: MOBILE,
    });
    expect(engineer.cardRequestId).toEqual(expect.any(Number));
    ({ number: card } = await cardToActive(api, people, engineer.cardRequestId, MOBILE));
    expect(card).toBeGreaterThan(0);
    // Active, but not authorized here: this site's edge does not even hold the person.
    const refused = await decisionFor((l) => l.outcome === "deny");
    expect(refused.reason).toBe("UNKNOWN_CARD");
  });

  it("an approval through the API opens the door at the edge", async () => {
    const request = await requestAndApprove(api, people, engineer.employmentId, entryId);
    const approved = await request.approve();
    expect(approved.status).toBe("approved");
    const granted = await decisionFor((l) => l.outcome === "grant");
    expect(granted.door).toBe("hall");
  });

  it("ending the employment through the API refuses the next read", async () => {
    const ended = await api.ok(
      "POST",
      `/employments/${engineer.employmentId}/end`,
      people.partner.token,
      {
        reason: "uit dienst",
      },
    );
    expect(ended.employment?.status ?? ended.status).toBe("ended");
    const refused = await decisionFor((l) => l.outcome === "deny", 5000);
    // No other employment keeps the card: it went inactive with the employment and the
    // authorization was revoked. The delta refuses it as inactive at once; the index rebuilt
    // after it no longer holds the person at this site at all.
    expect(["CARD_INACTIVE", "UNKNOWN_CARD"]).toContain(refused.reason);
  });
});
