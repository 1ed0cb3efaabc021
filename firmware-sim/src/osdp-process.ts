import { randomBytes } from "node:crypto";
import { PeripheralDevice } from "@acs/osdp";
import { systemClock } from "./clock.js";
import { ControlError, type ControlRequest, field } from "./control/control-protocol.js";
import { CardReaderPd } from "./osdp/card-reader.js";
import { FingerprintTerminalPd } from "./osdp/fingerprint-terminal.js";
import { IoModulePd } from "./osdp/io-module.js";
import {
  OSDP_CONTROL_COMMANDS,
  OsdpControl,
  type OsdpSimPd,
  outputEventLine,
} from "./osdp/osdp-control.js";
import type { PdOutputEvent } from "./osdp/pd-base.js";
import type { SimBusConfig, SimPdConfig } from "./osdp-bus/bus-config.js";
import { Rs485Bus } from "./osdp-bus/rs485-bus.js";
import { type SerialDeviceOptions, serialLine } from "./serial-line.js";

export interface OsdpProcessOptions extends SerialDeviceOptions {
  readonly bus: SimBusConfig;
}

/**
 * Runs several simulated OSDP PDs on one serial device, as on one RS-485 pair, with the
 * wire's timing at the bus's baud rate. Controlled through NDJSON on stdin/stdout (the
 * device commands of OsdpControl plus `detach`, `attach`, `inject`, `stats`); logs on stderr.
 */
export async function runOsdpProcess(options: OsdpProcessOptions): Promise<void> {
  const line = serialLine("osdp", options);
  const { log, stdio } = line;
  const apps = new Map<number, OsdpSimPd>();
  const links = new Map<number, PeripheralDevice>();
  const errors: Record<string, number> = {};
  const countError = (code: string) => {
    errors[code] = (errors[code] ?? 0) + 1;
  };
  const bus = new Rs485Bus({
    clock: systemClock,
    write: (bytes) => line.write(bytes),
    baudRate: options.baudRate,
    precise: true,
    onError: (err) => countError(err.code),
  });
  for (const config of options.bus.pds) {
    const onOutput = (event: PdOutputEvent) => stdio.emit(outputEventLine(config.address, event));
    const app = createPd(config, onOutput);
    apps.set(config.address, app);
    const pd = new PeripheralDevice({
      address: config.address,
      app,
      ...(config.keyHex ? { scbk: Uint8Array.from(Buffer.from(config.keyHex, "hex")) } : {}),
      installMode: config.installMode ?? false,
      requireSecure: config.requireSecure ?? true,
      clientUid: clientUid(config),
      random: (n) => randomBytes(n),
      onKeyChange: () => {
        log.info({ address: config.address }, "new secure channel key");
        stdio.emit({ event: "keyset", address: config.address, atUs: systemClock.nowUs() });
      },
      onComset: (address, baudRate) => {
        log.info({ address, baudRate }, "COMSET");
        bus.pdBaudChanged(pd, baudRate);
      },
      onError: (err) => countError(err.code),
    });
    links.set(config.address, pd);
    bus.add(pd);
  }
  const devices = new OsdpControl({ pd: (address) => apps.get(address) });
  const handle = async (request: ControlRequest): Promise<Record<string, unknown>> => {
    if (OSDP_CONTROL_COMMANDS.has(request.cmd)) {
      const result = await devices.handle(request);
      return { ...result, atUs: systemClock.nowUs() };
    }
    switch (request.cmd) {
      case "ping":
        return {};
      case "detach":
      case "attach": {
        const address = field<number>(request, "address", "number");
        if (!bus.setAttached(address, request.cmd === "attach"))
          throw new ControlError("NO_SUCH_PD", `no PD at address ${address}`);
        log.info({ address, attached: request.cmd === "attach" }, "PD on the bus");
        return {};
      }
      case "inject": {
        const hex = field<string>(request, "hex", "string");
        if (!/^([0-9a-fA-F]{2})*$/.test(hex))
          throw new ControlError("BAD_REQUEST", "inject: hex bytes");
        bus.inject(Uint8Array.from(Buffer.from(hex, "hex")));
        return {};
      }
      case "reset-stats":
        bus.resetCycleStats();
        return {};
      case "stats":
        return {
          baudRate: bus.currentBaudRate,
          cycle: bus.cycleStats(),
          errors,
          pds: Object.fromEntries(
            [...links].map(([address, pd]) => [address, { ...pd.stats, secure: pd.secure }]),
          ),
        };
      default:
        throw new ControlError("UNKNOWN_COMMAND", `unknown command "${request.cmd}"`);
    }
  };

  await line.start(
    (chunk) => bus.receive(chunk),
    () => {
      bus.stop();
      for (const app of apps.values()) app.stop();
    },
  );
  log.info({ pds: options.bus.pds.length, baudRate: options.baudRate }, "OSDP bus started");
  stdio.emit({ event: "ready", atUs: systemClock.nowUs() });
  line.serve(handle);
}

function createPd(config: SimPdConfig, onOutput: (event: PdOutputEvent) => void): OsdpSimPd {
  const identification = {
    vendorCode: Uint8Array.of(0x0a, 0xc5, 0x00),
    model: config.kind === "reader" ? 1 : config.kind === "fingerprint" ? 2 : 3,
    version: 1,
    serialNumber: config.serialNumber ?? 0x100000 + config.address,
    firmware: { major: 2, minor: 2, build: 0 },
  };
  const common = {
    clock: systemClock,
    identification,
    onOutput,
    link: { defaultKey: config.installMode ?? false, receiveBufferSize: 1024 },
  };
  switch (config.kind) {
    case "reader":
      return new CardReaderPd(common);
    case "fingerprint":
      return new FingerprintTerminalPd(common);
    case "io":
      return new IoModulePd({
        ...common,
        outputs: config.outputs ?? 4,
        inputs: config.inputs ?? 4,
      });
  }
}

function clientUid(config: SimPdConfig): Uint8Array {
  const uid = new Uint8Array(8);
  uid.set([0x0a, 0xc5, 0x00]);
  new DataView(uid.buffer).setUint32(4, config.serialNumber ?? 0x100000 + config.address, true);
  return uid;
}
