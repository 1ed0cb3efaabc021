import { randomUUID } from "node:crypto";
import {
  type CommandAction,
  type CommandResult,
  centralSubscriptions,
  decodeCommandResult,
  decodeEdgeStatus,
  decodeEventBatch,
  decodeSnapshotRequest,
  type EdgeStatus,
  encodeChunk,
  encodeCommand,
  encodeDelta,
  encodeEventAck,
  encodeManifest,
  ProtocolError,
  parseTopic,
  type SigningKey,
  type SiteCommand,
  type SiteDelta,
  type SiteState,
  type SnapshotRequest,
  signEnvelope,
  splitSnapshot,
  topics,
} from "@acs/protocol";
import type { Logger } from "pino";
import { type EventStore, seqRanges } from "./event-store.js";
import { type MqttCredentials, MqttLink } from "./mqtt-link.js";

/** What the service needs of central's state: compiled snapshots and the delta outbox. */
export interface StateSource {
  siteExists(site: string): boolean;
  /** The site's current version (a snapshot of it may be sent again while unchanged). */
  siteVersion?(site: string): number | undefined;
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
  readonly signingKey: SigningKey;
  readonly state: StateSource;
  readonly events: EventStore;
  /** How often the delta outbox is looked at when nobody says a commit happened. */
  readonly deltaPollMs?: number;
  /**
   * "all" (the service) or "results" (a tool that only sends commands): a tool must never
   * take edge events, or it would acknowledge what central has not stored.
   */
  readonly subscriptions?: "all" | "results";
}

/** How long a compiled snapshot is sent again, unchanged, instead of compiling anew. */
const SNAPSHOT_REUSE_MS = 60_000;

/**
 * Central's side of the broker: publishes each committed delta (signed) to its site, answers
 * snapshot requests with a signed manifest and chunks, stores every edge event once and
 * acknowledges it, keeps the edges' status, and sends signed commands.
 */
export class CentralService {
  private readonly o: CentralServiceOptions;
  private readonly log: Logger;
  private link: MqttLink | undefined;
  private pumping = false;
  private pumpAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly snapshotQueue: SnapshotRequest[] = [];
  private snapshotting = false;
  /** The last snapshot of each site, kept a while: a repeated request costs no compile. */
  private readonly recentSnapshots = new Map<
    string,
    { split: ReturnType<typeof splitSnapshot>; version: number; at: number }
  >();
  readonly statuses = new Map<string, EdgeStatus>();
  private readonly resultWaiters = new Map<string, (result: CommandResult) => void>();
  readonly results = new Map<string, CommandResult>();
  readonly stats = {
    deltasPublished: 0,
    snapshotsSent: 0,
    batches: 0,
    eventsStored: 0,
    eventsDuplicate: 0,
    refused: 0,
  };

  constructor(options: CentralServiceOptions) {
    this.o = options;
    this.log = options.log.child({ module: "central-service" });
  }

  async start(): Promise<void> {
    this.link = new MqttLink({
      url: this.o.mqttUrl,
      clientId: this.o.clientId ?? "central",
      // A tool's session would only gather every site's results while nobody listens.
      persistent: this.o.subscriptions !== "results",
      ...(this.o.mqtt ? { credentials: this.o.mqtt } : {}),
      log: this.log,
      subscriptions:
        this.o.subscriptions === "results"
          ? centralSubscriptions.filter((t) => t.endsWith("/commands/result"))
          : centralSubscriptions,
      onMessage: (topic, payload) => this.onMessage(topic, payload),
    });
    try {
      await this.link.ready();
    } catch (error) {
      // Not left reconnecting behind the caller's back (a CLI would never exit).
      await this.stop();
      throw error;
    }
    if (this.o.subscriptions === "results") return;
    this.pollTimer = setInterval(() => this.deltasCommitted(), this.o.deltaPollMs ?? 25);
    this.deltasCommitted();
  }

  async stop(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.link?.close();
    this.link = undefined;
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
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<{ command: SiteCommand; result: CommandResult | undefined }> {
    const issuedAt = this.o.now();
    const command: SiteCommand = {
      id: randomUUID(),
      site,
      issuedAt,
      expiresAt: issuedAt + (options.ttlMs ?? 60_000),
      action,
    };
    const result = new Promise<CommandResult | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.resultWaiters.delete(command.id);
        resolve(undefined);
      }, options.waitMs ?? 10_000);
      this.resultWaiters.set(command.id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    await this.publishCommand(command);
    this.log.info({ site, command: command.id, action: action.kind }, "command sent");
    return { command, result: await result };
  }

  /** Publishes an already signed command as is (used to show that a replay is refused). */
  async publishRaw(topic: string, bytes: Uint8Array): Promise<void> {
    await this.requireLink().publish(topic, bytes);
  }

  async publishCommand(command: SiteCommand): Promise<Uint8Array> {
    const envelope = signEnvelope("command", encodeCommand(command), this.o.signingKey);
    await this.requireLink().publish(topics.command(command.site), envelope);
    return envelope;
  }

  private requireLink(): MqttLink {
    if (!this.link) throw new Error("the central service is not started");
    return this.link;
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
            const envelope = signEnvelope("delta", encodeDelta(delta), this.o.signingKey);
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

  private onMessage(topic: string, payload: Buffer): void {
    try {
      const { site, kind } = parseTopic(topic);
      switch (kind) {
        case "snapshotRequest":
          this.snapshotRequested(site, decodeSnapshotRequest(payload));
          return;
        case "events":
          this.ingest(site, payload);
          return;
        case "status":
          if (payload.length === 0) return;
          this.statuses.set(site, decodeEdgeStatus(payload));
          return;
        case "commandResult": {
          const result = decodeCommandResult(payload);
          this.results.set(result.id, result);
          this.resultWaiters.get(result.id)?.(result);
          this.resultWaiters.delete(result.id);
          return;
        }
        default:
          return;
      }
    } catch (err) {
      this.stats.refused++;
      if (!(err instanceof ProtocolError)) {
        this.log.error({ topic, err: (err as Error).message }, "handling a message failed");
        return;
      }
      this.log.warn({ topic, code: err.code, err: err.message }, "message refused");
    }
  }

  private ingest(site: string, payload: Buffer): void {
    const batch = decodeEventBatch(payload);
    if (batch.site !== site) throw new ProtocolError("MALFORMED", "a batch for another site");
    const added = this.o.events.store(site, batch.events, this.o.now());
    this.stats.batches++;
    this.stats.eventsStored += added;
    this.stats.eventsDuplicate += batch.events.length - added;
    const ack = encodeEventAck({
      site,
      batchId: batch.batchId,
      ranges: seqRanges(batch.events.map((e) => e.seq)),
    });
    void this.link
      ?.publish(topics.eventsAck(site), ack)
      .catch((err: Error) =>
        this.log.warn({ site, err: err.message }, "ack not sent; the edge will send again"),
      );
  }

  private snapshotRequested(site: string, request: SnapshotRequest): void {
    if (request.site !== site || !this.o.state.siteExists(site)) {
      this.log.warn({ site }, "snapshot request for an unknown site");
      return;
    }
    // One compile per site at a time; a newer request of the same site replaces an older one.
    const queued = this.snapshotQueue.findIndex((r) => r.site === site);
    if (queued >= 0) this.snapshotQueue.splice(queued, 1);
    this.snapshotQueue.push(request);
    if (!this.snapshotting) void this.sendSnapshots();
  }

  private async sendSnapshots(): Promise<void> {
    this.snapshotting = true;
    try {
      for (
        let request = this.snapshotQueue.shift();
        request;
        request = this.snapshotQueue.shift()
      ) {
        const started = this.o.now();
        const recent = this.recentSnapshots.get(request.site);
        const unchanged =
          recent !== undefined &&
          started - recent.at < SNAPSHOT_REUSE_MS &&
          this.o.state.siteVersion?.(request.site) === recent.version;
        let split: ReturnType<typeof splitSnapshot>;
        if (unchanged) {
          // The same bytes answer the new request id: no second compile of a large site.
          split = {
            manifest: { ...recent.split.manifest, requestId: request.requestId },
            chunks: recent.split.chunks.map((c) => ({ ...c, requestId: request.requestId })),
          };
        } else {
          const state = this.o.state.compileSnapshot(request.site);
          split = splitSnapshot(state, request.requestId, this.o.now());
          this.recentSnapshots.set(request.site, { split, version: state.version, at: started });
          // A large site's bytes are not kept longer than they may be reused.
          setTimeout(() => {
            if (this.recentSnapshots.get(request.site)?.split === split)
              this.recentSnapshots.delete(request.site);
          }, SNAPSHOT_REUSE_MS).unref();
        }
        const { manifest, chunks } = split;
        const link = this.requireLink();
        await link.publish(
          topics.snapshotManifest(request.site),
          signEnvelope("manifest", encodeManifest(manifest), this.o.signingKey),
        );
        await Promise.all(
          chunks.map((c) => link.publish(topics.snapshotChunk(request.site), encodeChunk(c))),
        );
        this.stats.snapshotsSent++;
        this.log.info(
          {
            site: request.site,
            version: manifest.version,
            chunks: chunks.length,
            reused: unchanged,
            bytes: manifest.totalBytes,
            ms: this.o.now() - started,
            reason: request.reason,
          },
          "snapshot sent",
        );
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "sending a snapshot failed");
    } finally {
      this.snapshotting = false;
    }
  }
}
