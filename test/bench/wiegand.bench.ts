import { BridgeBus, type CardReadEvent, SerialTransport, systemClock } from "@acs/edge";
import {
  C1000_35,
  C1000_48,
  decode,
  encode,
  type FixedFormat,
  H10301,
  H10302,
  H10304,
  H10306,
} from "@acs/wiegand";
import pino from "pino";
import { until } from "../support/log-sink.js";
import { openPtyPair } from "../support/pty-pair.js";
import { makeThisThreadRealtime } from "../support/realtime.js";
import { SimProcess } from "../support/sim-process.js";
import { percentile, round } from "../support/stats.js";

const CARDS = Number(process.env.BENCH_CARDS ?? 200);
/** HID timing: 50 µs pulses every 2 ms; a 26-bit read is about 50 ms on the wire. */
const HID = { pulseUs: 50, intervalUs: 2000 };

/** Decodes per second for a reader that accepts five formats, over a mix of them. */
function decodeThroughput(): number {
  const reader: readonly FixedFormat[] = [H10301, H10306, C1000_35, H10304, C1000_48];
  const cards = Array.from({ length: 1000 }, (_, i) =>
    encode(reader[i % reader.length] as FixedFormat, {
      facility: i % 200,
      card: (i * 7919) % 60000,
    }),
  );
  let sink = 0;
  for (let i = 0; i < 200_000; i++)
    sink += decode(cards[i % cards.length] as string, reader).bitLength;
  const started = process.hrtime.bigint();
  let decoded = 0;
  while (process.hrtime.bigint() - started < 1_000_000_000n) {
    for (let i = 0; i < 10_000; i++)
      sink += decode(cards[i % cards.length] as string, reader).bitLength;
    decoded += 10_000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink === 0) throw new Error("unreachable");
  return decoded / seconds;
}

interface Latencies {
  /** Sim's last D-pulse to the decoded event in this (the edge) process, ms. */
  readonly only26: number[];
  readonly with37: number[];
  /** How late the sim itself delivered the last pulse to its board model, ms. */
  readonly simLate: number[];
}

/**
 * Card latency through real processes: firmware-sim on one end of a socat pty pair, the
 * edge's bridge driver in this process on the other. Port 0 accepts only 26-bit cards (a
 * card ends at its 26th pulse); port 1 accepts 26 and 37 bits, so its 26-bit cards end by
 * the gap after their last pulse (half the cards there are 37-bit, ending at once).
 */
async function latency(): Promise<Latencies> {
  // As deployed: the edge (this process here) and the board's and wire's main threads real-time
  // (see test/support/realtime.ts and config/accessd.service).
  makeThisThreadRealtime();
  const pty = await openPtyPair({ realtime: true });
  const sim = await SimProcess.start(["bridge", "--device", pty.device], { realtime: true });
  const cards: CardReadEvent[] = [];
  const bus = new BridgeBus({
    transport: new SerialTransport({ path: pty.edge, baudRate: 115200 }),
    clock: systemClock,
    log: pino({ level: "warn" }, pino.destination(2)),
    readers: [
      { port: 0, formats: [H10301] },
      { port: 1, formats: [H10301, H10302] },
    ],
  });
  bus.on("card", (e) => cards.push(e));
  const result: Latencies = { only26: [], with37: [], simLate: [] };
  try {
    await bus.start();
    await until(() => bus.linkState === "online", 5000, "the board session");
    const measure = async (port: number, format: FixedFormat, i: number): Promise<number> => {
      const before = cards.length;
      const card = (i * 7919) % 60000;
      const fields = format.fields.some((f) => f.name === "facility")
        ? { facility: i % 250, card }
        : { card };
      const played = await sim.request("present", {
        port,
        format: format.name,
        fields,
        timing: HID,
      });
      await until(() => cards.length > before, 2000, `card ${i} on reader ${port}`);
      const event = cards[cards.length - 1] as CardReadEvent;
      result.simLate.push((played.lastLateUs as number) / 1000);
      // An irregular pause between cards, so reads do not fall into step with heartbeats.
      await new Promise((r) => setTimeout(r, 3 + (i % 7)));
      return (event.receivedAtUs - (played.lastPulseUs as number)) / 1000;
    };
    // Warm up both processes (JIT, first allocations) before anything is measured.
    for (let i = 0; i < 20; i++) await measure(i % 2, i % 4 === 3 ? H10302 : H10301, i);
    result.simLate.length = 0;
    for (let i = 0; i < CARDS; i++) result.only26.push(await measure(0, H10301, i));
    for (let i = 0; i < CARDS; i++)
      result.with37.push(await measure(1, i % 2 === 0 ? H10301 : H10302, i));
    return result;
  } finally {
    await bus.stop();
    await sim.kill();
    await pty.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const decodePerS = decodeThroughput();
  const { only26, with37, simLate } = await latency();
  return {
    bench: "wiegand",
    decode_per_s: Math.round(decodePerS),
    latency_26_only_p50_ms: round(percentile(only26, 50)),
    latency_26_only_p99_ms: round(percentile(only26, 99)),
    latency_26_37_p50_ms: round(percentile(with37, 50)),
    latency_26_37_p99_ms: round(percentile(with37, 99)),
    cards_per_case: CARDS,
    sim_late_p99_ms: round(percentile(simLate, 99)),
    targets: { latency_26_only_p99_ms: 2, latency_26_37_p99_ms: 8 },
  };
}
