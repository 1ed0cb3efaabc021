import {
  decodeEventAck,
  type EventAck,
  type EventRecord,
  encodeEventBatch,
  MAX_MESSAGE_BYTES,
  openEnvelope,
  refusalReason,
  type TrustedKeys,
  topics,
} from "@acs/protocol";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../store/event-journal.js";
import { storeFaultCode } from "../store/storage-errors.js";
import type { Store } from "../store/store.js";
import { SentLedger } from "./ack-check.js";
import { type EdgeSigner, ENVELOPE_OVERHEAD_BYTES } from "./edge-signer.js";
import type { Link } from "./link.js";
import { OutboxAlarm } from "./outbox-alarm.js";
import {
  OutboxReader,
  type OutboxRow,
  RECORD_OVERHEAD,
  recordBytes,
  recordOf,
} from "./outbox-reader.js";
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
  /** Signs each batch with the edge's key. */
  readonly signer: EdgeSigner;
  /** Central's keys: an ack must be signed by one. */
  readonly centralKeys: TrustedKeys;
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
  /** Acks refused: unsigned, badly signed, another site or epoch, seqs never sent. */
  readonly acksRefused: number;
  readonly inFlight: number;
  /** Acknowledged seq ranges beyond the oldest unacknowledged event. */
  readonly ackedBeyondHole: ReadonlyArray<readonly [number, number]>;
  readonly outboxDepth: number;
  /** The alarm level reached, as a fraction of maxEvents (0: none). */
  readonly alarmLevel: number;
  /** Events whose payload alone was too large for a message: sent with a marker instead. */
  readonly truncated: number;
}

interface Batch {
  readonly batchId: number;
  readonly epoch: string;
  readonly from: number;
  readonly to: number;
  readonly seqs: readonly number[];
  attempts: number;
  timer: unknown;
}

/** Room for the batch header (site, batch id, epoch), protobuf framing and the envelope. */
const HEADER_BYTES = 256 + ENVELOPE_OVERHEAD_BYTES;
const MAX_ACK_TIMEOUT_MS = 300_000;

/**
 * Streams the event outbox to central: batches of at most `batchEvents` and below
 * MAX_MESSAGE_BYTES, each of one outbox epoch and signed with the edge's key, at most
 * `window` unacknowledged at a time, read from SQLite as they go (the outbox is never held
 * in memory). Central acknowledges the seq ranges it stored, signed; an ack that is
 * unsigned, of another site or epoch, or names a seq this uplink has not sent is refused
 * and recorded as a security event, and nothing is deleted for it. Only the contiguous
 * acknowledged prefix of the outbox is deleted; ranges beyond a hole are remembered (and
 * not sent again). An unacknowledged batch is sent again after a timeout; after a reconnect
 * everything unacknowledged is sent again from the oldest event. Central stores by (site,
 * epoch, seq), so a resend never doubles an event. Outbox alarms: OutboxAlarm.
 */
export class Uplink {
  private readonly deps: UplinkDeps;
  private readonly batchEvents: number;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly pollMs: number;
  private readonly alarmCheckMs: number;
  private readonly reader: OutboxReader;
  private readonly alarm: OutboxAlarm;
  private readonly inFlight = new Map<number, Batch>();
  private readonly acked = new SeqRanges();
  private readonly ledger = new SentLedger();
  private running = false;
  private stopped = false;
  /**
   * Batch ids of this run start from the wall clock (in ms, times 1000), so an ack of a
   * batch of an earlier run never names a batch of this one.
   */
  private readonly firstBatchId: number;
  private nextBatchId: number;
  /** The highest seq sent (or skipped as acknowledged) since the last (re)start. */
  private cursor = 0;
  /** Every event with seq <= this was acknowledged and deleted. */
  private deletedUpTo = 0;
  private pollTimer: unknown;
  private alarmTimer: unknown;
  private pumping = false;
  /** The store refused the last delete (disk full): tried again, logged once. */
  private deleteFailing: string | undefined;
  private depth = 0;
  private counters = {
    batchesSent: 0,
    batchesResent: 0,
    eventsSent: 0,
    eventsDeleted: 0,
    acks: 0,
    acksRefused: 0,
    truncated: 0,
  };

  constructor(deps: UplinkDeps) {
    this.deps = deps;
    const o = deps.options ?? {};
    this.batchEvents = Math.max(1, o.batchEvents ?? 500);
    this.window = Math.max(1, o.window ?? 4);
    this.ackTimeoutMs = o.ackTimeoutMs ?? 10_000;
    this.pollMs = o.pollMs ?? 100;
    this.alarmCheckMs = o.alarmCheckMs ?? 1000;
    this.reader = new OutboxReader(deps.store.db);
    this.alarm = new OutboxAlarm({
      events: deps.events,
      clock: deps.clock,
      log: deps.log,
      maxEvents: o.maxEvents ?? 5_000_000,
      levels: o.alarmLevels ?? [0.5, 0.8, 1],
      changed: (level) => deps.alarmChanged(level),
    });
    this.firstBatchId = Math.max(1, Math.floor(deps.clock.wallMs())) * 1000;
    this.nextBatchId = this.firstBatchId;
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
    return this.alarm.level;
  }

  /** Events in the outbox. */
  outboxDepth(): number {
    return this.depth;
  }

  stats(): UplinkStats {
    return {
      ...this.counters,
      inFlight: this.inFlight.size,
      ackedBeyondHole: this.acked.toArray(),
      outboxDepth: this.depth,
      alarmLevel: this.alarm.level,
    };
  }

  /** A message on the ack topic: acted on only when signed by central and naming what was sent. */
  onAck(bytes: Uint8Array): void {
    const ack = this.openAck(bytes);
    if (!ack) return;
    const batch = this.inFlight.get(ack.batchId);
    const refusal = this.ledger.check(ack, batch);
    if (refusal) {
      if (batch === undefined && ack.batchId < this.firstBatchId) {
        // Signed by central for a batch of an earlier run: those events go again anyway.
        this.deps.log.info({ batchId: ack.batchId }, "an ack of an earlier run ignored");
        return;
      }
      this.refuseAck(refusal, ack);
      return;
    }
    this.counters.acks++;
    for (const [from, to] of ack.ranges) {
      if (to > this.deletedUpTo) this.acked.add(Math.max(from, this.deletedUpTo + 1), to);
    }
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

  private openAck(bytes: Uint8Array): EventAck | undefined {
    let ack: EventAck;
    try {
      ack = decodeEventAck(openEnvelope(bytes, "ack", this.deps.centralKeys));
    } catch (err) {
      this.counters.acksRefused++;
      this.deps.security.refused("ack", refusalReason(err, bytes), { bytes: bytes.byteLength });
      return undefined;
    }
    if (ack.site !== this.deps.site) {
      this.refuseAck("WRONG_SITE", ack);
      return undefined;
    }
    return ack;
  }

  private refuseAck(reason: string, ack: EventAck): void {
    this.counters.acksRefused++;
    const first = ack.ranges[0];
    const last = ack.ranges[ack.ranges.length - 1];
    this.deps.security.refused("ack", reason, {
      site: ack.site,
      batchId: ack.batchId,
      epoch: ack.epoch,
      ranges: ack.ranges.length,
      from: first ? first[0] : null,
      to: last ? last[1] : null,
    });
  }

  /** Deletes the contiguous acknowledged prefix of the outbox. */
  private deletePrefix(): void {
    let upTo = this.deletedUpTo;
    for (;;) {
      const next = this.reader.nextSeq(upTo);
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
        const rows = this.reader.rowsAfter(this.cursor, this.batchEvents);
        if (rows.length === 0) break;
        const fresh = rows.filter((row) => !this.acked.has(row.seq));
        const lastRead = (rows[rows.length - 1] as OutboxRow).seq;
        if (fresh.length === 0) {
          this.cursor = lastRead;
          continue;
        }
        const sent = this.sendNew(fresh);
        this.cursor = sent < fresh.length ? (fresh[sent - 1] as OutboxRow).seq : lastRead;
      }
    } finally {
      this.pumping = false;
    }
    this.armPoll();
  }

  /**
   * Publishes a new batch of the first events of `rows` that fit and share the first one's
   * epoch; returns how many.
   */
  private sendNew(rows: readonly OutboxRow[]): number {
    const epoch = (rows[0] as OutboxRow).epoch;
    const records: EventRecord[] = [];
    let bytes = HEADER_BYTES;
    for (const row of rows) {
      if (row.epoch !== epoch) break;
      const record = this.toRecord(row);
      const size = recordBytes(record);
      if (records.length > 0 && bytes + size > MAX_MESSAGE_BYTES) break;
      records.push(record);
      bytes += size;
    }
    const batchId = this.nextBatchId++;
    const count = this.publish(batchId, epoch, records);
    const seqs = records.slice(0, count).map((r) => r.seq);
    const batch: Batch = {
      batchId,
      epoch,
      from: seqs[0] as number,
      to: seqs[seqs.length - 1] as number,
      seqs,
      attempts: 1,
      timer: undefined,
    };
    this.inFlight.set(batchId, batch);
    this.ledger.sent(epoch, seqs);
    this.armAckTimer(batch);
    return count;
  }

  /**
   * Encodes, signs and publishes the longest prefix of `records` that fits one message (the
   * size estimate is checked against the encoding); returns how many went.
   */
  private publish(batchId: number, epoch: string, records: readonly EventRecord[]): number {
    let count = records.length;
    for (;;) {
      const payload = encodeEventBatch({
        site: this.deps.site,
        batchId,
        epoch,
        events: records.slice(0, count),
      });
      if (payload.byteLength + ENVELOPE_OVERHEAD_BYTES <= MAX_MESSAGE_BYTES || count === 1) {
        const envelope = this.deps.signer.sign("events", payload);
        this.deps.link.publish(topics.events(this.deps.site), envelope, { qos: 1 });
        this.counters.batchesSent++;
        this.counters.eventsSent += count;
        return count;
      }
      count = Math.max(1, Math.floor(count / 2));
    }
  }

  private toRecord(row: OutboxRow): EventRecord {
    const record = recordOf(row);
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
    const rows = this.reader
      .rowsIn(batch.from, batch.to)
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
    const records = rows
      .filter((row) => row.epoch === batch.epoch)
      .map((row) => this.toRecord(row));
    // The batch fitted when first sent; resend it whole (a part that no longer fits
    // would have been cut then).
    this.publish(batch.batchId, batch.epoch, records);
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
    this.depth = this.reader.depth();
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

  /** Compares the outbox depth with the alarm levels. */
  checkAlarm(): void {
    this.refreshDepth();
    this.alarm.check(this.depth);
  }
}
