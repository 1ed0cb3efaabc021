import { randomBytes } from "node:crypto";
import type { Database, Statement } from "better-sqlite3";

/** An event to record: what happened, where, and its details. */
export interface NewOutboxEvent {
  /** Wall-clock epoch ms of the event. */
  readonly at: number;
  readonly type: string;
  readonly doorId?: string;
  readonly readerId?: string;
  /** Stored as JSON. */
  readonly payload: object;
}

/** An event as stored, with its sequence number (increasing, never reused). */
export interface OutboxEvent {
  readonly seq: number;
  /** The outbox epoch it was recorded under (see Outbox). */
  readonly epoch: string;
  readonly at: number;
  readonly type: string;
  readonly doorId: string | null;
  readonly readerId: string | null;
  readonly payload: unknown;
}

export interface OutboxQuery {
  /** Only events with a larger seq. */
  readonly afterSeq?: number;
  /** At most this many; default 1000. */
  readonly limit?: number;
  /** Newest first instead of oldest first. */
  readonly newestFirst?: boolean;
}

interface OutboxRow {
  seq: number;
  epoch: string;
  at: number;
  type: string;
  door_id: string | null;
  reader_id: string | null;
  payload: string;
}

const DEFAULT_LIMIT = 1000;
const COLUMNS = "seq, e.epoch AS epoch, at, type, door_id, reader_id, payload";
const FROM = "event_outbox JOIN outbox_epoch e ON e.id = event_outbox.epoch_id";

function fromRow(row: OutboxRow): OutboxEvent {
  return {
    seq: row.seq,
    epoch: row.epoch,
    at: row.at,
    type: row.type,
    doorId: row.door_id,
    readerId: row.reader_id,
    payload: JSON.parse(row.payload) as unknown,
  };
}

/** A new outbox epoch: 128 random bits, base64url (22 characters). */
export function newEpoch(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * The event outbox: every event is written here before anything else happens to it, and
 * leaves only when central acknowledged it (`deleteUpTo`). `seq` comes from an
 * AUTOINCREMENT key, so it keeps growing across restarts and after deletes.
 *
 * Each Outbox (each time the store is opened) records its events under a new epoch, made
 * with its first event; every event keeps the epoch it was recorded under. Central keys
 * events by (site, epoch, seq): a store that is wiped, restored from a backup or replaced
 * numbers from where that copy stood, but under a new epoch, so its new events are never
 * taken for ones central already holds.
 */
export class Outbox {
  private readonly db: Database;
  private readonly makeEpoch: () => string;
  private epochId: number | undefined;
  private epochValue: string | undefined;
  private readonly insertStatement: Statement<
    [number, string, string | null, string | null, string, number]
  >;
  private readonly insertEpochStatement: Statement<[string]>;
  private readonly oldestFirst: Statement<[number, number], OutboxRow>;
  private readonly newestFirst: Statement<[number, number], OutboxRow>;
  private readonly depthStatement: Statement<[], number>;
  private readonly deleteStatement: Statement<[number]>;

  constructor(db: Database, makeEpoch: () => string = newEpoch) {
    this.db = db;
    this.makeEpoch = makeEpoch;
    this.insertStatement = db.prepare(
      "INSERT INTO event_outbox (at, type, door_id, reader_id, payload, epoch_id) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.insertEpochStatement = db.prepare(
      "INSERT INTO outbox_epoch (id, epoch, created_at) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM outbox_epoch), ?, CAST(unixepoch('subsec') * 1000 AS INTEGER))",
    );
    this.oldestFirst = db.prepare(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE seq > ? ORDER BY seq LIMIT ?`,
    );
    this.newestFirst = db.prepare(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE seq > ? ORDER BY seq DESC LIMIT ?`,
    );
    this.depthStatement = db.prepare<[], number>("SELECT count(*) FROM event_outbox").pluck();
    this.deleteStatement = db.prepare("DELETE FROM event_outbox WHERE seq <= ?");
  }

  /**
   * The epoch this outbox records under; undefined until its first event (made then, and
   * committed before that event, so a failed write leaves no half epoch behind).
   */
  get epoch(): string | undefined {
    return this.epochValue;
  }

  /** Appends one event and returns its seq; committed (WAL) when this returns. */
  append(event: NewOutboxEvent): number {
    return this.insert(event, this.ensureEpoch());
  }

  /** Appends all events in one transaction (all or none); returns their seqs in order. */
  appendAll(events: readonly NewOutboxEvent[]): number[] {
    const epochId = this.ensureEpoch();
    return this.db
      .transaction(() => events.map((event) => this.insert(event, epochId)))
      .immediate();
  }

  private insert(event: NewOutboxEvent, epochId: number): number {
    const result = this.insertStatement.run(
      event.at,
      event.type,
      event.doorId ?? null,
      event.readerId ?? null,
      JSON.stringify(event.payload),
      epochId,
    );
    return Number(result.lastInsertRowid);
  }

  /**
   * Makes this outbox's epoch now if it has none yet; false when the store cannot be
   * written (it is made with the next event then).
   */
  prepareEpoch(): boolean {
    try {
      this.ensureEpoch();
      return true;
    } catch {
      return false;
    }
  }

  /** This outbox's epoch row, made (in its own commit) with its first event. */
  private ensureEpoch(): number {
    if (this.epochId !== undefined) return this.epochId;
    // Inside another transaction its row could be rolled back under the events it numbers.
    if (this.db.inTransaction)
      throw new Error("the outbox epoch is made outside a transaction (record an event first)");
    const epoch = this.makeEpoch();
    const id = Number(this.insertEpochStatement.run(epoch).lastInsertRowid);
    this.epochId = id;
    this.epochValue = epoch;
    return id;
  }

  read(query: OutboxQuery = {}): OutboxEvent[] {
    const statement = query.newestFirst === true ? this.newestFirst : this.oldestFirst;
    return statement.all(query.afterSeq ?? 0, query.limit ?? DEFAULT_LIMIT).map(fromRow);
  }

  depth(): number {
    return this.depthStatement.get() ?? 0;
  }

  /** Deletes every event with seq <= `seq` (acknowledged by central); returns how many. */
  deleteUpTo(seq: number): number {
    return this.deleteStatement.run(seq).changes;
  }
}
