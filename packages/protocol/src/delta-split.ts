import { ProtocolError } from "./errors.js";
import { CHUNK_BYTES } from "./limits.js";
import type { SiteDelta } from "./model.js";
import { deleteEntrySize, encodeDelta, type RecordKind, upsertEntrySize } from "./state-codec.js";

/**
 * Upserts go first, referenced kinds before the kinds that reference them; deletes
 * follow, referencing kinds first. Pieces of one change are applied one by one, so an
 * edge store that checks references never sees a dangling one mid-change.
 */
const UPSERT_ORDER: readonly RecordKind[] = [
  "holidayCalendars",
  "schedules",
  "areas",
  "persons",
  "employments",
  "cards",
  "certificates",
  "authorizations",
  "doorPolicies",
];
const DELETE_ORDER: readonly RecordKind[] = [...UPSERT_ORDER].reverse();

/** Upper bound of a varint's bytes for any number below 2^53. */
const MAX_VARINT53 = 8;

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

interface Piece {
  upsert: Partial<Record<RecordKind, unknown[]>>;
  delete: Partial<Record<RecordKind, Array<string | number>>>;
  size: number;
  empty: boolean;
}

/**
 * Cuts a delta whose encoding is larger than `maxBytes` into several deltas of at most
 * `maxBytes` each (whole records, never a record cut in two). A delta that fits comes
 * back alone and unchanged.
 *
 * The pieces carry consecutive versions: delta.version, delta.version + 1, ...; every one
 * but the last has `partial: true` (the last keeps the delta's own `partial`), and only
 * the first carries `sitePolicy`. An edge applies each piece as a delta of its own and
 * acts on the change after the last. So the caller (central) must assign versions
 * accordingly: split before it records the version of the change, and give the next
 * change version delta.version + pieces.length.
 *
 * Upserts come before deletes; referenced kinds are upserted first and deleted last.
 * Throws ProtocolError("OVERSIZED") if a single record cannot fit in `maxBytes`, and
 * ProtocolError("MALFORMED") for a delta encodeDelta refuses.
 */
export function splitDelta(delta: SiteDelta, maxBytes: number = CHUNK_BYTES): SiteDelta[] {
  const whole = encodeDelta(delta);
  if (whole.length <= maxBytes) return [delta];

  const siteBytes = Buffer.byteLength(delta.site, "utf8");
  // site, version (any value below 2^53), partial.
  const header = 1 + varintSize(siteBytes) + siteBytes + 1 + MAX_VARINT53 + 2;
  // SitePolicy: tag, length, bool (2) and threshold 0..100 (2).
  const policy = delta.sitePolicy !== undefined ? 6 : 0;
  // Tag and length of DeltaUpserts, DeltaDeletes and each packed id list.
  const wrapper = 1 + varintSize(maxBytes);

  const pieces: Piece[] = [];
  let piece = newPiece(header + policy);

  const add = (
    side: "upsert" | "delete",
    kind: RecordKind,
    entry: unknown,
    entrySize: number,
  ): void => {
    const overhead = (p: Piece): number => {
      let extra = 0;
      const lists = p[side];
      if (!Object.values(lists).some((l) => l !== undefined && l.length > 0)) extra += wrapper;
      const packed = side === "delete" && kind !== "doorPolicies";
      if (packed && (lists[kind] === undefined || lists[kind].length === 0)) extra += wrapper;
      return extra;
    };
    let cost = entrySize + overhead(piece);
    if (piece.size + cost > maxBytes && !piece.empty) {
      pieces.push(piece);
      piece = newPiece(header);
      cost = entrySize + overhead(piece);
    }
    if (piece.size + cost > maxBytes) {
      throw new ProtocolError(
        "OVERSIZED",
        `delta ${delta.site}@${delta.version}: a ${side} of ${kind} takes ${entrySize} bytes, more than fits in ${maxBytes}`,
      );
    }
    const lists = piece[side] as Record<RecordKind, unknown[] | undefined>;
    const list = lists[kind];
    if (list === undefined) lists[kind] = [entry];
    else list.push(entry);
    piece.size += cost;
    piece.empty = false;
  };

  const upsert = delta.upsert as Readonly<Record<RecordKind, readonly unknown[] | undefined>>;
  for (const kind of UPSERT_ORDER) {
    for (const record of upsert[kind] ?? [])
      add("upsert", kind, record, upsertEntrySize(kind, record));
  }
  const deletes = delta.delete as Readonly<
    Record<RecordKind, readonly (string | number)[] | undefined>
  >;
  for (const kind of DELETE_ORDER) {
    for (const id of deletes[kind] ?? []) add("delete", kind, id, deleteEntrySize(kind, id));
  }
  if (!piece.empty) pieces.push(piece);
  if (pieces.length === 0) {
    throw new ProtocolError(
      "OVERSIZED",
      `delta ${delta.site}@${delta.version}: ${whole.length} bytes with no record to split off`,
    );
  }

  const out = pieces.map((p, i): SiteDelta => {
    const last = i === pieces.length - 1;
    const partial = last ? delta.partial === true : true;
    return {
      site: delta.site,
      version: delta.version + i,
      ...(partial ? { partial: true } : {}),
      ...(i === 0 && delta.sitePolicy !== undefined ? { sitePolicy: delta.sitePolicy } : {}),
      upsert: p.upsert,
      delete: p.delete,
    } as SiteDelta;
  });
  for (const d of out) {
    const size = encodeDelta(d).length;
    if (size > maxBytes) {
      // The estimate above is an upper bound; this would be a bug in it.
      throw new Error(`splitDelta: piece ${d.version} is ${size} bytes, more than ${maxBytes}`);
    }
  }
  return out;
}

function newPiece(size: number): Piece {
  return { upsert: {}, delete: {}, size, empty: true };
}
