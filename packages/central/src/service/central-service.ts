import { randomBytes, randomUUID } from "node:crypto";
import {
  CENTRAL_STATUS_TOPIC,
  type CommandAction,
  type CommandResult,
  centralSubscriptions,
  decodeCommandResult,
  decodeEdgeStatus,
  decodeEventBatch,
  decodeSnapshotRequest,
  type EdgeStatus,
  encodeCentralStatus,
  encodeCommand,
  encodeDelta,
  encodeEventAck,
  ProtocolError,
  parseTopic,
  type SigningKey,
  type SiteCommand,
  type SiteDelta,
  type SiteState,
  signEnvelope,
  topics,
} from "@acs/protocol";
import type { Logger } from "pino";
import type { EdgeKeyCache, EdgeKeyRegistry } from "../trust/edge-keys.js";
import { EdgeIngest } from "./edge-ingest.js";
import { type EventStore, seqRanges } from "./event-store.js";
import { KeyRotation } from "./key-rotation.js";
import { type MqttCredentials, MqttLink } from "./mqtt-link.js";
import { SecurityLog } from "./security-log.js";
import { SnapshotSender } from "./snapshot-sender.js";

/** What the service needs of central's state: compiled snapshots and the delta outbox. */
export interface StateSource {
  siteExists(site: string): boolean;
  /** The site's current version (a snapshot of it may be sent again while unchanged). */
  siteVersion?(site: string): number | undefined;
  /** Every site central serves (for the key rotation's progress). */
  siteIds?(): readonly string[];
  compileSnapshot(site: string): SiteState;
  /** Deltas committed but not yet published, oldest first (version order per site). */
  pendingDeltas(limit: number): ReadonlyArray<{ site: string; version: number; delta: SiteDelta }>;
  markDeltaPublished(site: string, version: number): void;
}

export interface CentralServiceOptions {
  readonly mqttUrl: string;
  readonly clientId?: string;
  /** TLS and sign-in to the broker (see docs/broker.md). */
  readonly mqtt?: MqttCredentials;
  readonly log: Logger;
  readonly now: () => number;
  /** Central's signing key. */
  readonly signingKey: SigningKey;
  /**
   * The key central rotates to: edges are told to trust it, each site moves to it once its
   * edge confirms, then the old key is withdrawn from them (see KeyRotation).
   */
  readonly nextSigningKey?: { readonly key: SigningKey; readonly publicKeyPem: string };
  readonly state: StateSource;
  readonly events: EventStore;
  /** The edges' keys: what an edge sends must be signed by an active key of its site. */
  readonly edgeKeys: EdgeKeyCache;
  /** Where an edge key's first use is recorded (its rotation confirmed); absent in tools. */
  readonly edgeKeyRegistry?: EdgeKeyRegistry;
  /** How long a site's older keys are accepted after its new key is first used. Default 10 min. */
  readonly edgeKeyOverlapMs?: number;
  /** How often the delta outbox is looked at when nobody says a commit happened. */
  readonly deltaPollMs?: number;
  /**
   * "all" (the service) or "results" (a tool that only sends commands): a tool must never
   * take edge events, or it would acknowledge what central has not stored.
   */
  readonly subscriptions?: "all" | "results";
}

/**
 * Central's side of the broker: publishes each committed delta (signed) to its site, answers
 * snapshot requests with a signed manifest and chunks, stores every edge event once and
 * acknowledges it (signed), keeps the edges' status, sends signed commands, and keeps its
 * own signed status retained (a last will says offline). It acts only on what an edge
 * signed with an active key of its own site (EdgeIngest); everything else is a counted
 * security event.
 */
export class CentralService {
  private readonly o: CentralServiceOptions;
  private readonly log: Logger;
  private link: MqttLink | undefined;
  private pumping = false;
  private pumpAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private rotationTimer: NodeJS.Timeout | undefined;
  private readonly session = randomBytes(9).toString("base64url");
  readonly security: SecurityLog;
  private readonly ingest: EdgeIngest;
  private readonly snapshots: SnapshotSender;
  readonly rotation: KeyRotation;
  readonly statuses = new Map<string, EdgeStatus>();
  private readonly resultWaiters = new Map<string, (result: CommandResult) => void>();
  readonly results = new Map<string, CommandResult>();
  readonly stats = {
    deltasPublished: 0,
    snapshotsSent: 0,
    batches: 0,
    eventsStored: 0,
    eventsDuplicate: 0,
    eventsQuarantined: 0,
    refused: 0,
  };

  constructor(options: CentralServiceOptions) {
    this.o = options;
    this.log = options.log.child({ module: "central-service" });
    this.security = new SecurityLog(this.log, options.events, options.now);
    this.ingest = new EdgeIngest({
      keys: options.edgeKeys,
      ...(options.edgeKeyRegistry ? { registry: options.edgeKeyRegistry } : {}),
      security: this.security,
      log: this.log,
      overlapMs: options.edgeKeyOverlapMs ?? 600_000,
    });
    this.rotation = new KeyRotation({
      current: options.signingKey,
      ...(options.nextSigningKey
        ? {
            next: options.nextSigningKey.key,
            nextPublicKeyPem: options.nextSigningKey.publicKeyPem,
          }
        : {}),
      log: this.log,
      now: options.now,
      sites: () => options.state.siteIds?.() ?? [...this.statuses.keys()],
      send: (site, action, key) => {
        void this.command(site, action, { ttlMs: 300_000, waitMs: 0, key }).catch((err: Error) =>
          this.log.warn({ site, err: err.message }, "key rotation command not sent"),
        );
      },
    });
    this.snapshots = new SnapshotSender({
      state: options.state,
      log: this.log,
      now: options.now,
      keyFor: (site) => this.rotation.keyFor(site),
      publish: (topic, payload) => this.requireLink().publish(topic, payload),
      sent: () => {
        this.stats.snapshotsSent++;
      },
    });
  }

  /**
   * Connects and starts publishing. The service does not wait for the broker: it may come
   * up later (or restart) and everything waiting goes then; a tool (`subscriptions:
   * "results"`) waits until its subscriptions hold.
   */
  async start(): Promise<void> {
    const service = this.o.subscriptions !== "results";
    this.link = new MqttLink({
      url: this.o.mqttUrl,
      clientId: this.o.clientId ?? "central",
      // A tool's session would only gather every site's results while nobody listens.
      persistent: this.o.subscriptions !== "results",
      ...(this.o.mqtt ? { credentials: this.o.mqtt } : {}),
      log: this.log,
      subscriptions: service
        ? centralSubscriptions
        : centralSubscriptions.filter((t) => t.endsWith("/commands/result")),
      onMessage: (topic, payload) => this.onMessage(topic, payload),
      ...(service
        ? {
            will: {
              topic: CENTRAL_STATUS_TOPIC,
              payload: Buffer.from(this.centralStatus(false)),
              qos: 1 as const,
              retain: true,
            },
            onConnect: () => this.publishStatus(true),
          }
        : {}),
    });
    if (!service) {
      try {
        await this.link.ready();
      } catch (error) {
        // Not left reconnecting behind the caller's back (a CLI would never exit).
        await this.stop();
        throw error;
      }
      return;
    }
    this.pollTimer = setInterval(() => this.deltasCommitted(), this.o.deltaPollMs ?? 25);
    this.rotationTimer = setInterval(() => this.rotation.tick(), 10_000);
    this.rotationTimer.unref();
    this.deltasCommitted();
  }

  async stop(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.rotationTimer) clearInterval(this.rotationTimer);
    if (this.link && this.o.subscriptions !== "results" && this.link.client.connected) {
      // Said by the service itself on a graceful stop; the last will covers a crash.
      await this.link
        .publish(CENTRAL_STATUS_TOPIC, this.centralStatus(false), { retain: true })
        .catch(() => undefined);
    }
    await this.link?.close();
    this.link = undefined;
    this.security.flush();
  }

  get healthy(): boolean {
    return this.link?.healthy ?? false;
  }

  /** Something committed deltas: publish them now rather than at the next poll. */
  deltasCommitted(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    void this.pumpDeltas();
  }

  /** Signs and sends a command; resolves with the edge's result, or undefined on timeout. */
  async command(
    site: string,
    action: CommandAction,
    options: { ttlMs?: number; waitMs?: number; key?: SigningKey } = {},
  ): Promise<{ command: SiteCommand; result: CommandResult | undefined }> {
    const issuedAt = this.o.now();
    const command: SiteCommand = {
      id: randomUUID(),
      site,
      issuedAt,
      expiresAt: issuedAt + (options.ttlMs ?? 60_000),
      action,
    };
    const waitMs = options.waitMs ?? 10_000;
    const result =
      waitMs <= 0
        ? Promise.resolve(undefined)
        : new Promise<CommandResult | undefined>((resolve) => {
            const timer = setTimeout(() => {
              this.resultWaiters.delete(command.id);
              resolve(undefined);
            }, waitMs);
            this.resultWaiters.set(command.id, (r) => {
              clearTimeout(timer);
              resolve(r);
            });
          });
    await this.publishCommand(command, options.key);
    this.log.info({ site, command: command.id, action: action.kind }, "command sent");
    return { command, result: await result };
  }

  /** Publishes an already signed command as is (used to show that a replay is refused). */
  async publishRaw(topic: string, bytes: Uint8Array): Promise<void> {
    await this.requireLink().publish(topic, bytes);
  }

  async publishCommand(command: SiteCommand, key?: SigningKey): Promise<Uint8Array> {
    const signing = key ?? this.rotation.keyFor(command.site);
    const envelope = signEnvelope("command", encodeCommand(command), signing);
    await this.requireLink().publish(topics.command(command.site), envelope);
    return envelope;
  }

  private requireLink(): MqttLink {
    if (!this.link) throw new Error("the central service is not started");
    return this.link;
  }

  private centralStatus(online: boolean): Uint8Array {
    const status = encodeCentralStatus({ online, at: this.o.now(), session: this.session });
    return signEnvelope("central-status", status, this.rotation.statusKey());
  }

  private publishStatus(online: boolean): void {
    void this.link
      ?.publish(CENTRAL_STATUS_TOPIC, this.centralStatus(online), { retain: true })
      .catch((err: Error) => this.log.warn({ err: err.message }, "central status not published"));
  }

  private async pumpDeltas(): Promise<void> {
    if (!this.link) return;
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const pending = this.o.state.pendingDeltas(256);
        if (pending.length === 0) break;
        // Published in order on one session (QoS 1 keeps it); marked once the broker has each.
        await Promise.all(
          pending.map(async ({ site, version, delta }) => {
            const key = this.rotation.keyFor(site);
            const envelope = signEnvelope("delta", encodeDelta(delta), key);
            await this.requireLink().publish(topics.delta(site), envelope);
            this.o.state.markDeltaPublished(site, version);
            this.stats.deltasPublished++;
          }),
        );
        this.pumpAgain = true;
      } while (this.pumpAgain);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "publishing deltas failed; retrying");
    } finally {
      this.pumping = false;
    }
  }

  private onMessage(topic: string, bytes: Buffer): void {
    let site: string;
    let kind: ReturnType<typeof parseTopic>["kind"];
    try {
      ({ site, kind } = parseTopic(topic));
    } catch {
      this.stats.refused++;
      this.security.refused("topic", null, "BAD_TOPIC", null, { topic: topic.slice(0, 200) });
      return;
    }
    // An empty retained message clears a topic: nothing to verify or act on.
    if (bytes.length === 0) return;
    const envelopeKind =
      kind === "events"
        ? "events"
        : kind === "status"
          ? "status"
          : kind === "commandResult"
            ? "command-result"
            : kind === "snapshotRequest"
              ? "snapshot-request"
              : undefined;
    if (envelopeKind === undefined) return;
    const verified = this.ingest.open(site, envelopeKind, bytes);
    if (!verified) {
      this.stats.refused++;
      return;
    }
    try {
      this.handle(site, envelopeKind, verified.payload);
    } catch (err) {
      this.stats.refused++;
      const reason = err instanceof ProtocolError ? err.code : "FAILED";
      if (err instanceof ProtocolError)
        this.security.refused(envelopeKind, site, reason, verified.keyId, {});
      else this.log.error({ topic, err: (err as Error).message }, "handling a message failed");
    }
  }

  private handle(
    site: string,
    kind: "events" | "status" | "command-result" | "snapshot-request",
    payload: Uint8Array,
  ): void {
    switch (kind) {
      case "snapshot-request": {
        const request = decodeSnapshotRequest(payload);
        this.sameSite(site, request.site);
        if (!this.o.state.siteExists(site)) {
          this.log.warn({ site }, "snapshot request for an unknown site");
          return;
        }
        this.snapshots.request(request);
        return;
      }
      case "events":
        this.storeBatch(site, payload);
        return;
      case "status":
        this.onStatus(site, decodeEdgeStatus(payload));
        return;
      case "command-result": {
        const result = decodeCommandResult(payload);
        this.sameSite(site, result.site);
        this.results.set(result.id, result);
        this.resultWaiters.get(result.id)?.(result);
        this.resultWaiters.delete(result.id);
        return;
      }
    }
  }

  /** A payload must name the site of its topic (and so of the key that signed it). */
  private sameSite(topicSite: string, payloadSite: string): void {
    if (payloadSite !== topicSite)
      throw new ProtocolError("MALFORMED", `a message for site "${payloadSite}" on "${topicSite}"`);
  }

  private onStatus(site: string, status: EdgeStatus): void {
    this.sameSite(site, status.site);
    const previous = this.statuses.get(site);
    // A last will (offline) counts for its own session; an older status never overwrites.
    const sameSession = previous !== undefined && previous.session === status.session;
    if (previous && !sameSession && status.at < previous.at) return;
    if (previous && sameSession && !status.online && previous.online && status.at < previous.at) {
      this.statuses.set(site, { ...previous, online: false });
    } else this.statuses.set(site, status);
    this.rotation.onStatus(site, status);
  }

  private storeBatch(site: string, payload: Uint8Array): void {
    const batch = decodeEventBatch(payload);
    this.sameSite(site, batch.site);
    const { added, quarantined } = this.o.events.store(
      site,
      batch.events,
      this.o.now(),
      batch.epoch,
    );
    this.stats.batches++;
    this.stats.eventsStored += added;
    this.stats.eventsQuarantined += quarantined;
    this.stats.eventsDuplicate += batch.events.length - added;
    if (quarantined > 0)
      this.log.warn(
        { site, epoch: batch.epoch, batchId: batch.batchId, quarantined },
        "events stored quarantined: not access events",
      );
    const ack = encodeEventAck({
      site,
      batchId: batch.batchId,
      epoch: batch.epoch,
      ranges: seqRanges(batch.events.map((e) => e.seq)),
    });
    void this.link
      ?.publish(topics.eventsAck(site), signEnvelope("ack", ack, this.rotation.keyFor(site)))
      .catch((err: Error) =>
        this.log.warn({ site, err: err.message }, "ack not sent; the edge will send again"),
      );
  }
}
