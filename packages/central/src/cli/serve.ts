import { readFileSync, writeFileSync } from "node:fs";
import {
  type CommandAction,
  generateSigningKeyPair,
  loadPrivateKey,
  type SigningKey,
} from "@acs/protocol";
import pino from "pino";
import { stateSource } from "../compiler/state-source.js";
import { CentralService } from "../service/central-service.js";
import { EventStore } from "../service/event-store.js";
import { openCentralStore } from "../state/store.js";

export interface ServeOptions {
  readonly db: string;
  readonly eventsDb?: string;
  readonly mqttUrl: string;
  readonly keyFile: string;
  readonly keyId: string;
  readonly logLevel?: string;
}

/** Central's signing key: the PEM file given, its id from the option. */
export function signingKeyFrom(keyFile: string, keyId: string): SigningKey {
  return { keyId, privateKey: loadPrivateKey(readFileSync(keyFile, "utf8")) };
}

/**
 * `central serve`: the sync service over the store file, until SIGTERM/SIGINT. Publishes
 * what any process commits (the CLI next to it included), answers snapshot requests,
 * stores every edge event once (in `<db>.events` unless told otherwise).
 */
export async function serve(options: ServeOptions): Promise<void> {
  const log = pino({ level: options.logLevel ?? "info", base: { service: "central" } });
  const store = openCentralStore(options.db);
  const events = new EventStore(options.eventsDb ?? `${options.db}.events`);
  const service = new CentralService({
    mqttUrl: options.mqttUrl,
    log,
    now: () => Date.now(),
    signingKey: signingKeyFrom(options.keyFile, options.keyId),
    state: stateSource(store),
    events,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info(service.stats, "central stopping");
    await service.stop();
    events.close();
    store.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  await service.start();
  log.info({ mqtt: options.mqttUrl }, "central serving");
}

/** `central keygen`: a new Ed25519 key pair, private and public PEM files. */
export function keygen(keyId: string, privateFile: string, publicFile: string): void {
  const pair = generateSigningKeyPair(keyId);
  writeFileSync(privateFile, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(publicFile, pair.publicKeyPem);
}

/** `central command …`: signs one command, sends it, and waits for the edge's result. */
export async function sendCommand(
  options: Omit<ServeOptions, "db" | "eventsDb"> & {
    site: string;
    action: CommandAction;
    ttlMs: number;
  },
): Promise<{ outcome: string; reason: string | null } | undefined> {
  const log = pino({ level: options.logLevel ?? "warn" });
  const service = new CentralService({
    mqttUrl: options.mqttUrl,
    clientId: `central-cli-${process.pid}`,
    log,
    now: () => Date.now(),
    signingKey: signingKeyFrom(options.keyFile, options.keyId),
    // The CLI only sends a command: it owns no state and publishes no deltas.
    state: {
      siteExists: () => false,
      compileSnapshot: () => {
        throw new Error("not a state owner");
      },
      pendingDeltas: () => [],
      markDeltaPublished: () => {},
    },
    events: new EventStore(":memory:"),
    subscriptions: "results",
  });
  await service.start();
  try {
    const { result } = await service.command(options.site, options.action, {
      ttlMs: options.ttlMs,
    });
    return result ? { outcome: result.outcome, reason: result.reason } : undefined;
  } finally {
    await service.stop();
  }
}
