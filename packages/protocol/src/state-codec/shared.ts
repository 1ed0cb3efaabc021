import { ProtocolError } from "../errors.js";
import { MAX_MESSAGE_BYTES } from "../limits.js";
import { malformed, type WireWriter } from "../wire.js";

/** The record kinds of a state and a delta, in the order SiteState lists them. */
export const RECORD_KINDS = [
  "doorPolicies",
  "persons",
  "cards",
  "employments",
  "areas",
  "authorizations",
  "schedules",
  "holidayCalendars",
  "certificates",
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Writes `records` as repeated embedded messages of field `tag`. */
export function writeAll<T>(
  w: WireWriter,
  tag: number,
  records: readonly T[] | undefined,
  write: (w: WireWriter, record: T) => void,
): void {
  if (records == null) return;
  for (let i = 0; i < records.length; i++) {
    w.byte(tag);
    const start = w.fork();
    write(w, records[i]!);
    w.ldelim(start);
  }
}

/** Runs an encoder or decoder: anything but a ProtocolError it throws becomes MALFORMED. */
export function guard<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw malformed(`${what}: ${reason}`, error);
  }
}

/** Refuses more than MAX_MESSAGE_BYTES (OVERSIZED). */
export function checkSize(bytes: Uint8Array, what: string): void {
  if (bytes instanceof Uint8Array && bytes.length > MAX_MESSAGE_BYTES) {
    throw new ProtocolError(
      "OVERSIZED",
      `${what}: ${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`,
    );
  }
}
