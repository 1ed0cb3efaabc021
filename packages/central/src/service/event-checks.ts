import type { EventRecord } from "@acs/protocol";

/** The edge's event types: kebab-case words (card-read, access-decision, door-forced-open ...). */
const EVENT_TYPE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Door and reader ids as a site config names them. */
const PLACE_ID = /^[a-z0-9_-]{1,64}$/;
/** The largest payload an edge writes is a few hundred bytes; 64 KiB is far beyond any. */
const MAX_PAYLOAD_CHARS = 65_536;
/** 2000-01-01 .. 2100-01-01: an instant outside is a broken clock or a broken event. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/**
 * Why an event in a correctly signed batch cannot be stored as an access event (its
 * payload is no JSON object, its type or place ids are not the edge's, its instant is out
 * of range), or undefined when it can. Such an event is stored quarantined, flagged and
 * acknowledged like any other, so it never blocks the stream behind it.
 */
export function eventProblem(e: EventRecord): string | undefined {
  if (!EVENT_TYPE.test(e.type)) return "type is not an event type";
  if (e.doorId !== null && !PLACE_ID.test(e.doorId)) return "doorId is not a door id";
  if (e.readerId !== null && !PLACE_ID.test(e.readerId)) return "readerId is not a reader id";
  if (!Number.isSafeInteger(e.at) || e.at < EARLIEST || e.at >= LATEST)
    return "at is not an instant between 2000 and 2100";
  if (e.payloadJson.length > MAX_PAYLOAD_CHARS)
    return `payload over ${MAX_PAYLOAD_CHARS} characters`;
  let payload: unknown;
  try {
    payload = JSON.parse(e.payloadJson);
  } catch {
    return "payload is not JSON";
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    return "payload is not a JSON object";
  return undefined;
}
