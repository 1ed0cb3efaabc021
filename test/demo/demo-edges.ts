import { AccessdProcess, accessctl, type LogLine } from "../support/edge-processes.js";
import { openPtyPair, type PtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";
import type { CentralFiles } from "../support/sync-site.js";
import { type DemoSite, SITES, writeDemoSite } from "./demo-sites.js";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One site of the demo: its accessd, the simulated readers and I/O, its files. */
export interface Edge {
  readonly site: DemoSite;
  readonly pty: PtyPair;
  readonly sim: SimProcess;
  readonly accessd: AccessdProcess;
  readonly config: string;
  readonly template: string;
  readonly osdp: boolean;
}

/** A card as the readers send it: the format central numbers its cards in. */
export interface DemoCard {
  readonly format: string;
  readonly facility: number;
  readonly number: number;
}

/** Starts every site's accessd with its simulated hardware on a real pty pair. */
export async function startEdges(
  dir: string,
  mqttUrl: string,
  files: CentralFiles,
): Promise<Edge[]> {
  const edges: Edge[] = [];
  for (const [index, site] of SITES.entries()) {
    const pty = await openPtyPair();
    const written = writeDemoSite({ dir, site, index, device: pty.edge, mqttUrl, central: files });
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
  return edges;
}

export async function stopEdges(edges: readonly Edge[]): Promise<void> {
  for (const edge of edges) {
    await edge.accessd.stop();
    await edge.sim.kill();
    await edge.pty.close();
  }
}

/** Enrolls the engineer's finger at the site, bound to `card` (the template stays on site). */
export async function enroll(edge: Edge, card: DemoCard): Promise<void> {
  const result = await accessctl(
    edge.config,
    "enroll",
    "--card",
    `${card.format}:${card.facility}:${card.number}`,
    "--template",
    edge.template,
  );
  if (result.code !== 0) throw new Error(result.stderr);
  await pause(400); // accessd takes the enrollment in within 250 ms
}

/** Presents a card (and a finger when the door asks for one); returns what the door decided. */
export async function read(edge: Edge, card: DemoCard, finger?: string): Promise<string> {
  const from = edge.accessd.lines.length;
  const after = (l: LogLine) => edge.accessd.lines.indexOf(l) >= from;
  const decided = (l: LogLine) =>
    after(l) && (l.msg === "access granted" || l.reason !== undefined);
  const fields = { facility: card.facility, card: card.number };
  if (edge.osdp) {
    await edge.sim.request("present", { address: 1, format: card.format, fields });
    const first = await edge.accessd.waitFor(
      (l) => after(l) && l.outcome !== undefined,
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
    await edge.sim.request("present", { port: 0, format: card.format, fields });
  }
  const line = await edge.accessd.waitFor(decided, 10_000, "the decision");
  await pause(900); // the strike time passes before the next read
  return line.msg === "access granted"
    ? `granted: the lock opens (${edge.site.name})`
    : `refused (${line.reason}): ${line.msg}`;
}
