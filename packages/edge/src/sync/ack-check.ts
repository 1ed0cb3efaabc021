import type { EventAck } from "@acs/protocol";

/** A batch in flight, as far as its ack is concerned. */
export interface SentBatch {
  readonly batchId: number;
  readonly epoch: string;
  /** Ascending. */
  readonly seqs: readonly number[];
}

/** Why a (signed) ack is not acted on. */
export type AckRefusal = "WRONG_EPOCH" | "NOT_SENT";

/**
 * What this uplink has sent, per epoch, so that an ack can only name what was sent: an
 * ack of a batch in flight may name only that batch's seqs; an ack of an earlier batch of
 * this run (its batch went again meanwhile) only seqs sent under its epoch in this run.
 */
export class SentLedger {
  private readonly spans = new Map<string, { lo: number; hi: number }>();

  /** Records a batch as sent. */
  sent(epoch: string, seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    const lo = seqs[0] as number;
    const hi = seqs[seqs.length - 1] as number;
    const span = this.spans.get(epoch);
    if (!span) this.spans.set(epoch, { lo, hi });
    else {
      span.lo = Math.min(span.lo, lo);
      span.hi = Math.max(span.hi, hi);
    }
  }

  /** Undefined when `ack` names only what was sent; else why not. */
  check(ack: EventAck, inFlight: SentBatch | undefined): AckRefusal | undefined {
    if (inFlight) {
      if (inFlight.epoch !== ack.epoch) return "WRONG_EPOCH";
      for (const [from, to] of ack.ranges) {
        if (!coversOnly(inFlight.seqs, from, to)) return "NOT_SENT";
      }
      return undefined;
    }
    const span = this.spans.get(ack.epoch);
    if (!span) return "WRONG_EPOCH";
    for (const [from, to] of ack.ranges) if (from < span.lo || to > span.hi) return "NOT_SENT";
    return undefined;
  }
}

/** Whether every integer of [from, to] is in `seqs` (ascending, distinct). */
function coversOnly(seqs: readonly number[], from: number, to: number): boolean {
  if (to - from + 1 > seqs.length) return false;
  const start = lowerBound(seqs, from);
  const end = start + (to - from);
  return seqs[start] === from && end < seqs.length && seqs[end] === to;
}

function lowerBound(seqs: readonly number[], value: number): number {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((seqs[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
