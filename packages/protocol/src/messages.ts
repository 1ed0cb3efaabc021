import type { DoorMode } from "./model.js";

/**
 * The messages central and the edges exchange, as typed values. On the wire each is a
 * protobuf message (proto/acs.proto); those that carry authority (deltas, snapshot
 * manifests, commands) travel inside a signed envelope (envelope.ts).
 */

/** Describes a full snapshot: signed, so every chunk can be checked against it. */
export interface SnapshotManifest {
  readonly site: string;
  readonly version: number;
  /** Echoes the edge's request, so an edge ignores snapshots it did not ask for. */
  readonly requestId: string;
  readonly chunkCount: number;
  /** Bytes of all chunks together. */
  readonly totalBytes: number;
  /** SHA-256 over the chunks' bytes in order (the encoded SiteState). */
  readonly sha256: Uint8Array;
  /** Records per kind (persons, cards, employments, ...), for logs and checks. */
  readonly counts: Readonly<Record<string, number>>;
  /** Epoch ms when central compiled it. */
  readonly createdAt: number;
}

/** One piece of an encoded SiteState; chunks are at most CHUNK_BYTES. */
export interface SnapshotChunk {
  readonly site: string;
  readonly version: number;
  readonly requestId: string;
  readonly index: number;
  readonly data: Uint8Array;
}

/** Why an edge asks for a full state. */
export const SNAPSHOT_REASONS = ["empty", "gap", "bad-delta", "restart", "operator"] as const;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

/** Edge -> central: send me a full state (I start empty, or I saw a gap or a bad message). */
export interface SnapshotRequest {
  readonly site: string;
  readonly requestId: string;
  /** The version the edge holds (0: none). */
  readonly haveVersion: number;
  readonly reason: SnapshotReason;
}

/** One outbox event as it travels upstream; `seq` is the edge's outbox sequence. */
export interface EventRecord {
  readonly seq: number;
  readonly at: number;
  readonly type: string;
  readonly doorId: string | null;
  readonly readerId: string | null;
  /** The event's details as JSON text (kept as the edge wrote them). */
  readonly payloadJson: string;
}

export interface EventBatch {
  readonly site: string;
  /** Increases per batch sent by one edge process; the ack names it. */
  readonly batchId: number;
  /**
   * The outbox epoch of every event in the batch (a batch never spans two): made anew each
   * time accessd opens its store, so (site, epoch, seq) is never reused by a wiped,
   * restored or replaced store. 1..64 characters `[A-Za-z0-9_-]`.
   */
  readonly epoch: string;
  readonly events: readonly EventRecord[];
}

/** Central -> edge: every event of the batch is stored (now or before: stored once). */
export interface EventAck {
  readonly site: string;
  readonly batchId: number;
  /** The epoch of the events acknowledged. */
  readonly epoch: string;
  /** The events stored, as inclusive seq ranges [from, to]. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
}

export interface ReaderHealth {
  readonly bus: string;
  /** PD address on an OSDP bus; absent for a bridge board. */
  readonly address?: number;
  readonly state: string;
}

/** Edge -> retained status topic; the last will says `online: false`. */
export interface EdgeStatus {
  readonly site: string;
  readonly online: boolean;
  readonly stateVersion: number;
  readonly outboxDepth: number;
  /** The outbox is past its alarm level (a long network cut). */
  readonly outboxAlarm: boolean;
  readonly readers: readonly ReaderHealth[];
  /** Epoch ms of this status (a heartbeat refreshes it). */
  readonly at: number;
  /** The broker connection this status belongs to; the last will names the same. */
  readonly session: string;
  /** The key this edge signs with. */
  readonly edgeKeyId: string;
  /** Central's key ids the edge trusts now (a key rotation is confirmed by this). */
  readonly centralKeyIds: readonly string[];
  /** The store refuses writes (disk full, I/O error): events wait in memory. */
  readonly storeUnwritable: boolean;
  /** Events waiting in memory for the store, and dropped past the memory bound. */
  readonly eventsQueued: number;
  readonly eventsDropped: number;
  /** The outbox epoch new events get. */
  readonly outboxEpoch: string;
  /** Connected with every subscription granted. */
  readonly syncHealthy: boolean;
}

/**
 * Central -> every edge, retained on CENTRAL_STATUS_TOPIC (its last will says offline):
 * an edge waiting for a snapshot asks again the moment central comes online.
 */
export interface CentralStatus {
  readonly online: boolean;
  /** Epoch ms. */
  readonly at: number;
  /** The connection this status belongs to (the will names the same). */
  readonly session: string;
}

/** The kinds of CommandAction. */
export const COMMAND_KINDS = [
  "remote-open",
  "lockdown",
  "door-mode",
  "trust-central-key",
  "untrust-central-key",
] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export type CommandAction =
  | {
      readonly kind: "remote-open";
      readonly doorId: string;
      readonly reason: string;
      readonly operator: string;
    }
  | { readonly kind: "lockdown"; readonly on: boolean; readonly reason: string }
  | { readonly kind: "door-mode"; readonly doorId: string; readonly mode: DoorMode }
  /** Central's key rotation: trust a new key of central (SPKI PEM, Ed25519). */
  | { readonly kind: "trust-central-key"; readonly keyId: string; readonly publicKeyPem: string }
  /** Central's key rotation done: stop trusting an old key (never the last one). */
  | { readonly kind: "untrust-central-key"; readonly keyId: string };

/** Central -> edge, always signed; refused when expired or seen before. */
export interface SiteCommand {
  readonly id: string;
  readonly site: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly action: CommandAction;
}

export const COMMAND_OUTCOMES = ["done", "refused", "failed"] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

export interface CommandResult {
  readonly id: string;
  readonly site: string;
  readonly outcome: CommandOutcome;
  /** Why it was refused or failed: e.g. EXPIRED, REPLAYED, BAD_SIGNATURE, UNKNOWN_DOOR. */
  readonly reason: string | null;
  readonly at: number;
}
