/**
 * A set of integers kept as sorted, disjoint, non-adjacent inclusive ranges: the outbox
 * sequence numbers central acknowledged beyond the deleted prefix.
 */
export class SeqRanges {
  private ranges: Array<[number, number]> = [];

  get size(): number {
    return this.ranges.length;
  }

  /** Adds [from, to] (inclusive), merging with overlapping or adjacent ranges. */
  add(from: number, to: number): void {
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to)) || from > to) return;
    const out: Array<[number, number]> = [];
    let lo = from;
    let hi = to;
    let placed = false;
    for (const range of this.ranges) {
      if (range[1] + 1 < lo) out.push(range);
      else if (hi + 1 < range[0]) {
        if (!placed) {
          out.push([lo, hi]);
          placed = true;
        }
        out.push(range);
      } else {
        lo = Math.min(lo, range[0]);
        hi = Math.max(hi, range[1]);
      }
    }
    if (!placed) out.push([lo, hi]);
    this.ranges = out;
  }

  /** The range holding `seq`, if any. */
  rangeOf(seq: number): readonly [number, number] | undefined {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = this.ranges[mid] as [number, number];
      if (seq < range[0]) hi = mid - 1;
      else if (seq > range[1]) lo = mid + 1;
      else return range;
    }
    return undefined;
  }

  has(seq: number): boolean {
    return this.rangeOf(seq) !== undefined;
  }

  /** Forgets every number <= `seq`. */
  dropUpTo(seq: number): void {
    const out: Array<[number, number]> = [];
    for (const [from, to] of this.ranges) {
      if (to <= seq) continue;
      out.push([Math.max(from, seq + 1), to]);
    }
    this.ranges = out;
  }

  clear(): void {
    this.ranges = [];
  }

  toArray(): Array<readonly [number, number]> {
    return this.ranges.map(([a, b]) => [a, b] as const);
  }
}
