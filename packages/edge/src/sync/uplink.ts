import {
  decodeEventAck,
  type EventAck,
  type EventRecord,
  encodeEventBatch,
  MAX_MESSAGE_BYTES,
  topics,
} from "@acs/protocol";
import type { Statement } from "better-sqlite3";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../store/event-journal.js";
import { storeFaultCode } from "../store/storage-errors.js";
import type { Store } from "../store/store.js";
import type { Link } from "./link.js";
import type { SecurityEvents } from "./security-events.js";
import { SeqRanges } from "./seq-ranges.js";

export interface UplinkOptions {
  /** Events per batch at most (a batch also stays below MAX_MESSAGE_BYTES). Default 500. */
  readonly batchEvents?: number;
  /** Batches sent and not yet acknowledged, at most. Default 4. */
  readonly window?: number;
  /** A batch not acknowledged within this is sent again (doubling per try, up to 5 min). Default 10 s. */
  readonly ackTimeoutMs?: number;
  /** How often the outbox is looked at for new events while idle. Default 100 ms. */
  readonly pollMs?: number;
  /** The outbox's size for the alarm levels (100 %). Default 5,000,000 events. */
  readonly maxEvents?: number;
  /** Alarm levels as fractions of maxEvents, ascending. Default [0.5, 0.8, 1]. */
  readonly alarmLevels?: readonly number[];
  /** How often the outbox depth is checked against the alarm levels. Default 1000 ms. */
  readonly alarmCheckMs?: number;
}

export interface UplinkDeps {
  readonly site: string;
  readonly store: Store;
  /** Where the outbox alarm events go (never throws). */
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly link: Link;
  readonly security: SecurityEvents;
  readonly options?: UplinkOptions;
  /** The alarm level changed (status: outboxAlarm). */
  readonly alarmChanged: (level: number) => void;
}

export interface UplinkStats {
  /** Batches published (resends included). */
  readonly batchesSent: number;
  readonly batchesResent: number;
  /** Events published (resends included). */
  readonly eventsSent: number;
  /** Events deleted from the outbox after central acknowledged them. */
  readonly eventsDeleted: number;
  readonly acks: number;
  readonly inFlight: number;
  /** Acknowledged seq ranges beyond the oldest unacknowledged event. */
  readonly ackedBeyondHole: ReadonlyArray<readonly [number, number]>;
  readonly outboxDepth: number;
  /** The alarm level reached, as a fraction of maxEvents (0: none). */
  readonly alarmLevel: number;
  /** Events whose payload alone was too large for a message: sent with a marker instead. */
  readonly truncated: number;
}

interface RawEvent {
  seq: number;
  at: number;
  type: string;
  door_id: string | null;
  reader_id: string | null;
  payload: string;
}

interface Batch {
  readonly batchId: number;
  readonly from: number;
  readonly to: number;
  readonly seqs: readonly number[];
  attempts: number;
  timer: unknown;
}

/** Room for the batch header (site, batch id) and protobuf framing. */
const HEADER_BYTES = 256;
/** Framing of one EventRecord besides its strings: tags, lengths, seq and at varints. */
const RECORD_OVERHEAD = 40;
const MAX_ACK_TIMEOUT_MS = 300_000;

/**
 * Streams the event outbox to central: batches of at most `batchEvents` and below
 * MAX_MESSAGE_BYTES, at most `window` unacknowledged at a time, read from SQLite as they
 * go (the outbox is never held in memory). Central acknowledges the seq ranges it stored;
 * only the contiguous acknowledged prefix of the outbox is deleted, ranges beyond a hole
 * are remembered (and not sent again). An unacknowledged batch is sent again after a
 * timeout; after a reconnect everything unacknowledged is sent again from the oldest
 * event. Central stores by (site, seq), so a resend never doubles an event.
 *
 * The outbox is bounded only by an alarm: past each level of `maxEvents` (50, 80, 100 %)
 * the uplink logs, records an "outbox-alarm" event and raises the status' outboxAlarm.
 * Nothing is ever dropped: past 100 % accessd keeps recording and the alarm stays at its
 * highest level until the uplink drains the outbox.
 */
export class Uplink {
  private readonly deps: UplinkDeps;
  private readonly batchEvents: number;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly pollMs: number;
  private readonly maxEvents: number;
  private readonly levels: readonly number[];
  private readonly alarmCheckMs: number;
  private readonly readStatement: Statement<[number, number], RawEvent>;
  private readonly rangeStatement: Statement<[number, number], RawEvent>;
  private readonly nextSeqStatement: Statement<[number], number>;
  private readonly boundsStatement: Statement<[], { lo: number | null; hi: number | null }>;
  private readonly inFlight = new Map<number, Batch>();
  private readonly acked = new SeqRanges();
  private running = false;
  private stopped = false;
  private nextBatchId = 1;
  /** The highest seq sent (or skipped as acknowledged) since the last (re)start. */
  private cursor = 0;
  /** Every event with seq <= this was acknowledged and deleted. */
  private deletedUpTo = 0;
  private pollTimer: unknown;
  private alarmTimer: unknown;
  private pumping = false;
  /** The store refused the last delete (disk full): tried again, logged once. */
  private deleteFailing: string | undefined;
  private level = 0;
  private depth = 0;
  private counters = {
    batchesSent: 0,
    batchesResent: 0,
    eventsSent: 0,
    eventsDeleted: 0,
    acks: 0,
    truncated: 0,
  };

  constructor(deps: UplinkDeps) {
    this.deps = deps;
    const o = deps.options ?? {};
    this.batchEvents = Math.max(1, o.batchEvents ?? 500);
    this.window = Math.max(1, o.window ?? 4);
    this.ackTimeoutMs = o.ackTimeoutMs ?? 10_000;
    this.pollMs = o.pollMs ?? 100;
    this.maxEvents = o.maxEvents ?? 5_000_000;
    this.levels = [...(o.alarmLevels ?? [0.5, 0.8, 1])].sort((a, b) => a - b);
    this.alarmCheckMs = o.alarmCheckMs ?? 1000;
    const db = deps.store.db;
    // Read-only access to the outbox table: the payload as the edge wrote it (no re-encoding).
    this.readStatement = db.prepare(
      "SELECT seq, at, type, door_id, reader_id, payload FROM event_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
    );
    this.rangeStatement = db.prepare(
      "SELECT seq, at, type, door_id, reader_id, payload FROM event_outbox WHERE seq >= ? AND seq <= ? ORDER BY seq",
    );
    this.nextSeqStatement = db
      .prepare<[number], number>("SELECT seq FROM event_outbox WHERE seq > ? ORDER BY seq LIMIT 1")
      .pluck();
    // Two subqueries, so each is one index lookup: min and max in one select scan the table.
    this.boundsStatement = db.prepare(
      "SELECT (SELECT min(seq) FROM event_outbox) AS lo, (SELECT max(seq) FROM event_outbox) AS hi",
    );
  }

  /** Starts the alarm checks (the outbox fills also while offline). */
  start(): void {
    this.stopped = false;
    this.checkAlarm();
    this.armAlarm();
  }

  stop(): void {
    this.stopped = true;
    this.pause();
    if (this.alarmTimer !== undefined) this.deps.clock.clearTimeout(this.alarmTimer);
    this.alarmTimer = undefined;
  }

  /** The ack topic holds on a live connection: send from the oldest unacknowledged event. */
  resume(): void {
    if (this.stopped) return;
    this.pause();
    this.running = true;
    this.cursor = this.deletedUpTo;
    this.pump();
  }

  /** The connection is gone: forget what was in flight (it is all sent again on resume). */
  pause(): void {
    this.running = false;
    for (const batch of this.inFlight.values()) this.deps.clock.clearTimeout(batch.timer);
    this.inFlight.clear();
    if (this.pollTimer !== undefined) this.deps.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** New events are in the outbox: send them now instead of at the next poll. */
  notify(): void {
    if (this.running && this.inFlight.size < this.window) this.pump();
  }

  /** The alarm level reached (fraction of maxEvents; 0: none). */
  alarmLevel(): number {
    return this.level;
  }

  /** Events in the outbox (max seq - min seq + 1: exact, the outbox only loses its prefix). */
  outboxDepth(): number {
    return this.depth;
  }

  stats(): UplinkStats {
    return {
      ...this.counters,
      inFlight: this.inFlight.size,
      ackedBeyondHole: this.acked.toArray(),
      outboxDepth: this.depth,
      alarmLevel: this.level,
    };
  }

  /** A message on the ack topic. */
  onAck(bytes: Uint8Array): void {
    let ack: EventAck;
    try {
      ack = decodeEventAck(bytes);
    } catch (err) {
      this.deps.security.refused("ack", (err as { code?: string }).code ?? "MALFORMED", {
        bytes: bytes.byteLength,
      });
      return;
    }
    if (ack.site !== this.deps.site) {
      this.deps.security.refused("ack", "WRONG_SITE", { site: ack.site, batchId: ack.batchId });
      return;
    }
    this.counters.acks++;
    for (const [from, to] of ack.ranges) {
      if (to > this.deletedUpTo) this.acked.add(Math.max(from, this.deletedUpTo + 1), to);
    }
    const batch = this.inFlight.get(ack.batchId);
    if (batch) {
      this.deps.clock.clearTimeout(batch.timer);
      this.inFlight.delete(ack.batchId);
      const missing = batch.seqs.filter((seq) => seq > this.deletedUpTo && !this.acked.has(seq));
      if (missing.length > 0) {
        // Central stored only part of it: send the rest again (the cursor goes back).
        this.deps.log.warn(
          { batchId: batch.batchId, missing: missing.length },
          "batch acknowledged in part; sending the rest again",
        );
        this.cursor = Math.min(this.cursor, (missing[0] as number) - 1);
      }
    }
    this.deletePrefix();
    if (this.running) this.pump();
  }

  /** Deletes the contiguous acknowledged prefix of the outbox. */
  private deletePrefix(): void {
    let upTo = this.deletedUpTo;
    for (;;) {
      const next = this.nextSeqStatement.get(upTo);
      if (next === undefined) break;
      const range = this.acked.rangeOf(next);
      if (!range) break;
      upTo = range[1];
    }
    if (upTo <= this.deletedUpTo) return;
    let deleted: number;
    try {
      deleted = this.deps.store.deleteEventsUpTo(upTo);
    } catch (err) {
      // The acknowledged ranges are remembered: the delete is tried again on the next ack
      // and on the alarm timer; nothing is sent again meanwhile.
      const code = storeFaultCode(err) ?? (err as Error).name;
      if (this.deleteFailing === undefined)
        this.deps.log.warn(
          { err: (err as Error).message, code, upTo },
          "deleting acknowledged events failed; trying again later",
        );
      this.deleteFailing = code;
      return;
    }
    if (this.deleteFailing !== undefined) {
      this.deps.log.info({ upTo }, "acknowledged events deleted again");
      this.deleteFailing = undefined;
    }
    this.counters.eventsDeleted += deleted;
    this.deletedUpTo = upTo;
    this.acked.dropUpTo(upTo);
    this.cursor = Math.max(this.cursor, upTo);
    this.refreshDepth();
  }

  /** Sends new batches while the window has room. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running && this.inFlight.size < this.window) {
        if (!this.deps.link.connected) {
          this.running = false;
          break;
        }
        const rows = this.readStatement.all(this.cursor, this.batchEvents);
        if (rows.length === 0) break;
        const fresh = rows.filter((row) => !this.acked.has(row.seq));
        const lastRead = (rows[rows.length - 1] as RawEvent).seq;
        if (fresh.length === 0) {
          this.cursor = lastRead;
          continue;
        }
        const sent = this.sendNew(fresh);
        this.cursor = sent < fresh.length ? (fresh[sent - 1] as RawEvent).seq : lastRead;
      }
    } finally {
      this.pumping = false;
    }
    this.armPoll();
  }

  /** Publishes a new batch of the first events of `rows` that fit; returns how many. */
  private sendNew(rows: readonly RawEvent[]): number {
    const records: EventRecord[] = [];
    let bytes = HEADER_BYTES;
    for (const row of rows) {
      const record = this.toRecord(row);
      const size =
        RECORD_OVERHEAD +
        Buffer.byteLength(record.type) +
        Buffer.byteLength(record.payloadJson) +
        (record.doorId === null ? 0 : Buffer.byteLength(record.doorId)) +
        (record.readerId === null ? 0 : Buffer.byteLength(record.readerId));
      if (records.length > 0 && bytes + size > MAX_MESSAGE_BYTES) break;
      records.push(record);
      bytes += size;
    }
    const batchId = this.nextBatchId++;
    const count = this.publish(batchId, records);
    const seqs = records.slice(0, count).map((r) => r.seq);
    const batch: Batch = {
      batchId,
      from: seqs[0] as number,
      to: seqs[seqs.length - 1] as number,
      seqs,
      attempts: 1,
      timer: undefined,
    };
    this.inFlight.set(batchId, batch);
    this.armAckTimer(batch);
    return count;
  }

  /**
   * Encodes and publishes the longest prefix of `records` that fits one message (the size
   * estimate is checked against the encoding); returns how many went.
   */
  private publish(batchId: number, records: readonly EventRecord[]): number {
    let count = records.length;
    for (;;) {
      const payload = encodeEventBatch({
        site: this.deps.site,
        batchId,
        events: records.slice(0, count),
      });
      if (payload.byteLength <= MAX_MESSAGE_BYTES || count === 1) {
        this.deps.link.publish(topics.events(this.deps.site), payload, { qos: 1 });
        this.counters.batchesSent++;
        this.counters.eventsSent += count;
        return count;
      }
      count = Math.max(1, Math.floor(count / 2));
    }
  }

  private toRecord(row: RawEvent): EventRecord {
    const record: EventRecord = {
      seq: row.seq,
      at: row.at,
      type: row.type,
      doorId: row.door_id,
      readerId: row.reader_id,
      payloadJson: row.payload,
    };
    const size =
      RECORD_OVERHEAD +
      Buffer.byteLength(row.payload) +
      Buffer.byteLength(row.type) +
      HEADER_BYTES +
      (row.door_id?.length ?? 0) * 3 +
      (row.reader_id?.length ?? 0) * 3;
    if (size <= MAX_MESSAGE_BYTES) return record;
    // Never happens with accessd's events; if one ever is this large it still goes (its
    // record, without the payload), rather than stopping the uplink behind it for good.
    this.counters.truncated++;
    this.deps.log.error(
      { seq: row.seq, type: row.type, bytes: Buffer.byteLength(row.payload) },
      "event payload too large for a message; sent without it",
    );
    return {
      ...record,
      type: row.type.slice(0, 200),
      doorId: row.door_id?.slice(0, 200) ?? null,
      readerId: row.reader_id?.slice(0, 200) ?? null,
      payloadJson: JSON.stringify({ truncated: true, bytes: Buffer.byteLength(row.payload) }),
    };
  }

  private armAckTimer(batch: Batch): void {
    const ms = Math.min(MAX_ACK_TIMEOUT_MS, this.ackTimeoutMs * 2 ** (batch.attempts - 1));
    batch.timer = this.deps.clock.setTimeout(() => this.resend(batch), ms);
  }

  /** No ack in time: the batch goes again (same batch id) with what is still unacknowledged. */
  private resend(batch: Batch): void {
    if (!this.running || this.inFlight.get(batch.batchId) !== batch) return;
    const rows = this.rangeStatement
      .all(batch.from, batch.to)
      .filter((row) => row.seq > this.deletedUpTo && !this.acked.has(row.seq));
    if (rows.length === 0) {
      this.inFlight.delete(batch.batchId);
      this.pump();
      return;
    }
    batch.attempts++;
    this.counters.batchesResent++;
    this.deps.log.warn(
      { batchId: batch.batchId, from: batch.from, to: batch.to, attempt: batch.attempts },
      "batch not acknowledged in time; sending it again",
    );
    const records = rows.map((row) => this.toRecord(row));
    // The batch fitted when first sent; resend it whole (a part that no longer fits
    // would have been cut then).
    this.publish(batch.batchId, records);
    this.armAckTimer(batch);
  }

  private armPoll(): void {
    if (!this.running || this.pollTimer !== undefined || this.inFlight.size >= this.window) return;
    this.pollTimer = this.deps.clock.setTimeout(() => {
      this.pollTimer = undefined;
      this.pump();
    }, this.pollMs);
  }

  private refreshDepth(): void {
    const { lo, hi } = this.boundsStatement.get() ?? { lo: null, hi: null };
    this.depth = lo === null || hi === null ? 0 : hi - lo + 1;
  }

  private armAlarm(): void {
    this.alarmTimer = this.deps.clock.setTimeout(() => {
      this.alarmTimer = undefined;
      if (this.stopped) return;
      try {
        if (this.deleteFailing !== undefined) this.deletePrefix();
        this.checkAlarm();
      } catch (err) {
        this.deps.log.error({ err: (err as Error).message }, "outbox alarm check failed");
      }
      this.armAlarm();
    }, this.alarmCheckMs);
  }

  /** Compares the depth with the alarm levels; a level is left only 5 % below it. */
  checkAlarm(): void {
    this.refreshDepth();
    const fill = this.depth / this.maxEvents;
    let level = 0;
    for (const l of this.levels) if (fill >= l) level = l;
    if (level < this.level && fill >= this.level - 0.05) level = this.level;
    if (level === this.level) return;
    const previous = this.level;
    this.level = level;
    const fields = {
      level: Math.round(level * 100),
      previous: Math.round(previous * 100),
      depth: this.depth,
      maxEvents: this.maxEvents,
    };
    if (level > previous) this.deps.log.warn(fields, "event outbox alarm");
    else this.deps.log.info(fields, "event outbox alarm lowered");
    this.deps.events.record([
      { at: this.deps.clock.wallMs(), type: "outbox-alarm", payload: fields },
    ]);
    this.deps.alarmChanged(level);
  }
}
