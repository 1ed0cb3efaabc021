import { hashId } from "./id-map.js";

/**
 * (format, facility, number) -> card slot, in typed arrays like IdMap. A card is known by
 * the format it is encoded in and its fields; facility is -1 for formats without one.
 */
export interface CredentialMapData {
  readonly formats: Uint8Array;
  readonly facilities: Float64Array;
  readonly numbers: Float64Array;
  readonly slots: Int32Array;
}

export class CredentialMap {
  private readonly formats: Uint8Array;
  private readonly facilities: Float64Array;
  private readonly numbers: Float64Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(expected: number, from?: CredentialMapData) {
    if (from) {
      this.formats = from.formats;
      this.facilities = from.facilities;
      this.numbers = from.numbers;
      this.slots = from.slots;
    } else {
      let capacity = 16;
      while (capacity < expected * 2) capacity *= 2;
      this.formats = new Uint8Array(capacity);
      this.facilities = new Float64Array(capacity);
      this.numbers = new Float64Array(capacity);
      this.slots = new Int32Array(capacity).fill(-1);
    }
    this.mask = this.slots.length - 1;
  }

  /** The arrays behind the map, to move it to another thread (see index-transfer.ts). */
  data(): CredentialMapData {
    return {
      formats: this.formats,
      facilities: this.facilities,
      numbers: this.numbers,
      slots: this.slots,
    };
  }

  /** `formatId` is 1..255 (0 marks an empty bucket). */
  set(formatId: number, facility: number, number: number, slot: number): void {
    let i = this.bucket(formatId, facility, number);
    for (;;) {
      if (this.slots[i] === -1) {
        this.formats[i] = formatId;
        this.facilities[i] = facility;
        this.numbers[i] = number;
        this.slots[i] = slot;
        return;
      }
      if (
        this.formats[i] === formatId &&
        this.facilities[i] === facility &&
        this.numbers[i] === number
      ) {
        this.slots[i] = slot;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  get(formatId: number, facility: number, number: number): number {
    let i = this.bucket(formatId, facility, number);
    for (;;) {
      const slot = this.slots[i] as number;
      if (slot === -1) return -1;
      if (
        this.formats[i] === formatId &&
        this.facilities[i] === facility &&
        this.numbers[i] === number
      ) {
        return slot;
      }
      i = (i + 1) & this.mask;
    }
  }

  private bucket(formatId: number, facility: number, number: number): number {
    return (
      (hashId(number) ^ Math.imul(hashId(facility + 1), 31) ^ Math.imul(formatId, 0x9e3779b1)) &
      this.mask
    );
  }
}
