import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { NewOutboxEvent } from "./outbox.js";

/** Where events are written: the store (Store.appendEvents: all in one transaction). */
export interface EventSink {
  appendEvents(events: readonly NewOutboxEvent[]): number[];
}

/**
 * What became of recorded events: in the outbox, waiting in memory for the store,
 * dropped (the memory queue was full; counted and recorded later), or rejected (the event
 * itself cannot be stored, e.g. a payload JSON cannot express).
 */
export type RecordOutcome = "stored" | "queued" | "dropped" | "rejected";

/** What every event producer needs: record() never throws. */
export interface EventRecorder {
  record(events: readonly NewOutboxEvent[]): RecordOutcome;
}

export interface EventJournalOptions {
  /** Events held in memory at most while the store takes no writes. Default 200,000. */
  readonly maxQueuedEvents?: number;
  /** First retry after a failed write; doubles per failed retry. Default 500 ms. */
  readonly retryMs?: number;
  /** The longest wait between retries. Default 5 s. */
  readonly maxRetryMs?: number;
  /** Queued events written per transaction. Default 2000. */
  readonly chunkEvents?: number;
  /** The longest the queue is written in one turn of the event loop. Default 20 ms. */
  readonly sliceMs?: number;
  /** A new event tries the store again at most this often (besides the timer). Default 100 ms. */
  readonly probeGapMs?: number;
}

export interface EventJournalDeps {
  /** The store now; undefined while it is not open (counts as unwritable). */
  readonly sink: () => EventSink | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly options?: EventJournalOptions;
  /** A write failed for the store's reason (code: SQLITE_FULL, ...): e.g. checkpoint now. */
  readonly writeFailed?: (code: string) => void;
  /** True while the backlog should wait (the store's WAL is over its limit). */
  readonly holdBacklog?: () => boolean;
  /** An outage began or ended. */
  readonly changed?: (health: StoreHealth) => void;
}

/** The journal's state, for the status and tools. */
export interface StoreHealth {
  /** The last write to the store worked. */
  readonly writable: boolean;
  /** Events waiting in memory for the store. */
  readonly queued: number;
  /** Events dropped because the memory queue was full (since start). */
  readonly dropped: number;
  /** Events the store refused for themselves (since start). */
  readonly rejected: number;
  /** Wall-clock ms when the current outage began; null while there is none. */
  readonly since: number | null;
  /** The error code of the current outage; null while there is none. */
  readonly code: string | null;
}
