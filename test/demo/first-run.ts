/**
 * The first run of the whole system: a broker (embedded unless MQTT_URL names one),
 * central (`central serve`: the HTTP API of the partner portal and the sync service), and
 * an accessd per site with simulated readers, fingerprint terminals and door I/O on real
 * pty pairs. It plays the source document's story through the API, with real sign-ins.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStore } from "@acs/central";
import { CentralApi } from "../support/central-api.js";
import { CentralProcess } from "../support/central-process.js";
import { accessctl } from "../support/edge-processes.js";
import { EmbeddedBroker } from "../support/embedded-broker.js";
import {
  addEngineer,
  cardToActive,
  createFirstAdmin,
  offerArea,
  replaceCard,
  requestAndApprove,
  signInEveryone,
} from "../support/portal-story.js";
import { prepareCentral } from "../support/sync-site.js";
import { type DemoCard, type Edge, enroll, read, startEdges, stopEdges } from "./demo-edges.js";
import { demoDataset, FINGER, SITES } from "./demo-sites.js";

const started = Date.now();
const say = (text: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${text}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MOBILE = "+31620000001";
const card = (number: number): DemoCard => ({ format: "C1000_35", facility: 1000, number });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acs-demo-"));
  const embedded = process.env.MQTT_URL ? undefined : await EmbeddedBroker.start();
  const mqttUrl = process.env.MQTT_URL ?? (embedded as EmbeddedBroker).url;
  let edges: Edge[] = [];
  let service: CentralProcess | undefined;
  try {
    say(`broker: ${embedded ? `embedded (aedes) at ${mqttUrl}` : mqttUrl}`);
    const files = await prepareCentral(dir, demoDataset());
    const invitation = await createFirstAdmin(files.db);
    const notifications = join(dir, "notifications.jsonl");
    const port = Number(process.env.PORT ?? 0);
    service = new CentralProcess({ ...files, mqttUrl, port, notifications });
    await service.start();
    const base = `http://127.0.0.1:${await service.httpPort()}`;
    const api = new CentralApi(base, notifications);
    say(`central: ${SITES.length} sites, the API at ${base} (OpenAPI at ${base}/openapi.json)`);
    say(`  SMS and e-mail of the development sender go to ${notifications}`);

    edges = await startEdges(dir, mqttUrl, files);
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
    const ams = edges[0] as Edge;

    const people = await signInEveryone(api, invitation);
    say("portal: the administrator (from `central admin create`) and two managers signed in");
    say("  (password, then the code texted to their mobile)");
    say(
      "portal: partner Netbouw Infra B.V. registered by the administrator, approved by a manager",
    );
    say("portal: its contact person M. Smit accepted her invitation and signed in");
    const entryId = await offerArea(api, people, {
      code: "AMS-BSL-EQUIPMENT",
      name: "TVA Wholesale - Doors: Amsterdam Barbara Strozzilaan, equipment room",
      siteId: "ams-bsl",
      areaId: 10,
    });
    await api.ok("PUT", "/sites/ams-bsl/doors/main", people.admin.token, {
      areaId: 10,
      name: "Equipment room",
    });
    say("portal: Amsterdam's equipment room is in Netbouw's profile");

    const engineer = await addEngineer(api, people, {
      initials: "J.",
      surnamePrefix: "de",
      surname: "Vries",
      birthDate: "1984-06-01",
      mobile: MOBILE,
    });
    say("— M. Smit looks up J. de Vries: not known yet; she adds him, which requests his card");
    const first = await cardToActive(api, people, engineer.cardRequestId, MOBILE);
    say(`— a manager approves the card; it is produced as number ${first.number} and shipped;`);
    say("  the activation code goes by SMS, apart from the card; M. Smit activates it");
    const request = await requestAndApprove(api, people, engineer.employmentId, entryId);
    const item = await api.ok("GET", `/request-items/${request.itemId}`, people.manager.token);
    say(
      `— M. Smit asks for Amsterdam with a motivation and submits; due ${item.dueAt} (5 Dutch working days)`,
    );
    await request.approve();
    say("— manager approves: the authorization travels to Amsterdam as a signed delta");
    await pause(300);

    await enroll(ams, card(first.number));
    say(`Amsterdam: J. de Vries's fingerprint enrolled on site with card ${first.number}`);
    say(`— J. de Vries presents card ${first.number} at Amsterdam, then his finger`);
    say(`  ${await read(ams, card(first.number), FINGER)}`);

    const newCardId = await replaceCard(
      api,
      people,
      engineer.employmentId,
      engineer.cardRequestId,
      "lost",
    );
    say(
      `— M. Smit reports card ${first.number} lost: it is refused at once; a replacement is requested`,
    );
    await pause(300);
    say(`— someone presents the lost card ${first.number} at Amsterdam`);
    say(`  ${await read(ams, card(first.number))}`);
    const second = await cardToActive(api, people, newCardId, MOBILE);
    say(
      `— the replacement ${second.number} is approved, produced, shipped and activated with its code`,
    );
    await pause(300);
    say(`— J. de Vries presents his new card ${second.number}`);
    say(`  ${await read(ams, card(second.number), FINGER)}`);
    await pause(1500); // the enrollment event reaches central
    const explained = await api.ok("POST", "/helpdesk/explain", people.manager.token, {
      siteId: "ams-bsl",
      doorId: "main",
      personId: engineer.personId,
    });
    say(`helpdesk: "why can't he get in?" — ${explained.verdict}`);
    await enroll(ams, card(second.number));
    say("Amsterdam: re-enrolled on site with the new card");
    say(`  ${await read(ams, card(second.number), FINGER)}`);

    await api.ok("POST", `/employments/${engineer.employmentId}/end`, people.partner.token, {
      reason: "uit dienst",
    });
    say("portal: M. Smit reports J. de Vries out of service (uit dienst melden), effective now");
    await pause(300);
    say(`— J. de Vries tries card ${second.number} again`);
    say(`  ${await read(ams, card(second.number), FINGER)}`);
    const returns = await api.ok("GET", "/reports/returns", people.partner.token);
    say(
      `portal: to return: ${returns.items.map((r: { kind: string; item: string | null }) => `${r.kind} ${r.item ?? ""}`.trim()).join(", ")}`,
    );

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
    await stopEdges(edges);
    await service?.stop();
    await embedded?.stop();
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
