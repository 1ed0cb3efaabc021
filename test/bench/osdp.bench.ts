import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ControlPanel,
  DEFAULT_SCBK,
  Framer,
  type PdApplication,
  PeripheralDevice,
  packetBytes,
  type Reply,
} from "@acs/osdp";
import { AccessdProcess, accessctl } from "../support/edge-processes.js";
import { IO, READERS, simBus, TERMINAL } from "../support/osdp-site.js";
import { openPtyPair } from "../support/pty-pair.js";
import { SimProcess } from "../support/sim-process.js";
import { EMPTY_STATE_PARTS, h10301Card } from "../support/state-records.js";
import { percentile, round } from "../support/stats.js";

const CARDS_115200 = Number(process.env.BENCH_OSDP_CARDS ?? 300);
const CARDS_9600 = Number(process.env.BENCH_OSDP_CARDS_9600 ?? 120);
const DOOR_READERS = [1, 2, 3, 4];

/**
 * Bytes on the wire for a secure exchange, mark included: a POLL and its ACK per PD for one
 * full cycle of the 8 PDs, the card (osdp_RAW, 26 bits: 8 data bytes, encrypted to 16), and
 * the lock command (osdp_OUT, one 4-byte record) with its ACK.
 */
export function boundBytes(pds: number): number {
  const poll = packetBytes({ data: 0, secure: "mac" });
  const ack = packetBytes({ data: 0, secure: "mac" });
  const raw = packetBytes({ data: 8, secure: "encrypted" });
  const out = packetBytes({ data: 4, secure: "encrypted" });
  return pds * (poll + ack) + raw + out + ack;
}

const boundMs = (baud: number) => (boundBytes(8) * 10 * 1000) / baud;

/**
 * Frames a second through the codec as the CP sees them: secure replies pushed through the
 * framer, split into packets, their MAC checked and data decrypted, and decoded.
 */
function codecFramesPerSecond(): number {
  const app: PdApplication = {
    identification: {
      vendorCode: Uint8Array.of(1, 2, 3),
      model: 1,
      version: 1,
      serialNumber: 1,
      firmware: { major: 1, minor: 0, build: 0 },
    },
    capabilities: [
      { functionCode: 8, compliance: 1, numberOf: 0 },
      { functionCode: 9, compliance: 1, numberOf: 1 },
    ],
    handle: () => ({ kind: "ack" }),
    nextEvent: (): Reply | undefined => ({
      kind: "raw",
      reader: 0,
      format: 1,
      bitCount: 26,
      data: Uint8Array.of(0x8a, 0x0f, 0x42, 0x40),
    }),
  };
  const pd = new PeripheralDevice({
    address: 1,
    app,
    scbk: DEFAULT_SCBK,
    installMode: false,
    requireSecure: true,
    clientUid: new Uint8Array(8),
    random: (n) => new Uint8Array(n).fill(7),
  });
  let frames = 0;
  const pending: Uint8Array[] = [];
  const cp = new ControlPanel({
    line: { write: (bytes) => pending.push(bytes) },
    clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
    random: (n) => new Uint8Array(n).fill(3),
    baudRate: 115200,
    pds: [{ address: 1, scbk: DEFAULT_SCBK }],
    handlers: { event: () => frames++ },
  });
  // Each turn: the CP encodes and seals a POLL, the PD frames, opens and answers it, the CP
  // frames, verifies, decrypts and decodes the card: two frames through the whole codec.
  const pdFramer = new Framer({
    frame: (f) => {
      const reply = pd.receive(f.bytes, f.marked);
      if (reply) cp.receive(reply);
    },
    error: () => {},
  });
  cp.start();
  const turn = () => {
    const bytes = pending.shift();
    if (bytes) pdFramer.push(bytes);
  };
  for (let i = 0; i < 20_000; i++) turn();
  frames = 0;
  const started = process.hrtime.bigint();
  let turns = 0;
  while (process.hrtime.bigint() - started < 1_000_000_000n) {
    for (let i = 0; i < 1000; i++) turn();
    turns += 1000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  cp.stop();
  if (frames < turns / 2) throw new Error("the codec loop lost frames");
  return (turns * 2) / seconds;
}

function benchSite(dir: string, device: string, baud: number) {
  const bus = "osdp-1";
  return {
    site: "bench-osdp",
    store: { path: join(dir, "edge.db") },
    log: { level: "warn" },
    buses: [
      {
        id: bus,
        kind: "osdp",
        device,
        baudRate: baud,
        pds: simBus(baud).pds.map((pd) => ({ address: pd.address, keyHex: pd.keyHex })),
        readers: READERS.map((address) => ({ id: `r${address}`, address, formats: ["H10301"] })),
      },
    ],
    doors: DOOR_READERS.map((address, i) => ({
      id: `door-${address}`,
      name: `Door ${address}`,
      areaId: 1,
      entryReader: `r${address}`,
      lock: { bus, address: IO, number: i },
      strikeMs: 100,
    })),
  };
}

interface BaudResult {
  readonly cycleMs: number;
  readonly latencies: number[];
}

/** accessd as CP and firmware-sim's 8 PDs on a socat pty, real processes, as deployed. */
async function busLatency(baud: number, cards: number): Promise<BaudResult> {
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-osdp-"));
  const pty = await openPtyPair({ realtime: true });
  const config = join(dir, "site.json");
  writeFileSync(config, JSON.stringify(benchSite(dir, pty.edge, baud)));
  writeFileSync(join(dir, "bus.json"), JSON.stringify(simBus(baud)));
  writeFileSync(
    join(dir, "state.json"),
    JSON.stringify({
      site: "bench-osdp",
      version: 1,
      ...EMPTY_STATE_PARTS,
      persons: [{ id: 1, displayName: "Engineer 1" }],
      cards: [h10301Card(101, 1)],
      employments: [
        { id: 1, personId: 1, companyId: 9, start: Date.now() - 86_400_000, end: null },
      ],
      areas: [{ id: 1, name: "Hall", requiredCertificates: [] }],
      authorizations: [{ id: 1, employmentId: 1, areaId: 1 }],
    }),
  );
  const imported = await accessctl(config, "import", join(dir, "state.json"));
  if (imported.code !== 0) throw new Error(imported.stderr);
  const sim = await SimProcess.start(
    ["osdp", "--device", pty.device, "--bus", join(dir, "bus.json")],
    {
      realtime: true,
    },
  );
  const accessd = new AccessdProcess(config, { realtime: true });
  try {
    // Every PD online: the sim sees secure polls to all of them.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const stats = await sim.request("stats");
      const pds = Object.values(stats.pds as Record<string, { secure: boolean }>);
      if (pds.length === 8 && pds.every((p) => p.secure)) break;
      if (Date.now() > deadline) throw new Error(`PDs not online: ${JSON.stringify(stats)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 500));
    await sim.request("reset-stats");
    await new Promise((r) => setTimeout(r, baud < 20_000 ? 3000 : 1000));
    const cycle = (await sim.request("stats")).cycle as { meanMs: number };
    const latencies: number[] = [];
    const warmup = baud < 20_000 ? 5 : 30;
    for (let i = 0; i < warmup + cards; i++) {
      const reader = DOOR_READERS[i % DOOR_READERS.length] as number;
      const output = i % DOOR_READERS.length;
      const from = sim.events.length;
      const presented = await sim.request("present", {
        address: reader,
        format: "H10301",
        fields: { facility: 18, card: 101 },
      });
      const on = await sim.waitFor(
        (e) =>
          e.event === "relay" &&
          e.address === IO &&
          e.output === output &&
          e.on === true &&
          sim.events.indexOf(e) >= from,
        5000,
      );
      await sim.waitFor(
        (e) =>
          e.event === "relay" &&
          e.output === output &&
          e.on === false &&
          sim.events.indexOf(e) >= from,
        5000,
      );
      if (i >= warmup) latencies.push(((on.atUs as number) - (presented.atUs as number)) / 1000);
      // A card comes at any moment of the poll cycle.
      await new Promise((r) => setTimeout(r, Math.random() * cycle.meanMs));
    }
    return { cycleMs: cycle.meanMs, latencies };
  } finally {
    await accessd.stop();
    await sim.kill();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const codec = codecFramesPerSecond();
  const fast = await busLatency(115200, CARDS_115200);
  const slow = await busLatency(9600, CARDS_9600);
  return {
    bench: "osdp",
    codec_frames_per_s: Math.round(codec),
    poll_cycle_ms_9600: round(slow.cycleMs, 2),
    poll_cycle_ms_115200: round(fast.cycleMs, 2),
    read_to_relay_p50_ms_9600: round(percentile(slow.latencies, 50), 2),
    read_to_relay_p99_ms_9600: round(percentile(slow.latencies, 99), 2),
    bound_ms_9600: round(boundMs(9600), 2),
    read_to_relay_p50_ms_115200: round(percentile(fast.latencies, 50), 2),
    read_to_relay_p99_ms_115200: round(percentile(fast.latencies, 99), 2),
    bound_ms_115200: round(boundMs(115200), 2),
    ratio_p99_to_bound_9600: round(percentile(slow.latencies, 99) / boundMs(9600), 3),
    ratio_p99_to_bound_115200: round(percentile(fast.latencies, 99) / boundMs(115200), 3),
    bound_bytes: boundBytes(8),
    cards: { 9600: slow.latencies.length, 115200: fast.latencies.length },
    pds: [...READERS, TERMINAL, IO].length,
    target_ratio: 1.5,
  };
}
