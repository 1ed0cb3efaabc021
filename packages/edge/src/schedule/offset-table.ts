import { MS_PER_DAY } from "./civil-date.js";
import { InvalidTimeZoneError } from "./errors.js";

/** The zone's UTC offset (local minus UTC, in ms) at an instant that is a whole second. */
export type OffsetProbe = (epochMs: number) => number;

const OFFSET_PATTERN = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

/**
 * An offset probe backed by `Intl.DateTimeFormat` (`timeZoneName: "longOffset"`, which
 * keeps the seconds of historical offsets). Throws `InvalidTimeZoneError` for a zone the
 * runtime does not know. Costs about 1 µs per call: only `OffsetTable` should call it.
 */
export function intlOffsetProbe(zone: string): OffsetProbe {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US-u-ca-gregory-nu-latn", {
      timeZone: zone,
      timeZoneName: "longOffset",
      hour: "numeric",
    });
  } catch {
    throw new InvalidTimeZoneError(zone);
  }
  const probe = (epochMs: number): number => {
    // "1 AM GMT+01:00", "12 AM GMT+00:17:30", "3 PM GMT": `format` is 3x `formatToParts`.
    const match = OFFSET_PATTERN.exec(format.format(epochMs));
    if (match === null) throw new InvalidTimeZoneError(zone);
    const sign = match[1] === "-" ? -1 : 1;
    const seconds =
      Number(match[2] ?? 0) * 3600 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0);
    return sign * seconds * 1000;
  };
  probe(0);
  return probe;
}

/** Offsets are learned 366 days at a time (a multiple of every step below). */
const CHUNK_MS = 366 * MS_PER_DAY;
/** Offsets are sampled every 6 h; a change is then bisected to the second. */
const SAMPLE_MS = 6 * 3_600_000;
const SECOND_MS = 1000;

interface Chunk {
  readonly end: number;
  /** Sorted instants at which a run of constant offset starts; the first is the chunk start. */
  readonly starts: readonly number[];
  readonly offsets: readonly number[];
}

/**
 * A zone's offset transitions, learned lazily from a probe and kept forever (a few numbers
 * per year). Tzdb transitions fall on whole seconds; two transitions less than 6 h apart
 * that cancel each other out would be missed (no zone has had one).
 *
 * `locate()` reports through the mutable `segment*` fields, so the lookup allocates
 * nothing once the chunk is known.
 */
export class OffsetTable {
  /** Start (inclusive) of the run of constant offset that holds the last located instant. */
  segmentStart = 0;
  /** End (exclusive) of that run; runs are cut at chunk edges, so it may not be a transition. */
  segmentEnd = 0;
  /** The offset (local minus UTC, ms) during that run. */
  segmentOffset = 0;

  readonly #probe: OffsetProbe;
  readonly #chunks = new Map<number, Chunk>();

  constructor(probe: OffsetProbe) {
    this.#probe = probe;
  }

  /** Sets the `segment*` fields to the run of constant offset that holds `epochMs`. */
  locate(epochMs: number): void {
    const index = Math.floor(epochMs / CHUNK_MS);
    let chunk = this.#chunks.get(index);
    if (chunk === undefined) {
      chunk = this.#scan(index * CHUNK_MS);
      this.#chunks.set(index, chunk);
    }
    const starts = chunk.starts;
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > epochMs) i--;
    this.segmentStart = starts[i]!;
    this.segmentEnd = i + 1 < starts.length ? starts[i + 1]! : chunk.end;
    this.segmentOffset = chunk.offsets[i]!;
  }

  #scan(start: number): Chunk {
    const probe = this.#probe;
    const end = start + CHUNK_MS;
    const last = end - SECOND_MS;
    let known = start;
    let knownOffset = probe(start);
    const starts = [start];
    const offsets = [knownOffset];
    for (let t = start + SAMPLE_MS; known < last; t += SAMPLE_MS) {
      const at = Math.min(t, last);
      const atOffset = probe(at);
      // Each pass finds one transition in (known, at], until the offset at `at` is reached.
      while (atOffset !== knownOffset) {
        let lo = known;
        let hi = at;
        let hiOffset = atOffset;
        while (hi - lo > SECOND_MS) {
          const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
          const midOffset = probe(mid);
          if (midOffset === knownOffset) {
            lo = mid;
          } else {
            hi = mid;
            hiOffset = midOffset;
          }
        }
        starts.push(hi);
        offsets.push(hiOffset);
        known = hi;
        knownOffset = hiOffset;
      }
      known = at;
    }
    return { end, starts, offsets };
  }
}
