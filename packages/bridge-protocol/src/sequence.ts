/** Sequence numbers run 1..255 and wrap to 1; 0 marks an unsequenced frame (§5). */
export const FIRST_SEQ = 1;

export function nextSeq(seq: number): number {
  return seq >= 255 ? 1 : seq + 1;
}

export function prevSeq(seq: number): number {
  return seq <= 1 ? 255 : seq - 1;
}

/** Steps forward from `from` to `to` on the 1..255 ring. */
export function seqDistance(from: number, to: number): number {
  return (to - from + 255) % 255;
}
