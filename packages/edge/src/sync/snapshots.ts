import { randomUUID } from "node:crypto";
import {
  CHUNK_BYTES,
  decodeChunk,
  decodeManifest,
  decodeSnapshotBytes,
  encodeManifest,
  encodeSnapshotRequest,
  MAX_MESSAGE_BYTES,
  openEnvelope,
  ProtocolError,
  refusalReason,
  type SiteState,
  type SnapshotChunk,
  type SnapshotManifest,
  type SnapshotRequest,
  type TrustedKeys,
  topics,
} from "@acs/protocol";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { StoreError } from "../store/errors.js";
import type { StagedSnapshot } from "../store/snapshot-staging.js";
import type { Store } from "../store/store.js";
import { Backoff } from "./backoff.js";
import type { EdgeSigner } from "./edge-signer.js";
import type { Link } from "./link.js";
import type { SecurityEvents } from "./security-events.js";

export type SnapshotReason = SnapshotRequest["reason"];

export interface SnapshotOptions {
  /**
   * No manifest or chunk for this long: ask again (the same request; chunks already staged
   * for the same version and hash are kept). Doubles per try up to `maxRetryMs`. Default
   * 2 s: central answers a request it is still compiling only once, so asking again costs
   * a large site nothing, and an edge that asked before central was up has its state
   * moments after central is.
   */
  readonly retryMs?: number;
  /** Default 30 s. */
  readonly maxRetryMs?: number;
  /** Chunks of the pending request kept in memory until its manifest arrives. Default 64. */
  readonly maxEarlyChunks?: number;
}

export interface SnapshotReceiverDeps {
  readonly site: string;
  readonly store: Store;
  /** Central's keys: what is applied must be signed by one. */
  readonly publicKeys: TrustedKeys;
  readonly clock: Clock;
  readonly log: Logger;
  readonly security: SecurityEvents;
  readonly link: Link;
  readonly signer: EdgeSigner;
  readonly options?: SnapshotOptions;
  /**
   * The pending snapshot is done with: `version` when a full state was committed (then:
   * swap the index, apply waiting deltas), null when it turned out not to be needed (the
   * store caught up by deltas meanwhile).
   */
  readonly finished: (version: number | null) => void;
}

export interface SnapshotStats {
  readonly requested: number;
  readonly applied: number;
  /** Manifests or chunks refused (signature, hash, format, site). */
  readonly refused: number;
  /** Manifests or chunks of another request, or of no request: ignored. */
  readonly ignored: number;
  /** The snapshot being received, or null. */
  readonly pending: {
    readonly requestId: string;
    readonly reason: string;
    readonly version: number | null;
    readonly chunksHeld: number;
    readonly chunkCount: number | null;
  } | null;
}

interface ManifestKey {
  readonly version: number;
  readonly sha256: Uint8Array;
}

function sameKey(a: ManifestKey, b: ManifestKey): boolean {
  return a.version === b.version && Buffer.from(a.sha256).equals(Buffer.from(b.sha256));
}

/**
 * Asks for full snapshots and receives them: the signed manifest of the request it made,
 * then the chunks, each committed to the staging table as it comes (so a restart goes on
 * from what arrived), then the hash check, decode and one-transaction apply.
 */
export class SnapshotReceiver {
  private readonly deps: SnapshotReceiverDeps;
  private readonly retry: Backoff;
  private readonly maxEarlyChunks: number;
  private staged: StagedSnapshot | undefined;
  private manifest: SnapshotManifest | undefined;
  /** Request ids whose (verified) manifest named the staged (version, sha256). */
  private readonly answered = new Map<string, ManifestKey>();
  private earlyChunks: SnapshotChunk[] = [];
  /**
   * Every request id sent for the snapshot now pending: central may answer an earlier one
   * after a re-request (a large site takes longer to compile than the stall timer), and
   * that answer is as good as any.
   */
  private readonly sentIds = new Set<string>();
  /** Chunks of the staged manifest in the staging table. */
  private heldCount = 0;
  private retryTimer: unknown;
  private storeFailing = false;
  private ready = false;
  private requestedCount = 0;
  private appliedCount = 0;
  private refusedCount = 0;
  private ignoredCount = 0;

  constructor(deps: SnapshotReceiverDeps) {
    this.deps = deps;
    this.retry = new Backoff(deps.options?.retryMs ?? 2000, deps.options?.maxRetryMs ?? 30_000);
    this.maxEarlyChunks = deps.options?.maxEarlyChunks ?? 64;
  }

  /**
   * At process start: goes on with a snapshot staged before a restart (asking again,
   * reason "restart"), or asks for one when the store is empty ("empty").
   */
  start(): void {
    const { store, log } = this.deps;
    this.staged = store.snapshotStaging.current();
    if (this.staged) {
      if (this.staged.manifest) {
        try {
          this.manifest = decodeManifest(this.staged.manifest.encoded);
          this.heldCount = this.chunksHeld();
        } catch {
          store.snapshotStaging.clear();
          this.staged = undefined;
        }
      }
    }
    if (this.staged) {
      log.info(
        {
          requestId: this.staged.requestId,
          version: this.staged.manifest?.version ?? null,
          chunksHeld: this.chunksHeld(),
        },
        "a snapshot was being received before the restart; asking again",
      );
      this.send("restart");
    } else if (store.stateVersion() === null) {
      this.request("empty");
    }
  }

  stop(): void {
    this.ready = false;
    this.clearRetry();
  }

  pending(): boolean {
    return this.staged !== undefined;
  }

  stats(): SnapshotStats {
    const staged = this.staged;
    return {
      requested: this.requestedCount,
      applied: this.appliedCount,
      refused: this.refusedCount,
      ignored: this.ignoredCount,
      pending: staged
        ? {
            requestId: staged.requestId,
            reason: staged.reason,
            version: this.manifest?.version ?? null,
            chunksHeld: this.manifest ? this.heldCount : 0,
            chunkCount: this.manifest?.chunkCount ?? null,
          }
        : null,
    };
  }

  /** The manifest and chunk topics hold: send the pending request (again). */
  onReady(): void {
    this.ready = true;
    if (this.staged) this.send(this.staged.reason as SnapshotReason);
  }

  /**
   * Central came online (its status): a request made while it was away may never have
   * reached it, so the pending one goes again now rather than at its next retry.
   */
  onCentralOnline(): void {
    if (!this.staged || !this.ready || this.manifest) return;
    this.deps.log.info({ requestId: this.staged.requestId }, "central is online; asking again");
    this.clearRetry();
    this.retry.reset();
    this.send(this.staged.reason as SnapshotReason);
  }

  onDown(): void {
    this.ready = false;
    this.clearRetry();
  }

  /**
   * Asks for a full snapshot. While one is pending and was asked for recently, nothing
   * more is sent (its retry timer asks again when it stalls).
   */
  request(reason: SnapshotReason): void {
    if (this.staged && this.retryTimer !== undefined) return;
    this.send(this.staged ? (this.staged.reason as SnapshotReason) : reason);
  }

  /**
   * Publishes the pending request (a new one, with a new id, when none is pending), signed;
   * staged chunks are kept.
   */
  private send(reason: SnapshotReason): void {
    const { store, site, clock, link, log } = this.deps;
    const pending = this.staged;
    const requestId = pending?.requestId ?? randomUUID();
    const haveVersion = store.stateVersion() ?? 0;
    try {
      store.snapshotStaging.request(requestId, reason, haveVersion, clock.wallMs());
      this.staged = store.snapshotStaging.current();
    } catch (err) {
      // The store takes no writes (disk full): no chunk could be staged either. Asked
      // again when the next reason comes (a gap, the retry timer of a staged snapshot).
      this.storeRefused(err, "asking for a snapshot");
      return;
    }
    if (!pending) this.earlyChunks = [];
    if (!this.ready || !link.connected) {
      log.info({ reason, haveVersion }, "snapshot needed; asking once connected");
      return;
    }
    this.sentIds.add(requestId);
    const message: SnapshotRequest = { site, requestId, haveVersion, reason };
    const signed = this.deps.signer.sign("snapshot-request", encodeSnapshotRequest(message));
    link.publish(topics.snapshotRequest(site), signed, { qos: 1 });
    this.requestedCount++;
    log.info({ requestId, reason, haveVersion }, "snapshot requested");
    this.armRetry();
  }

  /** A message on the manifest topic. */
  onManifest(bytes: Uint8Array): void {
    const { site, log } = this.deps;
    if (bytes.byteLength > MAX_MESSAGE_BYTES) {
      this.refuse("manifest", "OVERSIZED", { bytes: bytes.byteLength });
      return;
    }
    let manifest: SnapshotManifest;
    try {
      manifest = decodeManifest(openEnvelope(bytes, "manifest", this.deps.publicKeys));
    } catch (err) {
      this.refuse("manifest", refusalReason(err, bytes), {
        bytes: bytes.byteLength,
      });
      return;
    }
    if (manifest.site !== site) {
      this.refuse("manifest", "WRONG_SITE", { site: manifest.site, version: manifest.version });
      return;
    }
    const staged = this.staged;
    if (
      !staged ||
      !(manifest.requestId === staged.requestId || this.sentIds.has(manifest.requestId))
    ) {
      // Signed, but for a request this edge no longer waits for (or never made).
      this.ignoredCount++;
      log.debug({ requestId: manifest.requestId }, "manifest of another request ignored");
      return;
    }
    if (
      !Number.isSafeInteger(manifest.chunkCount) ||
      manifest.chunkCount < 1 ||
      manifest.sha256.byteLength !== 32 ||
      manifest.totalBytes > manifest.chunkCount * CHUNK_BYTES
    ) {
      this.refuse("manifest", "MALFORMED", {
        version: manifest.version,
        chunkCount: manifest.chunkCount,
      });
      return;
    }
    const stored = this.deps.store.stateVersion();
    if (stored !== null && manifest.version <= stored) {
      log.info(
        { version: manifest.version, stored },
        "the snapshot is not newer than the stored state; nothing to do",
      );
      this.finish();
      return;
    }
    const key = { version: manifest.version, sha256: manifest.sha256 };
    const previous = this.manifest;
    this.deps.store.snapshotStaging.setManifest({
      ...key,
      chunkCount: manifest.chunkCount,
      encoded: encodeManifest(manifest),
    });
    if (previous && !sameKey(previous, key)) this.answered.clear();
    this.manifest = manifest;
    this.heldCount = this.deps.store.snapshotStaging.chunksHeld(key.version, key.sha256);
    this.staged = this.deps.store.snapshotStaging.current();
    this.answered.set(manifest.requestId, key);
    log.info(
      {
        requestId: manifest.requestId,
        version: manifest.version,
        chunkCount: manifest.chunkCount,
        totalBytes: manifest.totalBytes,
        chunksHeld: this.chunksHeld(),
      },
      "snapshot manifest accepted",
    );
    this.progress();
    const early = this.earlyChunks;
    this.earlyChunks = [];
    for (const chunk of early) this.stage(chunk);
    this.tryComplete();
  }

  /** A message on the chunk topic (not signed: checked against the signed manifest). */
  onChunk(bytes: Uint8Array): void {
    if (!this.staged) {
      this.ignoredCount++;
      return;
    }
    if (bytes.byteLength > MAX_MESSAGE_BYTES) {
      this.refuse("chunk", "OVERSIZED", { bytes: bytes.byteLength });
      return;
    }
    let chunk: SnapshotChunk;
    try {
      chunk = decodeChunk(bytes);
    } catch (err) {
      this.refuse("chunk", err instanceof ProtocolError ? err.code : "MALFORMED", {
        bytes: bytes.byteLength,
      });
      return;
    }
    if (chunk.site !== this.deps.site) {
      this.refuse("chunk", "WRONG_SITE", { site: chunk.site, version: chunk.version });
      return;
    }
    if (
      !this.manifest &&
      (chunk.requestId === this.staged.requestId || this.sentIds.has(chunk.requestId))
    ) {
      // Came before its manifest: keep it in memory until the manifest says what it is.
      if (this.earlyChunks.length < this.maxEarlyChunks) this.earlyChunks.push(chunk);
      return;
    }
    if (this.stage(chunk)) this.tryComplete();
  }

  /** Stages one chunk of the staged manifest; true when it was new. */
  private stage(chunk: SnapshotChunk): boolean {
    const manifest = this.manifest;
    const key = this.answered.get(chunk.requestId);
    if (!manifest || !key || !sameKey(key, manifest) || chunk.version !== manifest.version) {
      this.ignoredCount++;
      return false;
    }
    if (
      !Number.isSafeInteger(chunk.index) ||
      chunk.index < 0 ||
      chunk.index >= manifest.chunkCount ||
      chunk.data.byteLength > CHUNK_BYTES
    ) {
      this.refuse("chunk", "MALFORMED", { version: chunk.version, index: chunk.index });
      return false;
    }
    let added: boolean;
    try {
      added = this.deps.store.snapshotStaging.putChunk(
        manifest.version,
        manifest.sha256,
        chunk.index,
        chunk.data,
      );
    } catch (err) {
      // Lost for now; the stall timer asks for the snapshot again.
      this.storeRefused(err, "staging a snapshot chunk");
      this.armRetry();
      return false;
    }
    if (added) {
      this.heldCount++;
      this.progress();
    }
    return added;
  }

  private tryComplete(): void {
    const manifest = this.manifest;
    if (!manifest) return;
    const { store, site, clock, log } = this.deps;
    if (this.heldCount < manifest.chunkCount) return;
    const bytes = store.snapshotStaging.assemble(manifest.version, manifest.sha256);
    let state: SiteState;
    try {
      // Length and SHA-256 against the signed manifest, then decode and check the state
      // is the manifest's (site, version, counts).
      state = decodeSnapshotBytes(manifest, bytes);
    } catch (err) {
      this.refuse("snapshot", err instanceof ProtocolError ? err.code : "MALFORMED", {
        version: manifest.version,
      });
      this.discardChunksAndAskAgain(manifest);
      return;
    }
    if (state.site !== site) {
      this.refuse("snapshot", "WRONG_SITE", { site: state.site, version: state.version });
      this.discardChunksAndAskAgain(manifest);
      return;
    }
    try {
      store.db
        .transaction(() => {
          store.applyFullState(state, { expectedSite: site, now: clock.wallMs() });
          store.snapshotStaging.clear();
        })
        .immediate();
    } catch (err) {
      if (err instanceof StoreError && err.code === "VERSION_NOT_NEWER") {
        log.info({ version: state.version }, "snapshot not newer than the stored state; dropped");
        this.finish();
        return;
      }
      if (err instanceof StoreError) {
        this.refuse("snapshot", err.code, { version: state.version });
        this.discardChunksAndAskAgain(manifest);
        return;
      }
      // I/O: keep the staged chunks; the retry timer tries again.
      log.error({ err: (err as Error).message }, "applying the snapshot failed; will retry");
      this.armRetry();
      return;
    }
    this.appliedCount++;
    this.storeFailing = false;
    this.reset();
    log.info({ version: state.version }, "snapshot applied");
    this.deps.finished(state.version);
  }

  private discardChunksAndAskAgain(manifest: SnapshotManifest): void {
    this.deps.store.snapshotStaging.dropChunks(manifest.version, manifest.sha256);
    this.manifest = undefined;
    this.heldCount = 0;
    this.answered.clear();
    const staged = this.deps.store.snapshotStaging.current();
    if (staged) {
      // A new id: central answers a fresh request with a fresh compile.
      const { store, clock } = this.deps;
      store.snapshotStaging.request(
        randomUUID(),
        staged.reason,
        staged.haveVersion,
        clock.wallMs(),
      );
    }
    this.staged = this.deps.store.snapshotStaging.current();
    this.clearRetry();
    // Not at once: the same bad snapshot would come again in a tight loop.
    this.armRetry();
  }

  /** The pending snapshot is no longer needed. */
  private finish(): void {
    this.deps.store.snapshotStaging.clear();
    this.reset();
    this.deps.finished(null);
  }

  private reset(): void {
    this.staged = undefined;
    this.manifest = undefined;
    this.heldCount = 0;
    this.answered.clear();
    this.sentIds.clear();
    this.earlyChunks = [];
    this.clearRetry();
    this.retry.reset();
  }

  private chunksHeld(): number {
    const manifest = this.staged?.manifest;
    return manifest
      ? this.deps.store.snapshotStaging.chunksHeld(manifest.version, manifest.sha256)
      : 0;
  }

  private refuse(
    message: "manifest" | "chunk" | "snapshot",
    reason: string,
    detail: Record<string, string | number | null>,
  ): void {
    this.refusedCount++;
    this.deps.security.refused(message, reason, detail);
  }

  /** Something arrived: the stall timer starts over from its first step. */
  private progress(): void {
    this.retry.reset();
    this.clearRetry();
    this.armRetry();
  }

  private armRetry(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.staged || !this.ready) return;
      // Every chunk is here and the apply failed (I/O): apply again, not ask again (the
      // chunks would come as duplicates, and nothing would apply them).
      if (this.manifest && this.heldCount >= this.manifest.chunkCount) {
        this.tryComplete();
        return;
      }
      this.deps.log.warn(
        {
          requestId: this.staged.requestId,
          version: this.manifest?.version ?? null,
          chunksHeld: this.chunksHeld(),
          chunkCount: this.manifest?.chunkCount ?? null,
          missing: this.manifest
            ? this.deps.store.snapshotStaging
                .missing(this.manifest.version, this.manifest.sha256, this.manifest.chunkCount)
                .slice(0, 20)
            : null,
        },
        "snapshot stalled; asking again",
      );
      this.send(this.staged.reason as SnapshotReason);
    }, this.retry.next());
  }

  /** Logs a write the store refused, once until one works again. */
  private storeRefused(err: unknown, what: string): void {
    if (this.storeFailing) return;
    this.storeFailing = true;
    this.deps.log.error(
      { err: (err as Error).message, what },
      "the store refused a snapshot write",
    );
  }

  private clearRetry(): void {
    if (this.retryTimer === undefined) return;
    this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
