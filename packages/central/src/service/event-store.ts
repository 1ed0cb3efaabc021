import type { EventRecord } from "@acs/protocol";
import Database from "better-sqlite3";
import { eventProblem } from "./event-checks.js";
import { migrateEventStore } from "./event-store-schema.js";

/** An event as central keeps it: the edge's record, its site and epoch, and when it arrived. */
export interface StoredEvent extends EventRecord {
  readonly site: string;
  /** The edge's outbox epoch ('' for events from before epochs). */
  readonly epoch: string;
  readonly receivedAt: number;
}

/** An event kept aside: in a correctly signed batch, but no access event. */
export interface QuarantinedEvent extends StoredEvent {
  readonly problem: string;
}

/** What storing a batch did. */
export interface StoreResult {
  /** Events new to central (quarantined ones included). */
  readonly added: number;
  /** Of those, stored quarantined. */
  readonly quarantined: number;
}

/**
 * The events of every edge, each stored once: keyed by (site, epoch, seq), so a batch sent
 * again (a lost ack, an edge restarted mid-stream) adds nothing, and a wiped, restored or
 * replaced edge store (a new epoch) is never taken for the old one. An event that is no
 * access event (its payload no JSON object, its type unknown ...) is stored quarantined
 * with its problem and acknowledged: it never blocks the stream. Its own SQLite file, so a
 * flood of events never waits on the state store's writers (or the reverse).
 */
export class EventStore {
  readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertQuarantined: Database.Statement;
  private readonly exists: Database.Statement<[string, string, number], number>;
  private readonly countAll: Database.Statement<[], number>;
  private readonly countSite: Database.Statement<[string], number>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    migrateEventStore(this.db);
    this.insert = this.db.prepare(
      "INSERT OR IGNORE INTO access_event (site, epoch, seq, at, type, door_id, reader_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.insertQuarantined = this.db.prepare(
      "INSERT OR IGNORE INTO quarantined_event (site, epoch, seq, at, type, door_id, reader_id, payload, problem, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.exists = this.db
      .prepare<[string, string, number], number>(
        "SELECT 1 FROM access_event WHERE site = ? AND epoch = ? AND seq = ?",
      )
      .pluck();
    this.countAll = this.db.prepare<[], number>("SELECT count(*) FROM access_event").pluck();
    this.countSite = this.db
      .prepare<[string], number>("SELECT count(*) FROM access_event WHERE site = ?")
      .pluck();
  }

  /**
   * Stores a batch of one epoch in one transaction. Every event of the batch is stored
   * afterwards (now or before; as an access event or quarantined), which is what the ack
   * says. `epoch` '' is for events from before epochs.
   */
  store(site: string, events: readonly EventRecord[], receivedAt: number, epoch = ""): StoreResult {
    return this.db.transaction(() => {
      let added = 0;
      let quarantined = 0;
      for (const e of events) {
        const problem = eventProblem(e);
        if (problem === undefined) {
          added += this.insert.run(
            site,
            epoch,
            e.seq,
            e.at,
            e.type,
            e.doorId,
            e.readerId,
            e.payloadJson,
            receivedAt,
          ).changes;
          continue;
        }
        if (this.exists.get(site, epoch, e.seq) !== undefined) continue;
        const changes = this.insertQuarantined.run(
          site,
          epoch,
          e.seq,
          Number.isSafeInteger(e.at) ? e.at : 0,
          e.type,
          e.doorId,
          e.readerId,
          e.payloadJson,
          problem,
          receivedAt,
        ).changes;
        added += changes;
        quarantined += changes;
      }
      return { added, quarantined };
    })();
  }

  count(site?: string): number {
    return (site === undefined ? this.countAll.get() : this.countSite.get(site)) ?? 0;
  }

  /** The events kept aside for a site (all sites when absent), oldest first. */
  quarantined(site?: string, limit = 1000): QuarantinedEvent[] {
    const rows = this.db
      .prepare(
        `SELECT site, epoch, seq, at, type, door_id, reader_id, payload, problem, received_at FROM quarantined_event
         ${site === undefined ? "" : "WHERE site = ?"} ORDER BY received_at, seq LIMIT ?`,
      )
      .all(...(site === undefined ? [limit] : [site, limit])) as Array<
      EventRow & { problem: string }
    >;
    return rows.map((r) => ({ ...storedEvent(r), problem: r.problem }));
  }

  /** The newest events of a site, newest first (for the helpdesk and tools). */
  recent(site: string, limit: number, type?: string): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM access_event
         WHERE site = ? ${type ? "AND type = ?" : ""} ORDER BY received_at DESC, seq DESC LIMIT ?`,
      )
      .all(...(type ? [site, type, limit] : [site, limit])) as EventRow[];
    return rows.map(storedEvent);
  }

  /**
   * Events received after `cursor` in arrival order (received_at, then site, epoch, seq),
   * at most `limit`: what a follower of all sites reads next.
   */
  receivedAfter(cursor: EventCursor | undefined, limit: number): StoredEvent[] {
    const c = cursor ?? { receivedAt: -1, site: "", epoch: "", seq: -1 };
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM access_event
         WHERE (received_at, site, epoch, seq) > (?, ?, ?, ?) ORDER BY received_at, site, epoch, seq LIMIT ?`,
      )
      .all(c.receivedAt, c.site, c.epoch ?? "", c.seq, limit) as EventRow[];
    return rows.map(storedEvent);
  }

  /** The newest access decisions on a card (state card id) at one door, newest first. */
  decisionsOfCard(site: string, doorId: string, cardId: number, limit: number): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM access_event
         WHERE type = 'access-decision' AND site = ? AND door_id = ?
           AND json_extract(payload, '$.cardId') = ?
         ORDER BY at DESC, seq DESC LIMIT ?`,
      )
      .all(site, doorId, cardId, limit) as EventRow[];
    return rows.map(storedEvent);
  }

  /** Granted access decisions of a person (state person id) at a site in [from, until). */
  grantsOfPerson(site: string, personId: number, from: number, until: number): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM access_event
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

const COLUMNS = "site, epoch, seq, at, type, door_id, reader_id, payload, received_at";

/** Where a follower of all sites stands: the last event it read, in arrival order. */
export interface EventCursor {
  readonly receivedAt: number;
  readonly site: string;
  /** Absent in cursors saved before epochs (read as ''). */
  readonly epoch?: string;
  readonly seq: number;
}

interface EventRow {
  site: string;
  epoch: string;
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
    epoch: r.epoch,
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
