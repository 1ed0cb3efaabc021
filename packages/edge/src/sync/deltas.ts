import {
  decodeDelta,
  MAX_MESSAGE_BYTES,
  openEnvelope,
  refusalReason,
  type SiteDelta,
  type TrustedKeys,
} from "@acs/protocol";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { StoreError } from "../store/errors.js";
import { storeFaultCode } from "../store/storage-errors.js";
import type { Store } from "../store/store.js";
import type { SecurityEvents } from "./security-events.js";

export interface DeltaOptions {
  /**
   * How long a delta beyond a gap waits for the missing ones (reordering) before a
   * snapshot is asked for (reason "gap"). Default 2000 ms.
   */
  readonly gapWaitMs?: number;
  /** More deltas than this waiting behind a gap: ask for a snapshot at once. Default 32. */
  readonly maxHeld?: number;
  /**
   * The most deltas one change (`partial: true` ... last) may span while it waits to be
   * committed whole (held in memory, up to CHUNK_BYTES each). Default 1024.
   */
  readonly maxChangeDeltas?: number;
}

export interface DeltaSequencerDeps {
  readonly site: string;
  readonly store: Store;
  /** Central's keys: what is applied must be signed by one. */
  readonly publicKeys: TrustedKeys;
  readonly clock: Clock;
  readonly log: Logger;
  readonly security: SecurityEvents;
  readonly options?: DeltaOptions;
  /** Ask central for a full snapshot. */
  readonly requestSnapshot: (reason: "gap" | "bad-delta") => void;
  /** Whether a snapshot is being received (then a gap waits for it). */
  readonly snapshotPending: () => boolean;
  /** Called with the deltas of one change, in version order, after they committed. */
  readonly applied: (deltas: readonly SiteDelta[]) => void;
}

export interface DeltaStats {
  /** Deltas committed to the store. */
  readonly applied: number;
  /** Deltas for a version the store already has (or already waiting): ignored. */
  readonly duplicates: number;
  /** Deltas refused (signature, key, size, format, site, content). */
  readonly refused: number;
  /** Deltas waiting now: behind a gap, or parts of a change not yet complete. */
  readonly held: number;
  /** Versions of the deltas waiting now. */
  readonly heldVersions: readonly number[];
}

/**
 * Puts signed deltas in version order and commits them: each change in one transaction.
 *
 * A change central split into several deltas (all but the last with `partial: true`) is
 * committed whole: its deltas wait until the last one is in, then all of them are applied
 * in one SQLite transaction (each through store.applyDelta, nested), so neither the store
 * nor the index ever holds half a change, also across a restart. The `applied` callback
 * then gets all deltas of the change at once.
 */
export class DeltaSequencer {
  private readonly deps: DeltaSequencerDeps;
  private readonly gapWaitMs: number;
  private readonly maxHeld: number;
  private readonly held = new Map<number, SiteDelta>();
  private readonly maxChangeDeltas: number;
  private gapTimer: unknown;
  /** The highest version of the contiguous run seen after the last drain. */
  private runEnd = 0;
  private appliedCount = 0;
  private duplicateCount = 0;
  private refusedCount = 0;
  /** The store refused the last commit for its own reason (disk full): the code. */
  private storeFailing: string | undefined;

  constructor(deps: DeltaSequencerDeps) {
    this.deps = deps;
    this.gapWaitMs = deps.options?.gapWaitMs ?? 2000;
    this.maxHeld = deps.options?.maxHeld ?? 32;
    this.maxChangeDeltas = deps.options?.maxChangeDeltas ?? 1024;
  }

  stats(): DeltaStats {
    return {
      applied: this.appliedCount,
      duplicates: this.duplicateCount,
      refused: this.refusedCount,
      held: this.held.size,
      heldVersions: [...this.held.keys()].sort((a, b) => a - b),
    };
  }

  stop(): void {
    this.clearGapTimer();
  }

  /** A message on the delta topic: verify, then apply in order (or wait, or refuse). */
  onMessage(bytes: Uint8Array): void {
    const delta = this.open(bytes);
    if (!delta) return;
    const stored = this.deps.store.stateVersion();
    if ((stored !== null && delta.version <= stored) || this.held.has(delta.version)) {
      this.duplicateCount++;
      this.deps.log.debug({ version: delta.version, stored }, "duplicate delta ignored");
      return;
    }
    this.held.set(delta.version, delta);
    this.drain();
  }

  /**
   * Applies whatever waiting deltas now follow the stored version (also after a snapshot)
   * and decides what to do about the rest.
   */
  drain(): void {
    const stored = this.deps.store.stateVersion();
    if (stored === null) {
      // Nothing to apply a delta to: a snapshot ("empty") is on its way.
      this.trimGapped(Number.NEGATIVE_INFINITY);
      return;
    }
    for (const version of [...this.held.keys()]) {
      if (version <= stored) {
        this.held.delete(version);
        this.duplicateCount++;
      }
    }
    let next = stored + 1;
    let change: SiteDelta[] = [];
    for (let delta = this.held.get(next); delta; delta = this.held.get(next)) {
      change.push(delta);
      next++;
      if (delta.partial === true) continue;
      if (!this.applyChange(change)) return;
      change = [];
    }
    // `change` is now the start of a change whose last delta has not come yet.
    const progressed = next - 1 > this.runEnd;
    this.runEnd = next - 1;
    if (this.held.size === 0) {
      this.storeFailing = undefined;
      this.clearGapTimer();
      return;
    }
    const gapped = this.held.size - change.length;
    if (gapped > this.maxHeld || change.length > this.maxChangeDeltas) {
      this.trimGapped(next);
      if (!this.deps.snapshotPending()) {
        this.deps.log.warn(
          { stored, held: this.held.size, incompleteChange: change.length },
          "too many deltas waiting; asking for a snapshot",
        );
        this.clearGapTimer();
        this.deps.requestSnapshot("gap");
        return;
      }
    }
    // Waits for the missing version (or the rest of a change); progress restarts the wait.
    if (progressed) this.clearGapTimer();
    this.armGapTimer();
  }

  private open(bytes: Uint8Array): SiteDelta | undefined {
    const { site, security } = this.deps;
    if (bytes.byteLength > MAX_MESSAGE_BYTES) {
      this.refusedCount++;
      security.refused("delta", "OVERSIZED", { bytes: bytes.byteLength });
      return undefined;
    }
    let delta: SiteDelta;
    try {
      delta = decodeDelta(openEnvelope(bytes, "delta", this.deps.publicKeys));
    } catch (err) {
      this.refusedCount++;
      security.refused("delta", refusalReason(err, bytes), {
        bytes: bytes.byteLength,
      });
      return undefined;
    }
    if (delta.site !== site) {
      this.refusedCount++;
      security.refused("delta", "WRONG_SITE", { site: delta.site, version: delta.version });
      return undefined;
    }
    return delta;
  }

  /** Commits one whole change; false when it could not be (and what was done about it). */
  private applyChange(change: readonly SiteDelta[]): boolean {
    const { store, site, clock, log } = this.deps;
    const options = { expectedSite: site, now: clock.wallMs() };
    try {
      store.db
        .transaction(() => {
          for (const delta of change) store.applyDelta(delta, options);
        })
        .immediate();
    } catch (err) {
      return this.applyFailed(change, err);
    }
    for (const delta of change) this.held.delete(delta.version);
    if (this.storeFailing !== undefined) {
      log.info({ code: this.storeFailing }, "the store takes deltas again");
      this.storeFailing = undefined;
    }
    this.appliedCount += change.length;
    const last = change[change.length - 1] as SiteDelta;
    log.info(
      { version: last.version, deltas: change.length },
      change.length === 1 ? "delta applied" : "change of several deltas applied",
    );
    this.deps.applied(change);
    return true;
  }

  private applyFailed(change: readonly SiteDelta[], err: unknown): boolean {
    const { log, security } = this.deps;
    const first = (change[0] as SiteDelta).version;
    const last = (change[change.length - 1] as SiteDelta).version;
    if (err instanceof StoreError && err.code !== "VERSION_NOT_NEXT") {
      // Signed by central, but not something this store can take: refuse it, drop it
      // and start over from a full snapshot.
      for (const delta of change) this.held.delete(delta.version);
      this.refusedCount += change.length;
      security.refused("delta", err.code, { version: first, lastVersion: last });
      this.clearGapTimer();
      this.deps.requestSnapshot("bad-delta");
      return false;
    }
    // I/O (disk full, busy): keep the deltas and try again when the gap timer fires; it
    // is no gap, so no snapshot is asked for (the store could not take that either).
    const code = storeFaultCode(err) ?? (err as Error).name;
    if (this.storeFailing === undefined)
      log.error(
        { err: (err as Error).message, code, version: first },
        "applying a delta failed; keeping it and trying again",
      );
    this.storeFailing = code;
    this.armGapTimer();
    return false;
  }

  /** Keeps only the newest `maxHeld` deltas waiting beyond `from` (a snapshot covers the rest). */
  private trimGapped(from: number): void {
    const gapped = [...this.held.keys()].filter((v) => v >= from).sort((a, b) => a - b);
    for (const version of gapped.slice(0, Math.max(0, gapped.length - this.maxHeld)))
      this.held.delete(version);
  }

  private armGapTimer(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = this.deps.clock.setTimeout(() => {
      this.gapTimer = undefined;
      this.onGapTimeout();
    }, this.gapWaitMs);
  }

  private clearGapTimer(): void {
    if (this.gapTimer === undefined) return;
    this.deps.clock.clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
  }

  private onGapTimeout(): void {
    const before = this.held.size;
    this.drain();
    if (this.held.size === 0) return;
    if (this.storeFailing !== undefined) return;
    if (this.deps.snapshotPending()) return;
    this.deps.log.warn(
      {
        stored: this.deps.store.stateVersion(),
        held: this.held.size,
        waitingBefore: before,
      },
      "a delta gap was not filled in time; asking for a snapshot",
    );
    this.clearGapTimer();
    this.deps.requestSnapshot("gap");
  }
}
