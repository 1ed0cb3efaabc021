import type { EventRecord } from "@acs/protocol";
import Database from "better-sqlite3";

/** An event as central keeps it: the edge's record, its site, and when it arrived. */
export interface StoredEvent extends EventRecord {
  readonly site: string;
  readonly receivedAt: number;
}

/**
 * The events of every edge, each stored once: keyed by (site, seq), so a batch sent again
 * (a lost ack, an edge restarted mid-stream) adds nothing. Its own SQLite file, so a flood
 * of events never waits on the state store's writers (or the reverse).
 */
export class EventStore {
  readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly countAll: Database.Statement<[], number>;
  private readonly countSite: Database.Statement<[string], number>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS access_event (
        site TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        door_id TEXT,
        reader_id TEXT,
        payload TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (site, seq)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS access_event_at ON access_event (site, at);
      CREATE INDEX IF NOT EXISTS access_event_received ON access_event (received_at, site, seq);
      CREATE INDEX IF NOT EXISTS access_event_card_door ON access_event
        (site, door_id, json_extract(payload, '$.cardId'), seq) WHERE type = 'access-decision';
      CREATE INDEX IF NOT EXISTS access_event_person ON access_event
        (site, json_extract(payload, '$.personId'), at) WHERE type = 'access-decision';
    `);
    this.insert = this.db.prepare(
      "INSERT OR IGNORE INTO access_event (site, seq, at, type, door_id, reader_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.countAll = this.db.prepare<[], number>("SELECT count(*) FROM access_event").pluck();
    this.countSite = this.db
      .prepare<[string], number>("SELECT count(*) FROM access_event WHERE site = ?")
      .pluck();
  }

  /**
   * Stores a batch in one transaction; returns how many were new. Every event of the batch
   * is stored afterwards (now or before), which is what the ack says.
   */
  store(site: string, events: readonly EventRecord[], receivedAt: number): number {
    return this.db.transaction(() => {
      let added = 0;
      for (const e of events) {
        added += this.insert.run(
          site,
          e.seq,
          e.at,
          e.type,
          e.doorId,
          e.readerId,
          e.payloadJson,
          receivedAt,
        ).changes;
      }
      return added;
    })();
  }

  count(site?: string): number {
    return (site === undefined ? this.countAll.get() : this.countSite.get(site)) ?? 0;
  }

  /** The newest events of a site, newest first (for the helpdesk and tools). */
  recent(site: string, limit: number, type?: string): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT site, seq, at, type, door_id, reader_id, payload, received_at FROM access_event
         WHERE site = ? ${type ? "AND type = ?" : ""} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...(type ? [site, type, limit] : [site, limit])) as Array<{
      site: string;
      seq: number;
      at: number;
      type: string;
      door_id: string | null;
      reader_id: string | null;
      payload: string;
      received_at: number;
    }>;
    return rows.map((r) => ({
      site: r.site,
      seq: r.seq,
      at: r.at,
      type: r.type,
      doorId: r.door_id,
      readerId: r.reader_id,
      payloadJson: r.payload,
      receivedAt: r.received_at,
    }));
  }

  /**
   * Events received after `cursor` in arrival order (received_at, then site, seq), at most
   * `limit`: what a follower of all sites reads next.
   */
  receivedAfter(cursor: EventCursor | undefined, limit: number): StoredEvent[] {
    const c = cursor ?? { receivedAt: -1, site: "", seq: -1 };
    const rows = this.db
      .prepare(
        `SELECT site, seq, at, type, door_id, reader_id, payload, received_at FROM access_event
         WHERE (received_at, site, seq) > (?, ?, ?) ORDER BY received_at, site, seq LIMIT ?`,
      )
      .all(c.receivedAt, c.site, c.seq, limit) as EventRow[];
    return rows.map(storedEvent);
  }

  /** The newest access decisions on a card (state card id) at one door, newest first. */
  decisionsOfCard(site: string, doorId: string, cardId: number, limit: number): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT site, seq, at, type, door_id, reader_id, payload, received_at FROM access_event
         WHERE type = 'access-decision' AND site = ? AND door_id = ?
           AND json_extract(payload, '$.cardId') = ?
         ORDER BY seq DESC LIMIT ?`,
      )
      .all(site, doorId, cardId, limit) as EventRow[];
    return rows.map(storedEvent);
  }

  /** Granted access decisions of a person (state person id) at a site in [from, until). */
  grantsOfPerson(site: string, personId: number, from: number, until: number): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT site, seq, at, type, door_id, reader_id, payload, received_at FROM access_event
         WHERE type = 'access-decision' AND site = ? AND json_extract(payload, '$.personId') = ?
           AND at >= ? AND at < ? AND json_extract(payload, '$.outcome') = 'grant'
         ORDER BY at, seq`,
      )
      .all(site, personId, from, until) as EventRow[];
    return rows.map(storedEvent);
  }

  close(): void {
    this.db.close();
  }
}

/** Where a follower of all sites stands: the last event it read, in arrival order. */
export interface EventCursor {
  readonly receivedAt: number;
  readonly site: string;
  readonly seq: number;
}

interface EventRow {
  site: string;
  seq: number;
  at: number;
  type: string;
  door_id: string | null;
  reader_id: string | null;
  payload: string;
  received_at: number;
}

function storedEvent(r: EventRow): StoredEvent {
  return {
    site: r.site,
    seq: r.seq,
    at: r.at,
    type: r.type,
    doorId: r.door_id,
    readerId: r.reader_id,
    payloadJson: r.payload,
    receivedAt: r.received_at,
  };
}

/** Inclusive seq ranges covering `seqs` (any order), for an ack. */
export function seqRanges(seqs: readonly number[]): Array<[number, number]> {
  const sorted = [...seqs].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const seq of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && seq <= last[1] + 1) last[1] = Math.max(last[1], seq);
    else ranges.push([seq, seq]);
  }
  return ranges;
}
