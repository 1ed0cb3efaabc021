import type { ByteTransport } from "@acs/serial-transport";
import type { Logger } from "pino";
import { BridgeBus } from "../buses/bridge/bridge-bus.js";
import { OsdpBus } from "../buses/osdp/osdp-bus.js";
import { OsdpFingerprintTerminal } from "../buses/osdp/osdp-terminal.js";
import type { Clock } from "../clock.js";
import type {
  BridgeBusConfig,
  BusConfig,
  OsdpBusConfig,
  SiteConfig,
} from "../config/site-config.js";
import type { FingerprintTerminal } from "../fingerprint/terminal.js";

/** What the reader buses need from the daemon: their transports and where their events go. */
export interface BusWiring {
  readonly config: SiteConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly transportFor: (bus: BusConfig) => ByteTransport;
  /** Records an outbox event (no door or reader). */
  readonly record: (type: string, payload: object) => void;
  /** A bus (address undefined) or an OSDP PD changed state. */
  readonly readerHealth: (bus: string, address: number | undefined, state: string) => void;
  /** A door contact or REX input changed. */
  readonly onInput: (busId: string, input: number, active: boolean, address?: number) => void;
}

/** One bus of the site config, created and wired to the daemon. */
export function createReaderBus(config: BusConfig, wiring: BusWiring): BridgeBus | OsdpBus {
  return config.kind === "osdp" ? createOsdpBus(config, wiring) : createBus(config, wiring);
}

/** A bridge board's bus: Wiegand readers, relays and inputs behind one serial line. */
export function createBus(config: BridgeBusConfig, wiring: BusWiring): BridgeBus {
  const { record } = wiring;
  const readers = config.readers.map((r) => ({
    port: r.port,
    formats: wiring.config.readers.get(r.id)?.formats ?? [],
    ...(r.gapCapMs === undefined ? {} : { gapCapMs: r.gapCapMs }),
  }));
  const bus = new BridgeBus({
    transport: wiring.transportFor(config),
    clock: wiring.clock,
    log: wiring.log.child({ bus: config.id }),
    readers,
    heartbeatMs: config.heartbeatMs,
  });
  bus.on("health", (health) => {
    wiring.readerHealth(config.id, undefined, health.state);
    record("bus-health", {
      bus: config.id,
      state: health.state,
      boardId: health.board?.boardId ?? null,
      tamper: health.tamper,
    });
  });
  bus.on("relay", (e) =>
    record("relay-changed", { bus: config.id, relay: e.relay, on: e.on, cause: e.cause }),
  );
  bus.on("commandFailed", (command, reason) =>
    record("bus-command-failed", { bus: config.id, command: command.kind, reason }),
  );
  bus.on("input", (e) => wiring.onInput(config.id, e.input, e.active));
  return bus;
}

/** An OSDP bus: its PDs, their readers, inputs and outputs. */
export function createOsdpBus(config: OsdpBusConfig, wiring: BusWiring): OsdpBus {
  const { record } = wiring;
  const bus = new OsdpBus({
    transport: wiring.transportFor(config),
    clock: wiring.clock,
    log: wiring.log.child({ bus: config.id }),
    baudRate: config.baudRate,
    pds: config.pds.map((pd) => ({
      address: pd.address,
      install: pd.install,
      ...(pd.keyHex ? { scbk: Uint8Array.from(Buffer.from(pd.keyHex, "hex")) } : {}),
    })),
    readers: config.readers.map((r) => ({
      address: r.address,
      formats: wiring.config.readers.get(r.id)?.formats ?? [],
    })),
    requireSecure: config.requireSecure,
    allowInstallMode: config.allowInstallMode,
    replyTimeoutMs: config.replyTimeoutMs,
    retries: config.retries,
    statsIntervalMs: config.statsIntervalMs,
  });
  const where = (address: number) => ({ bus: config.id, address });
  bus.on("pd", (e) => {
    wiring.readerHealth(config.id, e.address, e.state);
    record("bus-health", {
      ...where(e.address),
      state: e.state,
      secure: e.secure,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.info ? { serial: e.info.identification.serialNumber } : {}),
    });
  });
  bus.on("tamper", (e) => record("tamper", { ...where(e.address), active: e.active }));
  bus.on("keyInstalled", (address) => record("pd-key-installed", where(address)));
  bus.on("commandFailed", (command, reason, address) =>
    record("bus-command-failed", { ...where(address), command, reason }),
  );
  bus.on("input", (e) => wiring.onInput(config.id, e.input, e.active, e.address));
  bus.on("stats", (stats) => record("bus-stats", { busId: config.id, ...stats }));
  return bus;
}

/** OSDP fingerprint terminals named by the doors, unless the caller brought its own. */
export function createTerminals(
  config: SiteConfig,
  buses: ReadonlyMap<string, BridgeBus | OsdpBus>,
  clock: Clock,
  given: ReadonlyMap<string, FingerprintTerminal> | undefined,
): Map<string, FingerprintTerminal> {
  const terminals = new Map<string, FingerprintTerminal>();
  for (const door of config.doors) {
    const own = given?.get(door.id);
    if (own) {
      terminals.set(door.id, own);
      continue;
    }
    if (!door.terminal) continue;
    const bus = buses.get(door.terminal.bus);
    if (!(bus instanceof OsdpBus)) continue;
    terminals.set(
      door.id,
      new OsdpFingerprintTerminal({
        id: `${door.terminal.bus}:${door.terminal.address}`,
        bus,
        address: door.terminal.address,
        clock,
      }),
    );
  }
  return terminals;
}

/** The last known state of every bus and OSDP PD, for central's reader report. */
export class ReaderStates {
  private readonly states = new Map<string, string>();

  set(bus: string, address: number | undefined, state: string): void {
    this.states.set(address === undefined ? bus : `${bus}:${address}`, state);
  }

  list(): { bus: string; address?: number; state: string }[] {
    return [...this.states].map(([where, state]) => {
      const [bus, address] = where.split(":");
      return {
        bus: bus as string,
        ...(address === undefined ? {} : { address: Number(address) }),
        state,
      };
    });
  }
}
