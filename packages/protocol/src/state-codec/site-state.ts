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
  SitePolicy,
  SiteState,
} from "../model.js";
import { checkSite } from "../validate.js";
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
import { guard, RECORD_KINDS, writeAll } from "./shared.js";

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
