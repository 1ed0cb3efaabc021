import type { SiteDelta, SitePolicy } from "../model.js";
import { checkId, checkNonEmpty, checkSite } from "../validate.js";
import { malformed, WireReader, WireWriter } from "../wire.js";
import {
  readArea,
  readHolidayCalendar,
  readSchedule,
  writeArea,
  writeHolidayCalendar,
  writeSchedule,
} from "./areas-schedules-calendars.js";
import { readCard, readPerson, writeCard, writePerson } from "./cards-persons.js";
import {
  readCertificate,
  readDoorPolicy,
  readSitePolicy,
  writeCertificate,
  writeDoorPolicy,
  writeSitePolicy,
} from "./certificates-policies.js";
import {
  readAuthorization,
  readEmployment,
  writeAuthorization,
  writeEmployment,
} from "./employments-authorizations.js";
import { checkSize, guard, type RecordKind, writeAll } from "./shared.js";

type UpsertWriter = (w: WireWriter, record: never) => void;

/** Per kind: its field tag in DeltaUpserts and in DeltaDeletes, and its record writer. */
export const DELTA_KINDS: ReadonlyArray<{
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
