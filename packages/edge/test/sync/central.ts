import type { KeyObject } from "node:crypto";
import {
  type CommandResult,
  decodeCommandResult,
  decodeEdgeStatus,
  decodeEventBatch,
  decodeSnapshotRequest,
  type EdgeStatus,
  type EventRecord,
  encodeChunk,
  encodeCommand,
  encodeDelta,
  encodeEventAck,
  encodeManifest,
  generateSigningKeyPair,
  loadPrivateKey,
  openEnvelope,
  publicKeys,
  type SigningKey,
  type SiteCommand,
  type SiteDelta,
  type SiteState,
  type SnapshotRequest,
  signEnvelope,
  splitSnapshot,
  type TrustedKeys,
  topics,
} from "@acs/protocol";
import mqtt, { type MqttClient } from "mqtt";

/** Central's signing key and the edge's trusted keys for it. */
export function signingKeys(keyId = "central-1"): {
  key: SigningKey;
  trusted: ReadonlyMap<string, KeyObject>;
} {
  const pair = generateSigningKeyPair(keyId);
  return {
    key: { keyId, privateKey: loadPrivateKey(pair.privateKeyPem) },
    trusted: publicKeys([{ keyId, publicKeyPem: pair.publicKeyPem }]),
  };
}

/**
 * The test edges' own key (every edge of these tests signs with it) and central's trust
 * in it. Made once: a key pair costs little, but every test needs the same.
 */
export const EDGE = signingKeys("edge-test-1");

export interface SnapshotAnswer {
  /** Chunk indexes to send (default all). */
  readonly chunks?: (index: number, count: number) => boolean;
  /** Send nothing at all. */
  readonly ignore?: boolean;
}

/**
 * A small central for the tests: signs and publishes deltas, manifests and commands,
 * answers snapshot requests with its current state, stores events by seq (idempotently)
 * and acknowledges them, collects command results and statuses.
 */
export class FakeCentral {
  readonly site: string;
  readonly key: SigningKey;
  private client: MqttClient;
  state: SiteState | undefined;
  readonly snapshotRequests: SnapshotRequest[] = [];
  /** Decides how each snapshot request is answered (default: all chunks). */
  answerSnapshot: (request: SnapshotRequest, n: number) => SnapshotAnswer = () => ({});
  /** Events stored, by seq. */
  readonly events = new Map<number, EventRecord>();
  /** Events received again after they were stored. */
  duplicates = 0;
  batches = 0;
  acksSent = 0;
  /** Whether (and which) batches are acknowledged. */
  ackFilter: (batchId: number, n: number) => boolean = () => true;
  readonly results: CommandResult[] = [];
  readonly statuses: EdgeStatus[] = [];
  /** Edge messages whose signature did not verify: not acted on. */
  unsigned = 0;
  private readonly edgeKeys: TrustedKeys;

  private constructor(site: string, key: SigningKey, client: MqttClient, edgeKeys: TrustedKeys) {
    this.site = site;
    this.key = key;
    this.client = client;
    this.edgeKeys = edgeKeys;
  }

  static async start(
    url: string,
    site: string,
    key: SigningKey,
    edgeKeys: TrustedKeys = EDGE.trusted,
  ): Promise<FakeCentral> {
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      clientId: `central-${site}`,
      clean: false,
      reconnectPeriod: 100,
      connectTimeout: 2000,
    });
    const central = new FakeCentral(site, key, client, edgeKeys);
    const filters = [
      topics.snapshotRequest(site),
      topics.events(site),
      topics.commandResult(site),
      topics.status(site),
    ];
    let subscribed = false;
    client.on("connect", () => {
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      client.subscribe(Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }])), (err) => {
        if (!err) subscribed = true;
      });
    });
    client.on("error", () => undefined);
    client.on("message", (topic, payload) => central.onMessage(topic, payload));
    const deadline = Date.now() + 10_000;
    while (!subscribed) {
      if (Date.now() > deadline) throw new Error("fake central did not connect");
      await new Promise((r) => setTimeout(r, 10));
    }
    return central;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  // --- central -> edge ---

  signedDelta(delta: SiteDelta, key: SigningKey = this.key): Uint8Array {
    return signEnvelope("delta", encodeDelta(delta), key);
  }

  async publishDelta(delta: SiteDelta): Promise<void> {
    await this.publish(topics.delta(this.site), this.signedDelta(delta));
  }

  signedCommand(command: SiteCommand, key: SigningKey = this.key): Uint8Array {
    return signEnvelope("command", encodeCommand(command), key);
  }

  async publishCommand(command: SiteCommand): Promise<void> {
    await this.publish(topics.command(this.site), this.signedCommand(command));
  }

  async publish(topic: string, payload: Uint8Array, retain = false): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain });
  }

  /** Sends the current state as a snapshot for `request`. */
  async sendSnapshot(request: SnapshotRequest, answer: SnapshotAnswer = {}): Promise<void> {
    if (!this.state || answer.ignore) return;
    const { manifest, chunks } = splitSnapshot(this.state, request.requestId, Date.now());
    await this.publish(
      topics.snapshotManifest(this.site),
      signEnvelope("manifest", encodeManifest(manifest), this.key),
    );
    for (const chunk of chunks) {
      if (answer.chunks && !answer.chunks(chunk.index, chunks.length)) continue;
      await this.publish(topics.snapshotChunk(this.site), encodeChunk(chunk));
    }
  }

  // --- edge -> central ---

  /** The payload of an edge's envelope of `kind`, or undefined (counted) when it does not verify. */
  private open(
    bytes: Uint8Array,
    kind: "events" | "status" | "command-result" | "snapshot-request",
  ): Uint8Array | undefined {
    try {
      return openEnvelope(bytes, kind, this.edgeKeys);
    } catch {
      this.unsigned++;
      return undefined;
    }
  }

  private onMessage(topic: string, bytes: Buffer): void {
    if (bytes.length === 0) return;
    const kind =
      topic === topics.snapshotRequest(this.site)
        ? "snapshot-request"
        : topic === topics.events(this.site)
          ? "events"
          : topic === topics.commandResult(this.site)
            ? "command-result"
            : "status";
    const payload = this.open(bytes, kind);
    if (!payload) return;
    if (topic === topics.snapshotRequest(this.site)) {
      const request = decodeSnapshotRequest(payload);
      this.snapshotRequests.push(request);
      void this.sendSnapshot(request, this.answerSnapshot(request, this.snapshotRequests.length));
    } else if (topic === topics.events(this.site)) {
      const batch = decodeEventBatch(payload);
      this.batches++;
      for (const event of batch.events) {
        if (this.events.has(event.seq)) this.duplicates++;
        else this.events.set(event.seq, event);
      }
      if (!this.ackFilter(batch.batchId, this.batches)) return;
      const seqs = batch.events.map((e) => e.seq).sort((a, b) => a - b);
      const ranges: Array<[number, number]> = [];
      for (const seq of seqs) {
        const last = ranges[ranges.length - 1];
        if (last && seq === last[1] + 1) last[1] = seq;
        else ranges.push([seq, seq]);
      }
      this.acksSent++;
      const ack = encodeEventAck({
        site: this.site,
        batchId: batch.batchId,
        epoch: batch.epoch,
        ranges,
      });
      void this.publish(topics.eventsAck(this.site), signEnvelope("ack", ack, this.key)).catch(
        () => undefined,
      );
    } else if (topic === topics.commandResult(this.site)) {
      this.results.push(decodeCommandResult(payload));
    } else if (topic === topics.status(this.site)) {
      this.statuses.push(decodeEdgeStatus(payload));
    }
  }
}
