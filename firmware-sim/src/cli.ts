import { parseArgs } from "node:util";
import { runBridgeProcess } from "./bridge-process.js";
import { loadSimBusConfig } from "./osdp-bus/bus-config.js";
import { runOsdpProcess } from "./osdp-process.js";

const USAGE = `usage: firmware-sim bridge --device PATH [--baud 115200] [--board-id N]
       [--readers 2] [--relays 2] [--inputs 4] [--max-on-ms 30000] [--debounce-ms 20] [--model NAME]

       firmware-sim osdp --device PATH --bus FILE [--baud 115200]

bridge: a Wiegand + door I/O bridge board. osdp: the OSDP PDs of FILE (readers,
fingerprint terminals, I/O modules) sharing one serial device as one RS-485 bus.
Control them with newline-delimited JSON on stdin; responses and events come on
stdout, logs on stderr.`;

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const [device, ...rest] = argv;
  if (device === "osdp") return osdp(rest);
  if (device !== "bridge") {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        device: { type: "string" },
        baud: { type: "string" },
        "board-id": { type: "string" },
        readers: { type: "string" },
        relays: { type: "string" },
        inputs: { type: "string" },
        "max-on-ms": { type: "string" },
        "debounce-ms": { type: "string" },
        model: { type: "string" },
      },
      strict: true,
    });
    if (!values.device) throw new Error("--device is required");
    await runBridgeProcess({
      device: values.device,
      baudRate: int(values.baud, "baud", 115200),
      boardId: int(values["board-id"], "board-id", 1),
      readerPorts: int(values.readers, "readers", 2),
      relays: int(values.relays, "relays", 2),
      inputs: int(values.inputs, "inputs", 4),
      maxOnMs: int(values["max-on-ms"], "max-on-ms", 30_000),
      debounceMs: int(values["debounce-ms"], "debounce-ms", 20),
      model: values.model ?? "ACS-WB2",
    });
    return 0;
  } catch (err) {
    process.stderr.write(`firmware-sim: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

async function osdp(args: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      options: { device: { type: "string" }, bus: { type: "string" }, baud: { type: "string" } },
      strict: true,
    });
    if (!values.device) throw new Error("--device is required");
    if (!values.bus) throw new Error("--bus is required");
    const bus = loadSimBusConfig(values.bus);
    await runOsdpProcess({
      device: values.device,
      bus,
      baudRate: int(values.baud, "baud", bus.baudRate ?? 115200),
    });
    return 0;
  } catch (err) {
    process.stderr.write(`firmware-sim: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
}
