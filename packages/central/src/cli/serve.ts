import { readFileSync, writeFileSync } from "node:fs";
import {
  type CommandAction,
  generateSigningKeyPair,
  loadPrivateKey,
  loadPublicKey,
  type SigningKey,
} from "@acs/protocol";
import pino from "pino";
import { stateSource } from "../compiler/state-source.js";
import { buildServer } from "../http/server.js";
import { registerWorkflowRoutes } from "../http/workflow-routes.js";
import { accountDb } from "../iam/accounts/db.js";
import {
  ConsoleSender,
  drainNotifications,
  FileSender,
  type NotificationSender,
} from "../iam/notifications/outbox.js";
import { Workflow } from "../iam/workflow.js";
import { CentralService } from "../service/central-service.js";
import { EventStore } from "../service/event-store.js";
import type { MqttCredentials } from "../service/mqtt-link.js";
import { openCentralStore } from "../state/store.js";
import { EdgeKeyCache, EdgeKeyRegistry } from "../trust/edge-keys.js";

export interface ServeOptions {
  readonly db: string;
  readonly eventsDb?: string;
  /** With keyFile: the MQTT sync service runs too. */
  readonly mqttUrl?: string;
  /** TLS and sign-in to the broker: CA, client certificate and key, or a password. */
  readonly mqtt?: MqttCredentials;
  readonly keyFile?: string;
  readonly keyId?: string;
  /** Central's next key: the edges move to it site by site (KeyRotation). */
  readonly nextKeyFile?: string;
  readonly nextKeyId?: string;
  /** How long a site's older edge keys stay valid after its new key is first used. */
  readonly edgeKeyOverlapMs?: number;
  readonly logLevel?: string;
  /** The HTTP API; 127.0.0.1:8080 by default. */
  readonly http?: HttpListenOptions;
  /**
   * Development senders of SMS and e-mail (codes and tokens in clear!): "console" prints
   * them on stderr, `{ file }` appends JSON lines. Absent: they wait in the outbox.
   */
  readonly notifications?: "console" | { readonly file: string };
}

/** How long a remote-open command of the helpdesk stays valid at the edge, in ms. */
export const REMOTE_OPEN_TTL_MS = 30_000;

/** How often the notification outbox is drained, in ms. */
export const NOTIFICATION_DRAIN_MS = 1000;

export interface HttpListenOptions {
  readonly port: number;
  readonly host: string;
  /**
   * The port was asked for (--port or PORT). When it was not and the sync service runs,
   * a default port already in use is logged and the sync service goes on without HTTP
   * (several sync services on one machine, as in the end-to-end tests).
   */
  readonly explicit: boolean;
}

export const DEFAULT_HTTP: HttpListenOptions = { port: 8080, host: "127.0.0.1", explicit: false };

/** Central's signing key: the PEM file given, its id from the option. */
export function signingKeyFrom(keyFile: string, keyId: string): SigningKey {
  return { keyId, privateKey: loadPrivateKey(readFileSync(keyFile, "utf8")) };
}

/** The key to rotate to, with the public key the edges are asked to trust. */
function nextKeyFrom(keyFile: string, keyId: string) {
  const pem = readFileSync(keyFile, "utf8");
  const publicKeyPem = loadPublicKey(pem).export({ type: "spki", format: "pem" }).toString();
  return { key: { keyId, privateKey: loadPrivateKey(pem) }, publicKeyPem };
}

/**
 * `central serve`: the HTTP API over the store file and, given an MQTT URL and a key, the
 * sync service, until SIGTERM/SIGINT. The sync service publishes what any process commits
 * (the CLI next to it included), answers snapshot requests, stores every edge event once
 * (in `<db>.events` unless told otherwise).
 */
export async function serve(options: ServeOptions): Promise<void> {
  const log = pino({ level: options.logLevel ?? "info", base: { service: "central" } });
  const http = options.http ?? DEFAULT_HTTP;
  const store = openCentralStore(options.db);
  const sync =
    options.mqttUrl !== undefined && options.keyFile !== undefined
      ? { mqttUrl: options.mqttUrl, keyFile: options.keyFile }
      : undefined;
  const events = sync ? new EventStore(options.eventsDb ?? `${options.db}.events`) : undefined;
  const edgeKeyRegistry = new EdgeKeyRegistry(store.db, () => Date.now());
  const service =
    sync && events
      ? new CentralService({
          mqttUrl: sync.mqttUrl,
          ...(options.mqtt ? { mqtt: options.mqtt } : {}),
          log,
          now: () => Date.now(),
          signingKey: signingKeyFrom(sync.keyFile, options.keyId ?? "central-1"),
          ...(options.nextKeyFile
            ? { nextSigningKey: nextKeyFrom(options.nextKeyFile, options.nextKeyId ?? "central-2") }
            : {}),
          state: stateSource(store),
          events,
          edgeKeys: new EdgeKeyCache(edgeKeyRegistry, () => Date.now()),
          edgeKeyRegistry,
          ...(options.edgeKeyOverlapMs !== undefined
            ? { edgeKeyOverlapMs: options.edgeKeyOverlapMs }
            : {}),
        })
      : undefined;
  const clock = { now: () => Date.now() };
  const workflow = new Workflow({
    store,
    clock,
    log,
    events,
    remoteOpener: service
      ? {
          open: async (site, doorId, reason, operator) => {
            const { result } = await service.command(
              site,
              { kind: "remote-open", doorId, reason, operator },
              { ttlMs: REMOTE_OPEN_TTL_MS },
            );
            return result ? { outcome: result.outcome, reason: result.reason } : undefined;
          },
        }
      : undefined,
  });
  // A committed change publishes its deltas at once rather than at the next poll.
  if (service) workflow.ctx.onCommitted(() => service.deltasCommitted());
  const iamDb = workflow.ctx.db;
  const { app } = await buildServer({
    store,
    log,
    now: clock.now,
    resolveActor: workflow.accounts.resolveActor,
    registerRoutes: (server, context) => registerWorkflowRoutes(server, context, workflow),
  });
  const sender: NotificationSender | undefined =
    options.notifications === undefined
      ? undefined
      : options.notifications === "console"
        ? new ConsoleSender((line) => void process.stderr.write(line))
        : new FileSender(options.notifications.file);
  if (sender === undefined) log.warn("no notification sender: SMS and e-mail wait in the outbox");
  let draining = false;
  const drainTimer = sender
    ? setInterval(() => {
        if (draining) return;
        draining = true;
        drainNotifications(accountDb(iamDb), sender, clock)
          .catch((error: unknown) =>
            log.error({ err: { type: (error as Error).name } }, "notifications not sent"),
          )
          .finally(() => {
            draining = false;
          });
      }, NOTIFICATION_DRAIN_MS)
    : undefined;
  drainTimer?.unref();
  let listening = false;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("central stopping");
    clearInterval(drainTimer);
    workflow.stop();
    await app.close();
    await service?.stop();
    // The figures once the service has stopped: a batch stored while stopping counts too.
    log.info(service?.stats ?? {}, "central stopped");
    events?.close();
    store.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  try {
    await app.listen({ port: http.port, host: http.host });
    listening = true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!(service && !http.explicit && code === "EADDRINUSE")) {
      await app.close();
      events?.close();
      store.close();
      throw error;
    }
    log.warn({ port: http.port, host: http.host }, "http not started: the default port is in use");
  }
  if (listening) {
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : http.port;
    log.info({ port, host: http.host }, "http listening");
  }
  // Timers that fell due while central was stopped fire now; the sync service (started
  // next) publishes what they changed.
  await workflow.start();
  if (service) {
    try {
      await service.start();
    } catch (error) {
      // No half a central: without its broker it stops (the HTTP API too) and says why.
      clearInterval(drainTimer);
      workflow.stop();
      await app.close();
      events?.close();
      store.close();
      throw error;
    }
    log.info({ mqtt: sync?.mqttUrl }, "central serving");
  } else {
    log.info("central serving (HTTP only)");
  }
}

/** `central keygen`: a new Ed25519 key pair, private and public PEM files. */
export function keygen(keyId: string, privateFile: string, publicFile: string): void {
  const pair = generateSigningKeyPair(keyId);
  writeFileSync(privateFile, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(publicFile, pair.publicKeyPem);
}

/** `central command …`: signs one command, sends it, and waits for the edge's result. */
export async function sendCommand(options: {
  /** Central's store: the edges' keys the result must be signed with. */
  db: string;
  mqttUrl: string;
  mqtt?: MqttCredentials;
  keyFile: string;
  keyId: string;
  logLevel?: string;
  site: string;
  action: CommandAction;
  ttlMs: number;
}): Promise<{ outcome: string; reason: string | null } | undefined> {
  const log = pino({ level: options.logLevel ?? "warn" });
  const store = openCentralStore(options.db);
  const registry = new EdgeKeyRegistry(store.db, () => Date.now());
  const service = new CentralService({
    mqttUrl: options.mqttUrl,
    ...(options.mqtt ? { mqtt: options.mqtt } : {}),
    // A broker that takes the identity as the client id (docs/broker.md) makes it central-tool.
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
    // The tool only reads keys: an edge's rotation is confirmed by the service.
    edgeKeys: new EdgeKeyCache(registry, () => Date.now()),
    subscriptions: "results",
  });
  try {
    await service.start();
    const { result } = await service.command(options.site, options.action, {
      ttlMs: options.ttlMs,
    });
    return result ? { outcome: result.outcome, reason: result.reason } : undefined;
  } finally {
    await service.stop();
    store.close();
  }
}
