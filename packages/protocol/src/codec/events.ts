import type { EventAck, EventBatch, EventRecord } from "../messages.js";
import { guard } from "../state-codec/shared.js";
import {
  checkCount,
  checkEpoch,
  checkId,
  checkInstant,
  checkNonEmpty,
  checkSite,
  checkString,
} from "../validate.js";
import { malformed } from "../wire.js";
import { checkList, decodeWith, encodeWith, int, list, optionalStr, str, types } from "./proto.js";

function validateEvent(e: EventRecord): void {
  checkId(e.seq, "EventRecord.seq");
  checkInstant(e.at, "EventRecord.at");
  checkNonEmpty(e.type, "EventRecord.type");
  if (e.doorId !== null) checkNonEmpty(e.doorId, "EventRecord.doorId");
  if (e.readerId !== null) checkNonEmpty(e.readerId, "EventRecord.readerId");
  checkString(e.payloadJson, "EventRecord.payloadJson");
}

function validateEventBatch(b: EventBatch): void {
  checkSite(b.site, "EventBatch");
  checkCount(b.batchId, "EventBatch.batchId");
  checkEpoch(b.epoch, "EventBatch.epoch");
  checkList(b.events, "EventBatch.events");
  for (const e of b.events) validateEvent(e);
}

export function encodeEventBatch(batch: EventBatch): Uint8Array {
  return guard("EventBatch", () => {
    validateEventBatch(batch);
    return encodeWith(types.batch, batch);
  });
}

export function decodeEventBatch(input: Uint8Array): EventBatch {
  return guard("EventBatch", () => {
    const m = decodeWith(types.batch, input, "EventBatch");
    const batch: EventBatch = {
      site: str(m.site),
      batchId: int(m.batchId),
      epoch: str(m.epoch),
      events: list(m.events).map(
        (e): EventRecord => ({
          seq: int(e.seq),
          at: int(e.at),
          type: str(e.type),
          doorId: optionalStr(e.doorId),
          readerId: optionalStr(e.readerId),
          payloadJson: str(e.payloadJson),
        }),
      ),
    };
    validateEventBatch(batch);
    return batch;
  });
}

function validateEventAck(a: EventAck): void {
  checkSite(a.site, "EventAck");
  checkCount(a.batchId, "EventAck.batchId");
  checkEpoch(a.epoch, "EventAck.epoch");
  checkList(a.ranges, "EventAck.ranges");
  for (const range of a.ranges) {
    if (!Array.isArray(range) || range.length !== 2) {
      throw malformed("EventAck.ranges: each range must be [from, to]");
    }
    const [from, to] = range;
    checkId(from, "EventAck.ranges from");
    checkId(to, "EventAck.ranges to");
    if (to < from) throw malformed(`EventAck.ranges: [${from}, ${to}] ends before it starts`);
  }
}

export function encodeEventAck(ack: EventAck): Uint8Array {
  return guard("EventAck", () => {
    validateEventAck(ack);
    return encodeWith(types.ack, {
      site: ack.site,
      batchId: ack.batchId,
      ranges: ack.ranges.map(([from, to]) => ({ from, to })),
      epoch: ack.epoch,
    });
  });
}

export function decodeEventAck(input: Uint8Array): EventAck {
  return guard("EventAck", () => {
    const m = decodeWith(types.ack, input, "EventAck");
    const ack: EventAck = {
      site: str(m.site),
      batchId: int(m.batchId),
      epoch: str(m.epoch),
      ranges: list(m.ranges).map((r): readonly [number, number] => [int(r.from), int(r.to)]),
    };
    validateEventAck(ack);
    return ack;
  });
}
