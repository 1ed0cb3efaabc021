import { ProtocolError } from "./errors.js";
import { MAX_MESSAGE_BYTES } from "./limits.js";
import type {
  Area,
  Authorization,
  Card,
  Certificate,
  DoorPolicy,
  Employment,
  HolidayCalendar,
  Person,
  Schedule,
  SiteDelta,
  SitePolicy,
  SiteState,
} from "./model.js";
import {
  readArea,
  readHolidayCalendar,
  readSchedule,
  writeArea,
  writeHolidayCalendar,
  writeSchedule,
} from "./state-codec/areas-schedules-calendars.js";
import { readCard, readPerson, writeCard, writePerson } from "./state-codec/cards-persons.js";
import {
  readCertificate,
  readDoorPolicy,
  readSitePolicy,
  writeCertificate,
  writeDoorPolicy,
  writeSitePolicy,
} from "./state-codec/certificates-policies.js";
import {
  readAuthorization,
  readEmployment,
  writeAuthorization,
  writeEmployment,
} from "./state-codec/employments-authorizations.js";
import { checkId, checkNonEmpty, checkSite } from "./validate.js";
import { malformed, WireReader, WireWriter } from "./wire.js";

/**
 * SiteState and SiteDelta on the wire (proto/acs.proto), hand-written like protobufjs's
 * static code but mapping straight to and from the model's plain objects: a state of
 * millions of records encodes and decodes in a few seconds.
 */

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
function writeAll<T>(
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

// ---------------------------------------------------------------------------------------
// SiteState
// ---------------------------------------------------------------------------------------

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

function estimateStateBytes(s: SiteState): number {
  return (
    256 +
    s.doorPolicies.length * 24 +
    s.persons.length * 24 +
    s.cards.length * 40 +
    s.employments.length * 20 +
    s.areas.length * 32 +
    s.authorizations.length * 20 +
    s.schedules.length * 64 +
    s.holidayCalendars.length * 128 +
    s.certificates.length * 32
  );
}

/** A full site state as protobuf (acs.v1.SiteState). Not size-limited: cut it with splitSnapshot. */
export function encodeSiteState(state: SiteState): Uint8Array {
  return guard("SiteState", () => {
    checkSite(state.site, "SiteState");
    for (const kind of RECORD_KINDS) {
      // A list left out would reach the edge as "no records of this kind".
      if (!Array.isArray(state[kind])) throw malformed(`SiteState.${kind}: must be an array`);
    }
    const w = new WireWriter(estimateStateBytes(state));
    w.byte(0x0a);
    w.string(state.site);
    if (state.version !== 0) {
      w.byte(0x10);
      w.uint53(state.version, "SiteState.version");
    }
    if (state.sitePolicy == null) throw malformed("SiteState.sitePolicy: missing");
    w.byte(0x1a);
    const start = w.fork();
    writeSitePolicy(w, state.sitePolicy);
    w.ldelim(start);
    writeAll(w, 0x22, state.doorPolicies, writeDoorPolicy);
    writeAll(w, 0x2a, state.persons, writePerson);
    writeAll(w, 0x32, state.cards, writeCard);
    writeAll(w, 0x3a, state.employments, writeEmployment);
    writeAll(w, 0x42, state.areas, writeArea);
    writeAll(w, 0x4a, state.authorizations, writeAuthorization);
    writeAll(w, 0x52, state.schedules, writeSchedule);
    writeAll(w, 0x5a, state.holidayCalendars, writeHolidayCalendar);
    writeAll(w, 0x62, state.certificates, writeCertificate);
    return w.finish();
  });
}

/**
 * A full site state from protobuf. Not size-limited (a snapshot is reassembled from its
 * chunks first). Every problem is a ProtocolError("MALFORMED").
 */
export function decodeSiteState(bytes: Uint8Array): SiteState {
  return guard("SiteState", () => {
    if (!(bytes instanceof Uint8Array)) throw malformed("SiteState: input is not bytes");
    const r = new WireReader(bytes);
    let site = "";
    let version = 0;
    let sitePolicy: SitePolicy | undefined;
    const doorPolicies: DoorPolicy[] = [];
    const persons: Person[] = [];
    const cards: Card[] = [];
    const employments: Employment[] = [];
    const areas: Area[] = [];
    const authorizations: Authorization[] = [];
    const schedules: Schedule[] = [];
    const holidayCalendars: HolidayCalendar[] = [];
    const certificates: Certificate[] = [];
    while (r.pos < r.len) {
      const tag = r.tag();
      switch (tag) {
        case 0x0a:
          site = r.string();
          break;
        case 0x10:
          version = r.uint53();
          break;
        case 0x1a:
          sitePolicy = readSitePolicy(r, r.message(), sitePolicy);
          break;
        case 0x22:
          doorPolicies.push(readDoorPolicy(r, r.message()));
          break;
        case 0x2a:
          persons.push(readPerson(r, r.message()));
          break;
        case 0x32:
          cards.push(readCard(r, r.message()));
          break;
        case 0x3a:
          employments.push(readEmployment(r, r.message()));
          break;
        case 0x42:
          areas.push(readArea(r, r.message()));
          break;
        case 0x4a:
          authorizations.push(readAuthorization(r, r.message()));
          break;
        case 0x52:
          schedules.push(readSchedule(r, r.message()));
          break;
        case 0x5a:
          holidayCalendars.push(readHolidayCalendar(r, r.message()));
          break;
        case 0x62:
          certificates.push(readCertificate(r, r.message()));
          break;
        default:
          r.unknown(tag, 12, "SiteState");
      }
    }
    checkSite(site, "SiteState");
    if (sitePolicy === undefined) throw malformed("SiteState.sitePolicy: missing");
    return {
      site,
      version,
      sitePolicy,
      doorPolicies,
      persons,
      cards,
      employments,
      areas,
      authorizations,
      schedules,
      holidayCalendars,
      certificates,
    };
  });
}

// ---------------------------------------------------------------------------------------
// SiteDelta
// ---------------------------------------------------------------------------------------

type UpsertWriter = (w: WireWriter, record: never) => void;

/** Per kind: its field tag in DeltaUpserts and in DeltaDeletes, and its record writer. */
const DELTA_KINDS: ReadonlyArray<{
  readonly kind: RecordKind;
  readonly upsertTag: number;
  readonly deleteTag: number;
  readonly write: UpsertWriter;
}> = [
  { kind: "doorPolicies", upsertTag: 0x0a, deleteTag: 0x0a, write: writeDoorPolicy },
  { kind: "persons", upsertTag: 0x12, deleteTag: 0x12, write: writePerson },
  { kind: "cards", upsertTag: 0x1a, deleteTag: 0x1a, write: writeCard },
  { kind: "employments", upsertTag: 0x22, deleteTag: 0x22, write: writeEmployment },
  { kind: "areas", upsertTag: 0x2a, deleteTag: 0x2a, write: writeArea },
  { kind: "authorizations", upsertTag: 0x32, deleteTag: 0x32, write: writeAuthorization },
  { kind: "schedules", upsertTag: 0x3a, deleteTag: 0x3a, write: writeSchedule },
  { kind: "holidayCalendars", upsertTag: 0x42, deleteTag: 0x42, write: writeHolidayCalendar },
  { kind: "certificates", upsertTag: 0x4a, deleteTag: 0x4a, write: writeCertificate },
];

function hasAny(lists: Readonly<Record<string, readonly unknown[] | undefined>>): boolean {
  for (const { kind } of DELTA_KINDS) {
    const list = lists[kind];
    if (list != null && list.length > 0) return true;
  }
  return false;
}

function writeDelta(w: WireWriter, delta: SiteDelta): void {
  checkSite(delta.site, "SiteDelta");
  w.byte(0x0a);
  w.string(delta.site);
  w.byte(0x10);
  w.id(delta.version, "SiteDelta.version");
  if (delta.sitePolicy != null) {
    w.byte(0x1a);
    const start = w.fork();
    writeSitePolicy(w, delta.sitePolicy);
    w.ldelim(start);
  }
  const upsert = delta.upsert as Readonly<Record<string, readonly never[] | undefined>>;
  if (upsert == null) throw malformed("SiteDelta.upsert: missing");
  if (hasAny(upsert)) {
    w.byte(0x22);
    const start = w.fork();
    for (const { kind, upsertTag, write } of DELTA_KINDS) {
      writeAll(w, upsertTag, upsert[kind], write);
    }
    w.ldelim(start);
  }
  const deletes = delta.delete as Readonly<
    Record<string, readonly (string | number)[] | undefined>
  >;
  if (deletes == null) throw malformed("SiteDelta.delete: missing");
  if (hasAny(deletes)) {
    w.byte(0x2a);
    const start = w.fork();
    for (const { kind, deleteTag } of DELTA_KINDS) {
      const ids = deletes[kind];
      if (ids == null || ids.length === 0) continue;
      if (kind === "doorPolicies") {
        for (const doorId of ids as readonly string[]) {
          checkNonEmpty(doorId, "SiteDelta.delete.doorPolicies");
          w.byte(deleteTag);
          w.string(doorId);
        }
      } else {
        w.byte(deleteTag);
        const packed = w.fork();
        for (const id of ids as readonly number[]) w.id(id, `SiteDelta.delete.${kind}`);
        w.ldelim(packed);
      }
    }
    w.ldelim(start);
  }
  if (delta.partial === true) {
    w.byte(0x30);
    w.byte(1);
  } else if (delta.partial != null && delta.partial !== false) {
    throw malformed("SiteDelta.partial: must be a boolean");
  }
}

/**
 * A delta as protobuf (acs.v1.SiteDelta). Not size-limited: splitDelta cuts one too big
 * for a message. Empty kinds and `partial: false` are left out (they decode as absent).
 */
export function encodeDelta(delta: SiteDelta): Uint8Array {
  return guard("SiteDelta", () => {
    const w = new WireWriter(1024);
    writeDelta(w, delta);
    return w.finish();
  });
}

type MutableLists<T> = {
  -readonly [K in keyof T]-?: NonNullable<T[K]> extends readonly (infer E)[] ? E[] : never;
};

/**
 * A delta from protobuf; refuses more than MAX_MESSAGE_BYTES (OVERSIZED). In the result,
 * `upsert` and `delete` have only the kinds with records, `sitePolicy` only when it
 * changes and `partial` only when true.
 */
export function decodeDelta(bytes: Uint8Array): SiteDelta {
  checkSize(bytes, "SiteDelta");
  return decodeDeltaUnlimited(bytes);
}

/** decodeDelta without the size limit (central, tests, splitDelta's checks). */
export function decodeDeltaUnlimited(bytes: Uint8Array): SiteDelta {
  return guard("SiteDelta", () => {
    if (!(bytes instanceof Uint8Array)) throw malformed("SiteDelta: input is not bytes");
    const r = new WireReader(bytes);
    let site = "";
    let version = 0;
    let sitePolicy: SitePolicy | undefined;
    let partial = false;
    const upsert: Partial<MutableLists<SiteDelta["upsert"]>> = {};
    const deletes: Partial<MutableLists<SiteDelta["delete"]>> = {};
    while (r.pos < r.len) {
      const tag = r.tag();
      switch (tag) {
        case 0x0a:
          site = r.string();
          break;
        case 0x10:
          version = r.uint53();
          break;
        case 0x1a:
          sitePolicy = readSitePolicy(r, r.message(), sitePolicy);
          break;
        case 0x22:
          readUpserts(r, r.message(), upsert);
          break;
        case 0x2a:
          readDeletes(r, r.message(), deletes);
          break;
        case 0x30:
          partial = r.bool();
          break;
        default:
          r.unknown(tag, 6, "SiteDelta");
      }
    }
    checkSite(site, "SiteDelta");
    checkId(version, "SiteDelta.version");
    return {
      site,
      version,
      ...(partial ? { partial: true } : {}),
      ...(sitePolicy !== undefined ? { sitePolicy } : {}),
      upsert,
      delete: deletes,
    };
  });
}

function push<T>(lists: Record<string, T[] | undefined>, kind: string, value: T): void {
  const list = lists[kind];
  if (list === undefined) lists[kind] = [value];
  else list.push(value);
}

function readUpserts(
  r: WireReader,
  end: number,
  out: Partial<MutableLists<SiteDelta["upsert"]>>,
): void {
  const lists = out as Record<string, unknown[] | undefined>;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a:
        push(lists, "doorPolicies", readDoorPolicy(r, r.message()));
        break;
      case 0x12:
        push(lists, "persons", readPerson(r, r.message()));
        break;
      case 0x1a:
        push(lists, "cards", readCard(r, r.message()));
        break;
      case 0x22:
        push(lists, "employments", readEmployment(r, r.message()));
        break;
      case 0x2a:
        push(lists, "areas", readArea(r, r.message()));
        break;
      case 0x32:
        push(lists, "authorizations", readAuthorization(r, r.message()));
        break;
      case 0x3a:
        push(lists, "schedules", readSchedule(r, r.message()));
        break;
      case 0x42:
        push(lists, "holidayCalendars", readHolidayCalendar(r, r.message()));
        break;
      case 0x4a:
        push(lists, "certificates", readCertificate(r, r.message()));
        break;
      default:
        r.unknown(tag, 9, "DeltaUpserts");
    }
  }
  r.end(end, "DeltaUpserts");
}

function readDeletes(
  r: WireReader,
  end: number,
  out: Partial<MutableLists<SiteDelta["delete"]>>,
): void {
  const lists = out as Record<string, unknown[] | undefined>;
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (tag === 0x0a) {
      const doorId = r.string();
      checkNonEmpty(doorId, "DeltaDeletes.doorPolicies");
      push(lists, "doorPolicies", doorId);
      continue;
    }
    const kind = field >= 2 && field <= 9 ? DELTA_KINDS[field - 1]!.kind : undefined;
    if (kind !== undefined && (tag & 7) === 2) {
      const packedEnd = r.message();
      while (r.pos < packedEnd) {
        const id = r.uint53();
        checkId(id, `DeltaDeletes.${kind}`);
        push(lists, kind, id);
      }
      r.end(packedEnd, `DeltaDeletes.${kind}`);
    } else if (kind !== undefined && (tag & 7) === 0) {
      const id = r.uint53();
      checkId(id, `DeltaDeletes.${kind}`);
      push(lists, kind, id);
    } else {
      r.unknown(tag, 9, "DeltaDeletes");
    }
  }
  r.end(end, "DeltaDeletes");
}

export function checkSize(bytes: Uint8Array, what: string): void {
  if (bytes instanceof Uint8Array && bytes.length > MAX_MESSAGE_BYTES) {
    throw new ProtocolError(
      "OVERSIZED",
      `${what}: ${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Sizes, for splitDelta
// ---------------------------------------------------------------------------------------

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
