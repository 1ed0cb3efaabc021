import Database from "better-sqlite3";
import { type Logger, pino } from "pino";
import type { FingerprintEnrollment, SiteDelta, SiteState } from "../state/model.js";
import { CentralKeyTable } from "./central-key-table.js";
import { type DeltaResult, DeltaWriter } from "./delta-writer.js";
import { Enrollments } from "./enrollments.js";
import {
  type ApplyOptions,
  type FullApplyOptions,
  type FullApplyResult,
  FullStateWriter,
} from "./full-state-writer.js";
import { Meta } from "./meta.js";
import { migrate } from "./migrations.js";
import { type NewOutboxEvent, Outbox, type OutboxEvent, type OutboxQuery } from "./outbox.js";
import { SeenCommands } from "./seen-commands.js";
import { SnapshotStaging } from "./snapshot-staging.js";
import { StateReader } from "./state-reader.js";

export interface StoreOptions {
  readonly log?: Logger;
}

/**
 * Opens (creating if needed) the edge's SQLite store and brings its schema up to date.
 * Throws SchemaTooNewError, with the file left untouched, for a database of newer code.
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  const log = (options.log ?? pino({ level: "silent" })).child({ module: "store" });
  const db = new Database(path);
  try {
    // WAL + synchronous=NORMAL: a commit is in the WAL file before it returns, so it
    // survives the process being killed (which is what the outbox must survive); only a
    // power cut can lose the last commits, and it never corrupts the file. FULL would
    // fsync on every commit: one per event.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    // Central is the source of referential integrity; a state it sends is taken as is,
    // and local data (enrollments, outbox) must outlive the records it refers to.
    db.pragma("foreign_keys = OFF");
    // Keep the WAL from staying at the size of the last full state once checkpointed.
    db.pragma("journal_size_limit = 67108864");
    // A second process (the CLI next to accessd) waits for a writer instead of failing.
    db.pragma("busy_timeout = 5000");
    migrate(db, path, log);
  } catch (error) {
    db.close();
    throw error;
  }
  return new Store(db, log);
}

/**
 * The edge's local store: central's state for this site (replaced whole or by deltas,
 * each in one transaction), fingerprint enrollments and the event outbox. Synchronous,
 * like better-sqlite3; one Store per process owns the file.
 */
export class Store {
  /** For the index builder's own bulk queries; write only through this class. */
  readonly db: Database.Database;
  private readonly meta: Meta;
  private readonly fullWriter: FullStateWriter;
  private readonly deltaWriter: DeltaWriter;
  /** Reads of central's state for tools and tests (the decision path uses the index). */
  readonly state: StateReader;
  private readonly enrollments: Enrollments;
  private readonly outbox: Outbox;
  /** The sync client's snapshot being received (local; survives a restart). */
  readonly snapshotStaging: SnapshotStaging;
  /** The sync client's ids of commands already seen (local; refuses replays). */
  readonly seenCommands: SeenCommands;
  /** Central's keys added or withdrawn by a signed key rotation (local). */
  readonly centralKeys: CentralKeyTable;

  /** Use openStore; this expects an open, migrated database. */
  constructor(db: Database.Database, log: Logger) {
    this.db = db;
    this.meta = new Meta(db);
    this.fullWriter = new FullStateWriter(db, this.meta, log);
    this.deltaWriter = new DeltaWriter(db, this.meta, log);
    this.state = new StateReader(db);
    this.enrollments = new Enrollments(db);
    this.outbox = new Outbox(db);
    this.snapshotStaging = new SnapshotStaging(db);
    this.seenCommands = new SeenCommands(db);
    this.centralKeys = new CentralKeyTable(db);
  }

  close(): void {
    this.db.close();
  }

  // --- state version ---

  stateVersion(): number | null {
    return this.meta.version();
  }

  site(): string | null {
    return this.meta.site();
  }

  /** When the current state was applied (the `now` given then); null when empty. */
  stateAppliedAt(): number | null {
    return this.meta.appliedAt();
  }

  // --- writing central's state ---

  /**
   * Replaces all of central's tables with `state` in one transaction. Refuses (changing
   * nothing) another site's state and a version not newer than the stored one.
   */
  applyFullState(state: SiteState, options: FullApplyOptions): FullApplyResult {
    return this.fullWriter.apply(state, options);
  }

  /**
   * Applies a delta in one transaction. Refuses (changing nothing) another site's delta
   * and any version but the stored one + 1.
   */
  applyDelta(delta: SiteDelta, options: ApplyOptions): DeltaResult {
    return this.deltaWriter.apply(delta, options);
  }

  // Reading central's state (tools, not the hot path): store.state.getCard(...) etc.

  // --- fingerprint enrollments (local) ---

  saveEnrollment(enrollment: FingerprintEnrollment): void {
    this.enrollments.save(enrollment);
  }

  enrollment(personId: number, cardId: number): FingerprintEnrollment | undefined {
    return this.enrollments.get(personId, cardId);
  }

  enrollmentsOfPerson(personId: number): FingerprintEnrollment[] {
    return this.enrollments.ofPerson(personId);
  }

  deleteEnrollment(personId: number, cardId: number): boolean {
    return this.enrollments.delete(personId, cardId);
  }

  // --- event outbox (local) ---

  /** Records one event and returns its seq; it survives a killed process once this returns. */
  appendEvent(event: NewOutboxEvent): number {
    return this.outbox.append(event);
  }

  /** Records all events in one transaction; returns their seqs. */
  appendEvents(events: readonly NewOutboxEvent[]): number[] {
    return this.outbox.appendAll(events);
  }

  events(query?: OutboxQuery): OutboxEvent[] {
    return this.outbox.read(query);
  }

  outboxDepth(): number {
    return this.outbox.depth();
  }

  /** The epoch this opening of the store records its events under (undefined until made). */
  outboxEpoch(): string | undefined {
    return this.outbox.epoch;
  }

  /**
   * Makes this opening's outbox epoch now (accessd at start, so its status names it); false
   * when the store cannot be written: it is made with the first event then.
   */
  prepareOutboxEpoch(): boolean {
    return this.outbox.prepareEpoch();
  }

  /** Deletes the events central acknowledged (seq <= `seq`); returns how many. */
  deleteEventsUpTo(seq: number): number {
    return this.outbox.deleteUpTo(seq);
  }
}
