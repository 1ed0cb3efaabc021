/**
 * The first run of the whole system: a broker (embedded unless MQTT_URL names one),
 * central with its data, and an accessd per site with simulated readers, fingerprint
 * terminals and door I/O on real pty pairs. It plays the life of a few field engineers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStore } from "@acs/central";
import { CentralProcess, central } from "../support/central-process.js";
import { AccessdProcess, accessctl, type LogLine } from "../support/edge-processes.js";
import { EmbeddedBroker } from "../support/embedded-broker.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";
import { prepareCentral } from "../support/sync-site.js";
import { type DemoSite, demoDataset, PEOPLE, SITES, writeDemoSite } from "./demo-sites.js";

const started = Date.now();
const say = (text: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${text}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Edge {
  readonly site: DemoSite;
  readonly pty: PtyPair;
  readonly sim: SimProcess;
  readonly accessd: AccessdProcess;
  readonly config: string;
  readonly template: string;
  readonly osdp: boolean;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acs-demo-"));
  const embedded = process.env.MQTT_URL ? undefined : await EmbeddedBroker.start();
  const mqttUrl = process.env.MQTT_URL ?? (embedded as EmbeddedBroker).url;
  const edges: Edge[] = [];
  let service: CentralProcess | undefined;
  try {
    say(`broker: ${embedded ? `embedded (aedes) at ${mqttUrl}` : mqttUrl}`);
    const files = await prepareCentral(dir, demoDataset());
    service = new CentralProcess({ db: files.db, mqttUrl, keyFile: files.keyFile });
    await service.start();
    say("central: 5 sites, 2 partners, 3 engineers; signing key central-1 (Ed25519)");

    for (const [index, site] of SITES.entries()) {
      const pty = await openPtyPair();
      const written = writeDemoSite({
        dir,
        site,
        index,
        device: pty.edge,
        mqttUrl,
        central: files,
      });
      const sim = written.osdp
        ? await SimProcess.start(["osdp", "--device", pty.device, "--bus", written.bus])
        : await SimProcess.start(["bridge", "--device", pty.device]);
      const accessd = new AccessdProcess(written.config);
      edges.push({
        site,
        pty,
        sim,
        accessd,
        config: written.config,
        template: written.template,
        osdp: written.osdp,
      });
    }
    for (const edge of edges) {
      const line = await edge.accessd.waitFor(
        (l) => l.msg === "decision index rebuilt",
        30_000,
        "the first snapshot",
      );
      say(
        `${edge.site.name}: accessd took its snapshot (state version ${line.stateVersion}), readers on ${edge.osdp ? "OSDP, secure channel" : "a Wiegand bridge board"}`,
      );
    }
    const [ams, , arnhem, , cabinet] = edges as [Edge, Edge, Edge, Edge, Edge];
    const enroll = async (edge: Edge, card: number) => {
      const result = await accessctl(
        edge.config,
        "enroll",
        "--card",
        `H10301:18:${card}`,
        "--template",
        edge.template,
      );
      if (result.code !== 0) throw new Error(result.stderr);
      await pause(400); // accessd takes the enrollment in within 250 ms
    };
    await enroll(ams, PEOPLE.deVries.card);
    say(
      "Amsterdam: J. de Vries's fingerprint enrolled on site with card 1001 (template sealed, stays on site)",
    );

    say("— J. de Vries presents card 1001 at Amsterdam, then his finger");
    say(`  ${await read(ams, PEOPLE.deVries.card, PEOPLE.deVries.finger)}`);
    say("— S. Bakker (Kabel & Co) tries Amsterdam: authorized for Rotterdam only, so Amsterdam's");
    say("  edge does not even hold his card (no site receives another site's people)");
    say(`  ${await read(ams, PEOPLE.bakker.card)}`);
    say("— M. Jansen opens the street cabinet in Utrecht");
    say(`  ${await read(cabinet, PEOPLE.jansen.card)}`);

    say("central: Kabel & Co reports M. Jansen out of service (uit dienst melden), effective now");
    const ended = await central(
      files.db,
      "end-employment",
      "--employment",
      String(PEOPLE.jansen.employment),
    );
    say(`  ${ended.stdout.trim().split("\n")[0]}`);
    await pause(300);
    say("— M. Jansen tries the street cabinet again");
    say(`  ${await read(cabinet, PEOPLE.jansen.card)}`);
    say("— and Arnhem, where he was authorized too");
    say(`  ${await read(arnhem, PEOPLE.jansen.card)}`);

    say(
      "central: J. de Vries reports card 1001 lost; the replacement 1002 is activated with its code",
    );
    await central(
      files.db,
      "card-status",
      "--card",
      String(PEOPLE.deVries.card),
      "--status",
      "lost",
      "--reason",
      "lost on site",
    );
    await central(
      files.db,
      "card-status",
      "--card",
      String(PEOPLE.deVries.newCard),
      "--status",
      "active",
    );
    await pause(300);
    say("— someone presents the lost card 1001 at Amsterdam");
    say(`  ${await read(ams, PEOPLE.deVries.card)}`);
    say("— J. de Vries presents his new card 1002");
    say(`  ${await read(ams, PEOPLE.deVries.newCard, PEOPLE.deVries.finger)}`);
    await enroll(ams, PEOPLE.deVries.newCard);
    say("Amsterdam: re-enrolled on site with the new card");
    say(`  ${await read(ams, PEOPLE.deVries.newCard, PEOPLE.deVries.finger)}`);

    await pause(1500);
    const events = new EventStore(`${files.db}.events`);
    const stored = SITES.map((s) => `${s.id} ${events.count(s.id)}`).join(", ");
    events.close();
    say(`central's event store (each event once, by site and sequence): ${stored}`);
    for (const edge of edges) {
      const status = await accessctl(edge.config, "status");
      const depth = /outbox depth\s+(\d+)/.exec(status.stdout)?.[1];
      say(
        `  ${edge.site.name.padEnd(32)} outbox depth ${depth} (acknowledged events leave the edge)`,
      );
    }
  } finally {
    for (const edge of edges) {
      await edge.accessd.stop();
      await edge.sim.kill();
      await edge.pty.close();
    }
    await service?.stop();
    await embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Presents a card (and a finger when the door asks for one); returns what the door decided. */
async function read(edge: Edge, card: number, finger?: string): Promise<string> {
  const from = edge.accessd.lines.length;
  const decided = (l: LogLine) =>
    edge.accessd.lines.indexOf(l) >= from && (l.msg === "access granted" || l.reason !== undefined);
  if (edge.osdp) {
    await edge.sim.request("present", {
      address: 1,
      format: "H10301",
      fields: { facility: 18, card },
    });
    const first = await edge.accessd.waitFor(
      (l) => edge.accessd.lines.indexOf(l) >= from && l.outcome !== undefined,
      5000,
      "a decision",
    );
    if (first.outcome === "fingerprint" && finger) {
      for (let i = 0; i < 200; i++) {
        const result = await edge.sim.request("finger", { address: 7, fingerId: finger });
        if (result.operation === "match") break;
        await pause(10);
      }
    }
  } else {
    await edge.sim.request("present", {
      port: 0,
      format: "H10301",
      fields: { facility: 18, card },
    });
  }
  const line = await edge.accessd.waitFor(decided, 10_000, "the decision");
  await pause(900); // the strike time passes before the next read
  return line.msg === "access granted"
    ? `granted: the lock opens (${edge.site.name})`
    : `refused (${line.reason}): ${line.msg}`;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
