import {
  encodeChunk,
  encodeManifest,
  type SigningKey,
  type SnapshotRequest,
  signEnvelope,
  splitSnapshot,
  topics,
} from "@acs/protocol";
import type { Logger } from "pino";
import type { StateSource } from "./central-service.js";

export interface SnapshotSenderDeps {
  readonly state: StateSource;
  readonly log: Logger;
  readonly now: () => number;
  readonly keyFor: (site: string) => SigningKey;
  readonly publish: (topic: string, payload: Uint8Array) => Promise<void>;
  /** A snapshot was sent (for the service's figures). */
  readonly sent: () => void;
}

/** How long a compiled snapshot is sent again, unchanged, instead of compiling anew. */
const SNAPSHOT_REUSE_MS = 60_000;
/**
 * A request answered this recently is not answered again: the edge asks again with the same
 * id while it waits, and the answer is on its way.
 */
const ANSWERED_QUIET_MS = 5000;

/**
 * Answers the edges' snapshot requests: one compile per site at a time, a newer request of
 * a site replacing an older one in the queue; a request already queued, being answered or
 * answered moments ago is not answered twice; a site unchanged since its last snapshot gets
 * the same bytes again without a compile. The manifest is signed with the site's key.
 */
export class SnapshotSender {
  private readonly deps: SnapshotSenderDeps;
  private readonly queue: SnapshotRequest[] = [];
  private busy: SnapshotRequest | undefined;
  private running = false;
  private readonly answered = new Map<string, number>();
  private readonly recent = new Map<
    string,
    { split: ReturnType<typeof splitSnapshot>; version: number; at: number }
  >();

  constructor(deps: SnapshotSenderDeps) {
    this.deps = deps;
  }

  request(request: SnapshotRequest): void {
    const { site, requestId } = request;
    if (this.busy?.site === site && this.busy.requestId === requestId) return;
    const answeredAt = this.answered.get(`${site}/${requestId}`);
    if (answeredAt !== undefined && this.deps.now() - answeredAt < ANSWERED_QUIET_MS) return;
    const queued = this.queue.findIndex((r) => r.site === site);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.queue.push(request);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let request = this.queue.shift(); request; request = this.queue.shift()) {
        this.busy = request;
        await this.answer(request);
        this.answered.set(`${request.site}/${request.requestId}`, this.deps.now());
        this.busy = undefined;
      }
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, "sending a snapshot failed");
    } finally {
      this.busy = undefined;
      this.running = false;
      this.forgetOld();
    }
  }

  private async answer(request: SnapshotRequest): Promise<void> {
    const { state, now, publish, log } = this.deps;
    const started = now();
    const recent = this.recent.get(request.site);
    const unchanged =
      recent !== undefined &&
      started - recent.at < SNAPSHOT_REUSE_MS &&
      state.siteVersion?.(request.site) === recent.version;
    let split: ReturnType<typeof splitSnapshot>;
    if (unchanged) {
      // The same bytes answer the new request id: no second compile of a large site.
      split = {
        manifest: { ...recent.split.manifest, requestId: request.requestId },
        chunks: recent.split.chunks.map((c) => ({ ...c, requestId: request.requestId })),
      };
    } else {
      const compiled = state.compileSnapshot(request.site);
      split = splitSnapshot(compiled, request.requestId, now());
      this.recent.set(request.site, { split, version: compiled.version, at: started });
      // A large site's bytes are not kept longer than they may be reused.
      setTimeout(() => {
        if (this.recent.get(request.site)?.split === split) this.recent.delete(request.site);
      }, SNAPSHOT_REUSE_MS).unref();
    }
    const { manifest, chunks } = split;
    const key = this.deps.keyFor(request.site);
    await publish(
      topics.snapshotManifest(request.site),
      signEnvelope("manifest", encodeManifest(manifest), key),
    );
    await Promise.all(
      chunks.map((c) => publish(topics.snapshotChunk(request.site), encodeChunk(c))),
    );
    this.deps.sent();
    log.info(
      {
        site: request.site,
        version: manifest.version,
        chunks: chunks.length,
        reused: unchanged,
        bytes: manifest.totalBytes,
        ms: now() - started,
        reason: request.reason,
      },
      "snapshot sent",
    );
  }

  private forgetOld(): void {
    const now = this.deps.now();
    for (const [id, at] of this.answered)
      if (now - at >= ANSWERED_QUIET_MS) this.answered.delete(id);
  }
}
