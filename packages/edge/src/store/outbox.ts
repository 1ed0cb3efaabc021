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
  at: number;
  type: string;
  door_id: string | null;
  reader_id: string | null;
  payload: string;
}

const DEFAULT_LIMIT = 1000;
const COLUMNS = "seq, at, type, door_id, reader_id, payload";

function fromRow(row: OutboxRow): OutboxEvent {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    doorId: row.door_id,
    readerId: row.reader_id,
    payload: JSON.parse(row.payload) as unknown,
  };
}

/**
 * The event outbox: every event is written here before anything else happens to it, and
 * leaves only when central acknowledged it (`deleteUpTo`). `seq` comes from an
 * AUTOINCREMENT key, so it keeps growing across restarts and after deletes.
 */
export class Outbox {
  private readonly db: Database;
  private readonly insertStatement: Statement<
    [number, string, string | null, string | null, string]
  >;
  private readonly oldestFirst: Statement<[number, number], OutboxRow>;
  private readonly newestFirst: Statement<[number, number], OutboxRow>;
  private readonly depthStatement: Statement<[], number>;
  private readonly deleteStatement: Statement<[number]>;

  constructor(db: Database) {
    this.db = db;
    this.insertStatement = db.prepare(
      "INSERT INTO event_outbox (at, type, door_id, reader_id, payload) VALUES (?, ?, ?, ?, ?)",
    );
    this.oldestFirst = db.prepare(
      `SELECT ${COLUMNS} FROM event_outbox WHERE seq > ? ORDER BY seq LIMIT ?`,
    );
    this.newestFirst = db.prepare(
      `SELECT ${COLUMNS} FROM event_outbox WHERE seq > ? ORDER BY seq DESC LIMIT ?`,
    );
    this.depthStatement = db.prepare<[], number>("SELECT count(*) FROM event_outbox").pluck();
    this.deleteStatement = db.prepare("DELETE FROM event_outbox WHERE seq <= ?");
  }

  /** Appends one event and returns its seq; committed (WAL) when this returns. */
  append(event: NewOutboxEvent): number {
    const result = this.insertStatement.run(
      event.at,
      event.type,
      event.doorId ?? null,
      event.readerId ?? null,
      JSON.stringify(event.payload),
    );
    return Number(result.lastInsertRowid);
  }

  /** Appends all events in one transaction (all or none); returns their seqs in order. */
  appendAll(events: readonly NewOutboxEvent[]): number[] {
    return this.db.transaction(() => events.map((event) => this.append(event))).immediate();
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
