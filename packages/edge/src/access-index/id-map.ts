/**
 * A numeric id -> slot map in two typed arrays (open addressing, linear probing). For
 * millions of ids it takes a fraction of a Map's memory and builds and looks up faster.
 * Ids are positive integers below 2^53; slots are non-negative int32.
 */
export interface IdMapData {
  readonly keys: Float64Array;
  readonly slots: Int32Array;
  readonly count: number;
}

export class IdMap {
  private readonly keys: Float64Array;
  private readonly slots: Int32Array;
  private readonly mask: number;
  private count = 0;

  constructor(expected: number, from?: IdMapData) {
    if (from) {
      this.keys = from.keys;
      this.slots = from.slots;
      this.count = from.count;
    } else {
      let capacity = 16;
      while (capacity < expected * 2) capacity *= 2;
      this.keys = new Float64Array(capacity);
      this.slots = new Int32Array(capacity);
    }
    this.mask = this.keys.length - 1;
  }

  /** The arrays behind the map, to move it to another thread (see index-transfer.ts). */
  data(): IdMapData {
    return { keys: this.keys, slots: this.slots, count: this.count };
  }

  get size(): number {
    return this.count;
  }

  /** Sets the slot of `id`; the last set wins. */
  set(id: number, slot: number): void {
    let i = hashId(id) & this.mask;
    for (;;) {
      const key = this.keys[i] as number;
      if (key === 0) {
        this.keys[i] = id;
        this.slots[i] = slot;
        this.count++;
        return;
      }
      if (key === id) {
        this.slots[i] = slot;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of `id`, or -1. */
  get(id: number): number {
    let i = hashId(id) & this.mask;
    for (;;) {
      const key = this.keys[i] as number;
      if (key === id) return this.slots[i] as number;
      if (key === 0) return -1;
      i = (i + 1) & this.mask;
    }
  }
}

/** Mixes both 32-bit halves of an id, so sequential and strided ids spread evenly. */
export function hashId(id: number): number {
  const low = id | 0;
  const high = (id / 4294967296) | 0;
  let h = Math.imul(low ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
