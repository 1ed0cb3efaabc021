import { WireWriter } from "../wire.js";
import type { RecordKind } from "./shared.js";
import { DELTA_KINDS } from "./site-delta.js";

// Sizes of delta entries, for splitDelta.

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

const scratch = { w: new WireWriter(256) };

/** Bytes one upserted record of `kind` takes inside DeltaUpserts (tag, length, body). */
export function upsertEntrySize(kind: RecordKind, record: unknown): number {
  const entry = DELTA_KINDS.find((k) => k.kind === kind)!;
  const w = scratch.w;
  w.pos = 0;
  (entry.write as (w: WireWriter, r: unknown) => void)(w, record);
  const body = w.pos;
  if (body > 1 << 20) scratch.w = new WireWriter(256); // do not keep a huge scratch buffer
  return 1 + varintSize(body) + body;
}

/**
 * Bytes one deleted id takes inside DeltaDeletes: the varint in its packed list (numeric
 * kinds) or tag, length and string (door ids). A packed list's own tag and length are
 * not included.
 */
export function deleteEntrySize(kind: RecordKind, id: string | number): number {
  if (kind === "doorPolicies") {
    const len = Buffer.byteLength(id as string, "utf8");
    return 1 + varintSize(len) + len;
  }
  return varintSize(id as number);
}
