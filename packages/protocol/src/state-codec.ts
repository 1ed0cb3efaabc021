import { ProtocolError } from "./errors.js";
import { MAX_MESSAGE_BYTES } from "./limits.js";
import {
  type Area,
  type Authorization,
  CARD_STATUSES,
  type Card,
  type Certificate,
  DOOR_MODES,
  type DoorPolicy,
  type Employment,
  type HolidayCalendar,
  type Person,
  type Schedule,
  type ScheduleWindow,
  type SiteDelta,
  type SitePolicy,
  type SiteState,
} from "./model.js";
import {
  checkClockFrom,
  checkClockUntil,
  checkId,
  checkIsoDay,
  checkLocalDate,
  checkNonEmpty,
  checkRawBits,
  checkSite,
  enumCode,
  enumCodes,
  enumValue,
} from "./validate.js";
import { malformed, WireReader, WireWriter } from "./wire.js";

/**
 * SiteState and SiteDelta on the wire (proto/acs.proto), hand-written like protobufjs's
 * static code but mapping straight to and from the model's plain objects: a state of
 * millions of records encodes and decodes in a few seconds.
 */

const CARD_STATUS_CODES = enumCodes(CARD_STATUSES);
const DOOR_MODE_CODES = enumCodes(DOOR_MODES);

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

// ---------------------------------------------------------------------------------------
// Records: writers (the message body, without tag and length)
// ---------------------------------------------------------------------------------------

function writeCard(w: WireWriter, c: Card): void {
  w.byte(0x08);
  w.id(c.id, "Card.id");
  w.byte(0x10);
  w.id(c.personId, "Card.personId");
  checkNonEmpty(c.format, "Card.format");
  w.byte(0x1a);
  w.string(c.format);
  if (c.facility != null) {
    w.byte(0x20);
    w.uint53(c.facility, "Card.facility");
  }
  if (c.number != null) {
    w.byte(0x28);
    w.uint53(c.number, "Card.number");
  }
  if (c.rawBits != null) {
    checkRawBits(c.rawBits, "Card.rawBits");
    w.byte(0x32);
    w.string(c.rawBits);
  }
  w.byte(0x38);
  w.varint32(enumCode(CARD_STATUS_CODES, c.status, "Card.status"));
  if (c.statusReason != null) {
    w.byte(0x42);
    w.string(c.statusReason);
  }
  if (c.activatedAt != null) {
    w.byte(0x48);
    w.int53(c.activatedAt, "Card.activatedAt");
  }
  if (c.validFrom != null) {
    w.byte(0x50);
    w.int53(c.validFrom, "Card.validFrom");
  }
  if (c.validUntil != null) {
    w.byte(0x58);
    w.int53(c.validUntil, "Card.validUntil");
  }
}

function writePerson(w: WireWriter, p: Person): void {
  w.byte(0x08);
  w.id(p.id, "Person.id");
  checkNonEmpty(p.displayName, "Person.displayName");
  w.byte(0x12);
  w.string(p.displayName);
}

function writeEmployment(w: WireWriter, e: Employment): void {
  w.byte(0x08);
  w.id(e.id, "Employment.id");
  w.byte(0x10);
  w.id(e.personId, "Employment.personId");
  w.byte(0x18);
  w.id(e.companyId, "Employment.companyId");
  if (e.start !== 0) {
    w.byte(0x20);
    w.int53(e.start, "Employment.start");
  }
  if (e.end != null) {
    w.byte(0x28);
    w.int53(e.end, "Employment.end");
  }
}

function writeArea(w: WireWriter, a: Area): void {
  w.byte(0x08);
  w.id(a.id, "Area.id");
  checkNonEmpty(a.name, "Area.name");
  w.byte(0x12);
  w.string(a.name);
  for (const c of a.requiredCertificates) {
    checkNonEmpty(c, "Area.requiredCertificates");
    w.byte(0x1a);
    w.string(c);
  }
}

function writeAuthorization(w: WireWriter, a: Authorization): void {
  w.byte(0x08);
  w.id(a.id, "Authorization.id");
  w.byte(0x10);
  w.id(a.employmentId, "Authorization.employmentId");
  w.byte(0x18);
  w.id(a.areaId, "Authorization.areaId");
  if (a.validFrom != null) {
    w.byte(0x20);
    w.int53(a.validFrom, "Authorization.validFrom");
  }
  if (a.validUntil != null) {
    w.byte(0x28);
    w.int53(a.validUntil, "Authorization.validUntil");
  }
  if (a.scheduleId != null) {
    w.byte(0x30);
    w.id(a.scheduleId, "Authorization.scheduleId");
  }
}

function writeWindow(w: WireWriter, x: ScheduleWindow): void {
  if (x.days.length > 0) {
    w.byte(0x0a);
    const start = w.fork();
    for (const d of x.days) {
      checkIsoDay(d, "ScheduleWindow.days");
      w.varint32(d);
    }
    w.ldelim(start);
  }
  checkClockFrom(x.from, "ScheduleWindow.from");
  w.byte(0x12);
  w.string(x.from);
  checkClockUntil(x.until, "ScheduleWindow.until");
  w.byte(0x1a);
  w.string(x.until);
}

function writeSchedule(w: WireWriter, s: Schedule): void {
  w.byte(0x08);
  w.id(s.id, "Schedule.id");
  checkNonEmpty(s.name, "Schedule.name");
  w.byte(0x12);
  w.string(s.name);
  for (const x of s.windows) {
    w.byte(0x1a);
    const start = w.fork();
    writeWindow(w, x);
    w.ldelim(start);
  }
  if (s.holidayCalendarId != null) {
    w.byte(0x20);
    w.id(s.holidayCalendarId, "Schedule.holidayCalendarId");
  }
  for (const x of s.holidayWindows) {
    w.byte(0x2a);
    const start = w.fork();
    writeWindow(w, x);
    w.ldelim(start);
  }
}

function writeHolidayCalendar(w: WireWriter, h: HolidayCalendar): void {
  w.byte(0x08);
  w.id(h.id, "HolidayCalendar.id");
  checkNonEmpty(h.name, "HolidayCalendar.name");
  w.byte(0x12);
  w.string(h.name);
  for (const d of h.dates) {
    checkLocalDate(d, "HolidayCalendar.dates");
    w.byte(0x1a);
    w.string(d);
  }
}

function writeCertificate(w: WireWriter, c: Certificate): void {
  w.byte(0x08);
  w.id(c.id, "Certificate.id");
  w.byte(0x10);
  w.id(c.personId, "Certificate.personId");
  checkNonEmpty(c.type, "Certificate.type");
  w.byte(0x1a);
  w.string(c.type);
  if (c.validFrom != null) {
    w.byte(0x20);
    w.int53(c.validFrom, "Certificate.validFrom");
  }
  if (c.validUntil != null) {
    w.byte(0x28);
    w.int53(c.validUntil, "Certificate.validUntil");
  }
}

function writeSitePolicy(w: WireWriter, p: SitePolicy): void {
  if (typeof p.fingerprintRequired !== "boolean") {
    throw malformed("SitePolicy.fingerprintRequired: must be a boolean");
  }
  const t = p.fingerprintThreshold;
  if (!(Number.isInteger(t) && t >= 0 && t <= 100)) {
    throw malformed(`SitePolicy.fingerprintThreshold: ${String(t)} is not an integer 0..100`);
  }
  if (p.fingerprintRequired) {
    w.byte(0x08);
    w.byte(1);
  }
  if (t !== 0) {
    w.byte(0x10);
    w.varint32(t);
  }
}

function writeDoorPolicy(w: WireWriter, d: DoorPolicy): void {
  checkNonEmpty(d.doorId, "DoorPolicy.doorId");
  w.byte(0x0a);
  w.string(d.doorId);
  w.byte(0x10);
  w.varint32(enumCode(DOOR_MODE_CODES, d.mode, "DoorPolicy.mode"));
  if (d.unlockScheduleId != null) {
    w.byte(0x18);
    w.id(d.unlockScheduleId, "DoorPolicy.unlockScheduleId");
  }
}

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
// Records: readers (from the reader's position to `end`)
// ---------------------------------------------------------------------------------------

function readCard(r: WireReader, end: number): Card {
  let id = 0;
  let personId = 0;
  let format = "";
  let facility: number | null = null;
  let number: number | null = null;
  let rawBits: string | null = null;
  let status = 0;
  let statusReason: string | null = null;
  let activatedAt: number | null = null;
  let validFrom: number | null = null;
  let validUntil: number | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x10:
        personId = r.uint53();
        break;
      case 0x1a:
        format = r.token();
        break;
      case 0x20:
        facility = r.uint53();
        break;
      case 0x28:
        number = r.uint53();
        break;
      case 0x32:
        rawBits = r.string();
        break;
      case 0x38:
        status = r.varint32();
        break;
      case 0x42:
        statusReason = r.string();
        break;
      case 0x48:
        activatedAt = r.int53();
        break;
      case 0x50:
        validFrom = r.int53();
        break;
      case 0x58:
        validUntil = r.int53();
        break;
      default:
        r.unknown(tag, 11, "Card");
    }
  }
  r.end(end, "Card");
  checkId(id, "Card.id");
  checkId(personId, "Card.personId");
  checkNonEmpty(format, "Card.format");
  if (rawBits !== null) checkRawBits(rawBits, "Card.rawBits");
  return {
    id,
    personId,
    format,
    facility,
    number,
    rawBits,
    status: enumValue(CARD_STATUSES, status, "Card.status"),
    statusReason,
    activatedAt,
    validFrom,
    validUntil,
  };
}

function readPerson(r: WireReader, end: number): Person {
  let id = 0;
  let displayName = "";
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x12:
        displayName = r.string();
        break;
      default:
        r.unknown(tag, 2, "Person");
    }
  }
  r.end(end, "Person");
  checkId(id, "Person.id");
  checkNonEmpty(displayName, "Person.displayName");
  return { id, displayName };
}

function readEmployment(r: WireReader, end: number): Employment {
  let id = 0;
  let personId = 0;
  let companyId = 0;
  let start = 0;
  let until: number | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x10:
        personId = r.uint53();
        break;
      case 0x18:
        companyId = r.uint53();
        break;
      case 0x20:
        start = r.int53();
        break;
      case 0x28:
        until = r.int53();
        break;
      default:
        r.unknown(tag, 5, "Employment");
    }
  }
  r.end(end, "Employment");
  checkId(id, "Employment.id");
  checkId(personId, "Employment.personId");
  checkId(companyId, "Employment.companyId");
  return { id, personId, companyId, start, end: until };
}

function readArea(r: WireReader, end: number): Area {
  let id = 0;
  let name = "";
  const requiredCertificates: string[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x12:
        name = r.string();
        break;
      case 0x1a: {
        const c = r.token();
        checkNonEmpty(c, "Area.requiredCertificates");
        requiredCertificates.push(c);
        break;
      }
      default:
        r.unknown(tag, 3, "Area");
    }
  }
  r.end(end, "Area");
  checkId(id, "Area.id");
  checkNonEmpty(name, "Area.name");
  return { id, name, requiredCertificates };
}

function readAuthorization(r: WireReader, end: number): Authorization {
  let id = 0;
  let employmentId = 0;
  let areaId = 0;
  let validFrom: number | null = null;
  let validUntil: number | null = null;
  let scheduleId: number | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x10:
        employmentId = r.uint53();
        break;
      case 0x18:
        areaId = r.uint53();
        break;
      case 0x20:
        validFrom = r.int53();
        break;
      case 0x28:
        validUntil = r.int53();
        break;
      case 0x30:
        scheduleId = r.uint53();
        break;
      default:
        r.unknown(tag, 6, "Authorization");
    }
  }
  r.end(end, "Authorization");
  checkId(id, "Authorization.id");
  checkId(employmentId, "Authorization.employmentId");
  checkId(areaId, "Authorization.areaId");
  if (scheduleId !== null) checkId(scheduleId, "Authorization.scheduleId");
  return { id, employmentId, areaId, validFrom, validUntil, scheduleId };
}

function readWindow(r: WireReader, end: number): ScheduleWindow {
  const days: number[] = [];
  let from = "";
  let until = "";
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: {
        const packedEnd = r.message();
        while (r.pos < packedEnd) days.push(r.varint32());
        r.end(packedEnd, "ScheduleWindow.days");
        break;
      }
      case 0x08:
        days.push(r.varint32());
        break;
      case 0x12:
        from = r.string();
        break;
      case 0x1a:
        until = r.string();
        break;
      default:
        r.unknown(tag, 3, "ScheduleWindow");
    }
  }
  r.end(end, "ScheduleWindow");
  for (const d of days) checkIsoDay(d, "ScheduleWindow.days");
  checkClockFrom(from, "ScheduleWindow.from");
  checkClockUntil(until, "ScheduleWindow.until");
  return { days, from, until };
}

function readSchedule(r: WireReader, end: number): Schedule {
  let id = 0;
  let name = "";
  const windows: ScheduleWindow[] = [];
  let holidayCalendarId: number | null = null;
  const holidayWindows: ScheduleWindow[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x12:
        name = r.string();
        break;
      case 0x1a:
        windows.push(readWindow(r, r.message()));
        break;
      case 0x20:
        holidayCalendarId = r.uint53();
        break;
      case 0x2a:
        holidayWindows.push(readWindow(r, r.message()));
        break;
      default:
        r.unknown(tag, 5, "Schedule");
    }
  }
  r.end(end, "Schedule");
  checkId(id, "Schedule.id");
  checkNonEmpty(name, "Schedule.name");
  if (holidayCalendarId !== null) checkId(holidayCalendarId, "Schedule.holidayCalendarId");
  return { id, name, windows, holidayCalendarId, holidayWindows };
}

function readHolidayCalendar(r: WireReader, end: number): HolidayCalendar {
  let id = 0;
  let name = "";
  const dates: string[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x12:
        name = r.string();
        break;
      case 0x1a: {
        const d = r.string();
        checkLocalDate(d, "HolidayCalendar.dates");
        dates.push(d);
        break;
      }
      default:
        r.unknown(tag, 3, "HolidayCalendar");
    }
  }
  r.end(end, "HolidayCalendar");
  checkId(id, "HolidayCalendar.id");
  checkNonEmpty(name, "HolidayCalendar.name");
  return { id, name, dates };
}

function readCertificate(r: WireReader, end: number): Certificate {
  let id = 0;
  let personId = 0;
  let type = "";
  let validFrom: number | null = null;
  let validUntil: number | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        id = r.uint53();
        break;
      case 0x10:
        personId = r.uint53();
        break;
      case 0x1a:
        type = r.token();
        break;
      case 0x20:
        validFrom = r.int53();
        break;
      case 0x28:
        validUntil = r.int53();
        break;
      default:
        r.unknown(tag, 5, "Certificate");
    }
  }
  r.end(end, "Certificate");
  checkId(id, "Certificate.id");
  checkId(personId, "Certificate.personId");
  checkNonEmpty(type, "Certificate.type");
  return { id, personId, type, validFrom, validUntil };
}

/** A SitePolicy; a second occurrence merges into the first, as protobuf says. */
function readSitePolicy(r: WireReader, end: number, prev: SitePolicy | undefined): SitePolicy {
  let fingerprintRequired = prev?.fingerprintRequired ?? false;
  let fingerprintThreshold = prev?.fingerprintThreshold ?? 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        fingerprintRequired = r.bool();
        break;
      case 0x10:
        fingerprintThreshold = r.varint32();
        break;
      default:
        r.unknown(tag, 2, "SitePolicy");
    }
  }
  r.end(end, "SitePolicy");
  if (fingerprintThreshold > 100) {
    throw malformed(`SitePolicy.fingerprintThreshold: ${fingerprintThreshold} is above 100`);
  }
  return { fingerprintRequired, fingerprintThreshold };
}

function readDoorPolicy(r: WireReader, end: number): DoorPolicy {
  let doorId = "";
  let mode = 0;
  let unlockScheduleId: number | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a:
        doorId = r.string();
        break;
      case 0x10:
        mode = r.varint32();
        break;
      case 0x18:
        unlockScheduleId = r.uint53();
        break;
      default:
        r.unknown(tag, 3, "DoorPolicy");
    }
  }
  r.end(end, "DoorPolicy");
  checkNonEmpty(doorId, "DoorPolicy.doorId");
  if (unlockScheduleId !== null) checkId(unlockScheduleId, "DoorPolicy.unlockScheduleId");
  return { doorId, mode: enumValue(DOOR_MODES, mode, "DoorPolicy.mode"), unlockScheduleId };
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
