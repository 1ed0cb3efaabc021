import type { EventRecord } from "@acs/protocol";
import type { Database, Statement } from "better-sqlite3";

/** An outbox row as the uplink reads it: the payload as the edge wrote it. */
export interface OutboxRow {
  seq: number;
  epoch: string;
  at: number;
  type: string;
  door_id: string | null;
  reader_id: string | null;
  payload: string;
}

const COLUMNS =
  "o.seq AS seq, e.epoch AS epoch, o.at AS at, o.type AS type, o.door_id AS door_id, o.reader_id AS reader_id, o.payload AS payload";
const FROM = "event_outbox o JOIN outbox_epoch e ON e.id = o.epoch_id";

/** Framing of one EventRecord besides its strings: tags, lengths, seq and at varints. */
export const RECORD_OVERHEAD = 40;

/** Read-only access to the outbox table for the uplink (no re-encoding of payloads). */
export class OutboxReader {
  private readonly after: Statement<[number, number], OutboxRow>;
  private readonly range: Statement<[number, number], OutboxRow>;
  private readonly next: Statement<[number], number>;
  private readonly bounds: Statement<[], { lo: number | null; hi: number | null }>;

  constructor(db: Database) {
    this.after = db.prepare(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE o.seq > ? ORDER BY o.seq LIMIT ?`,
    );
    this.range = db.prepare(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE o.seq >= ? AND o.seq <= ? ORDER BY o.seq`,
    );
    this.next = db
      .prepare<[number], number>("SELECT seq FROM event_outbox WHERE seq > ? ORDER BY seq LIMIT 1")
      .pluck();
    // Two subqueries, so each is one index lookup: min and max in one select scan the table.
    this.bounds = db.prepare(
      "SELECT (SELECT min(seq) FROM event_outbox) AS lo, (SELECT max(seq) FROM event_outbox) AS hi",
    );
  }

  /** Up to `limit` rows after `seq`, oldest first. */
  rowsAfter(seq: number, limit: number): OutboxRow[] {
    return this.after.all(seq, limit);
  }

  /** The rows with from <= seq <= to. */
  rowsIn(from: number, to: number): OutboxRow[] {
    return this.range.all(from, to);
  }

  /** The first seq after `seq`, if any. */
  nextSeq(seq: number): number | undefined {
    return this.next.get(seq);
  }

  /** max seq - min seq + 1: exact, since the outbox only ever loses its prefix. */
  depth(): number {
    const { lo, hi } = this.bounds.get() ?? { lo: null, hi: null };
    return lo === null || hi === null ? 0 : hi - lo + 1;
  }
}

/** The row as it travels upstream. */
export function recordOf(row: OutboxRow): EventRecord {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    doorId: row.door_id,
    readerId: row.reader_id,
    payloadJson: row.payload,
  };
}

/** An estimate of a record's encoded size (checked against the encoding when sent). */
export function recordBytes(record: EventRecord): number {
  return (
    RECORD_OVERHEAD +
    Buffer.byteLength(record.type) +
    Buffer.byteLength(record.payloadJson) +
    (record.doorId === null ? 0 : Buffer.byteLength(record.doorId)) +
    (record.readerId === null ? 0 : Buffer.byteLength(record.readerId))
  );
}
