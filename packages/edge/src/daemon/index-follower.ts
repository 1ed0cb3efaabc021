import type { Logger } from "pino";
import type { AccessIndex, IndexHolder } from "../access-index/access-index.js";
import { IndexOverlay } from "../access-index/overlay.js";
import type { Clock } from "../clock.js";
import type { SiteDelta } from "../state/model.js";

export interface IndexFollowerOptions {
  readonly holder: IndexHolder;
  /** Builds an index from the store off the daemon's thread. */
  readonly build: () => Promise<AccessIndex>;
  readonly clock: Clock;
  readonly log: Logger;
  /** A rebuild waits this long for more deltas, so a burst costs one rebuild. */
  readonly settleMs?: number;
  /** Called after every swap (door policies follow the index). */
  readonly swapped?: (index: AccessIndex) => void;
}

/**
 * Keeps the decision index in step with the store as deltas are applied. Each delta takes
 * effect at once through the overlay (a revocation is refused at the next read); what
 * only a rebuild can take in follows from a rebuild off the daemon's thread, and the
 * deltas applied meanwhile are folded over the rebuilt index before it is swapped in.
 */
export class IndexFollower {
  private readonly o: IndexFollowerOptions;
  /** Deltas newer than the index the overlay is over, oldest first. */
  private pending: SiteDelta[] = [];
  private rebuilding = false;
  private rebuildWanted = false;
  private timer: unknown;
  private stopped = false;
  private lastRebuildEndedAt = Number.NEGATIVE_INFINITY;
  readonly stats = { deltas: 0, rebuilds: 0, lastRebuildMs: 0 };

  constructor(options: IndexFollowerOptions) {
    this.o = options;
  }

  /** A delta is in the store: folds it over the index in force, between two decisions. */
  deltaApplied(delta: SiteDelta): void {
    this.stats.deltas++;
    const current = this.o.holder.current;
    if (delta.version <= current.version) return;
    this.pending.push(delta);
    let overlay = current.overlay;
    if (!overlay) {
      overlay = new IndexOverlay();
      this.o.holder.swap({ ...current, overlay });
    }
    if (overlay.apply(delta, current)) this.requestRebuild();
  }

  /** A full state replaced the store: only a rebuild can follow it. */
  snapshotApplied(): void {
    this.pending = [];
    this.requestRebuild(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * A rebuild after a quiet spell starts at once (a single grant reaches the doors without
   * waiting); one wanted soon after the last waits `settleMs`, so a burst costs one more.
   */
  private requestRebuild(delayMs = this.settleDelay()): void {
    this.rebuildWanted = true;
    if (this.rebuilding || this.timer !== undefined || this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      void this.rebuild();
    }, delayMs);
  }

  private settleDelay(): number {
    const settle = this.o.settleMs ?? 100;
    return this.o.clock.now() - this.lastRebuildEndedAt >= settle ? 0 : settle;
  }

  private async rebuild(): Promise<void> {
    if (this.stopped) return;
    this.rebuilding = true;
    this.rebuildWanted = false;
    const started = this.o.clock.now();
    try {
      const next = await this.o.build();
      if (this.stopped) return;
      this.pending = this.pending.filter((d) => d.version > next.version);
      let index = next;
      if (this.pending.length > 0) {
        const overlay = new IndexOverlay();
        for (const delta of this.pending) overlay.apply(delta, next);
        index = { ...next, overlay };
      }
      this.o.holder.swap(index);
      this.stats.rebuilds++;
      this.stats.lastRebuildMs = Math.round(this.o.clock.now() - started);
      this.o.swapped?.(index);
      this.o.log.info(
        {
          stateVersion: next.version,
          overlaid: this.pending.length,
          buildMs: this.stats.lastRebuildMs,
        },
        "decision index rebuilt",
      );
    } catch (err) {
      this.o.log.error(
        { err: (err as Error).message },
        "rebuilding the decision index failed; deciding on the current one",
      );
      this.rebuildWanted = true;
    } finally {
      this.rebuilding = false;
      this.lastRebuildEndedAt = this.o.clock.now();
      if (this.rebuildWanted && !this.stopped) this.requestRebuild();
    }
  }
}
