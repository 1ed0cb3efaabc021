import { statSync } from "node:fs";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";

export interface WalGuardOptions {
  /** The store's database file; its WAL is `${path}-wal`. */
  readonly path: string;
  readonly limitBytes: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** Asks for a checkpoint now (the checkpointer empties a WAL over its limit). */
  readonly checkpointNow: () => void;
  /** The longest the backlog waits for a checkpoint before it is written anyway. Default 10 s. */
  readonly maxHoldMs?: number;
}

/**
 * Paces the writing of a backlog (events held while the store was unwritable) by the WAL:
 * written all at once, 200,000 held events would grow the WAL by tens of megabytes before
 * the next checkpoint, and on the disk that just filled up that is the next outage. While
 * the WAL is over its limit the backlog waits for a checkpoint; if none brings it down in
 * `maxHoldMs` (a reader in the way), the backlog goes on: it is never held for good.
 */
export class WalGuard {
  private readonly o: WalGuardOptions;
  private readonly walPath: string;
  private heldSince: number | undefined;
  private loggedGiveUp = false;

  constructor(options: WalGuardOptions) {
    this.o = options;
    this.walPath = `${options.path}-wal`;
  }

  /** The WAL's size now (0 when there is none). */
  walBytes(): number {
    try {
      return statSync(this.walPath).size;
    } catch {
      return 0;
    }
  }

  /** True while the backlog should wait for a checkpoint. */
  holdBacklog(): boolean {
    if (this.walBytes() <= this.o.limitBytes) {
      this.heldSince = undefined;
      this.loggedGiveUp = false;
      return false;
    }
    const now = this.o.clock.now();
    this.heldSince ??= now;
    if (now - this.heldSince >= (this.o.maxHoldMs ?? 10_000)) {
      if (!this.loggedGiveUp) {
        this.loggedGiveUp = true;
        this.o.log.warn(
          { walBytes: this.walBytes(), limitBytes: this.o.limitBytes },
          "the WAL stays over its limit; writing the held events anyway",
        );
      }
      return false;
    }
    this.o.checkpointNow();
    return true;
  }
}
