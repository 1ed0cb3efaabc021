import { invalid } from "../errors.js";
import { CARD_STATUS_VALUES } from "./schemas.js";

// --- fast validation of the large lists (zod costs microseconds per record) ---
// A path (`cards[12].personId`) is only built for an error: building it per field would cost
// more than the checks.

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
export const STATUSES = new Set<string>(CARD_STATUS_VALUES);
export const RAW_BITS = /^[01]{1,128}$/;
export const CERTIFICATE_TYPE = /^[A-Za-z0-9_-]{1,32}$/;

export const at = (list: string, i: number, field?: string): string =>
  field === undefined ? `${list}[${i}]` : `${list}[${i}].${field}`;

export function checkId(v: unknown, list: string, i: number, field: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
    throw invalid(at(list, i, field), "expected an id (an integer >= 1)");
  }
  return v;
}
export function checkText(v: unknown, list: string, i: number, field: string, max: number): void {
  if (typeof v !== "string" || v.length === 0 || v.length > max) {
    throw invalid(at(list, i, field), `expected a non-empty string of at most ${max} characters`);
  }
}
export function checkOptText(
  v: unknown,
  list: string,
  i: number,
  field: string,
  max: number,
): void {
  if (v !== undefined && v !== null) checkText(v, list, i, field, max);
}
export function checkOptInt(v: unknown, list: string, i: number, field: string): void {
  if (v === undefined || v === null) return;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw invalid(at(list, i, field), "expected an integer >= 0");
  }
}
/** An instant as epoch ms; null for null/undefined; NaN when it is not an instant. */
export function instant(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : Number.NaN;
  if (typeof v === "string" && ISO_INSTANT.test(v)) return Date.parse(v);
  return Number.NaN;
}
export function checkInstant(
  v: unknown,
  list: string,
  i: number,
  field: string,
  required: boolean,
): number | null {
  const t = instant(v);
  if ((t === null && required) || (t !== null && !Number.isFinite(t))) {
    throw invalid(
      at(list, i, field),
      "expected epoch ms or an ISO-8601 date-time with offset, e.g. 2026-01-01T00:00:00+01:00",
    );
  }
  return t;
}
export function checkInterval(
  r: Record<string, unknown>,
  list: string,
  i: number,
  fromField: string,
  untilField: string,
  fromRequired = false,
): void {
  const from = checkInstant(r[fromField], list, i, fromField, fromRequired);
  const until = checkInstant(r[untilField], list, i, untilField, false);
  if (from !== null && until !== null && until < from) {
    throw invalid(at(list, i, untilField), "lies before the start of the interval");
  }
}
export function checkRecord(
  v: unknown,
  list: string,
  i: number,
  allowed: ReadonlySet<string>,
): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw invalid(at(list, i), "expected an object");
  }
  for (const key in v) {
    if (!allowed.has(key)) throw invalid(at(list, i, key), "unknown field");
  }
  return v as Record<string, unknown>;
}
export const fields = (...names: string[]): ReadonlySet<string> => new Set(names);
export const orNull = (v: unknown): unknown => (v === undefined ? null : v);

/**
 * The ids of one list: a bitmap when they are dense enough (millions of ids check in
 * milliseconds), else a Set.
 */
export class IdSet {
  private readonly bits: Uint8Array | null;
  private readonly set: Set<number> | null;
  readonly size: number;

  constructor(ids: readonly number[], onDuplicate: (i: number) => never) {
    let max = 0;
    for (const id of ids) if (id > max) max = id;
    this.size = ids.length;
    if (max <= Math.max(1 << 20, ids.length * 16)) {
      const bits = new Uint8Array(max + 1);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        if (bits[id] === 1) onDuplicate(i);
        bits[id] = 1;
      }
      this.bits = bits;
      this.set = null;
    } else {
      const set = new Set<number>();
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        if (set.has(id)) onDuplicate(i);
        set.add(id);
      }
      this.bits = null;
      this.set = set;
    }
  }

  has(id: number): boolean {
    return this.bits !== null ? this.bits[id] === 1 : (this.set as Set<number>).has(id);
  }
}
