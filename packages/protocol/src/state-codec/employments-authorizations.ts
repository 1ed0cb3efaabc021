import type { Authorization, Employment } from "../model.js";
import { checkId } from "../validate.js";
import type { WireReader, WireWriter } from "../wire.js";

/**
 * SiteState and SiteDelta records on the wire: employments, authorizations. Writers write
 * the message body (without tag and length); readers read from the reader's position to
 * `end`.
 */

export function writeEmployment(w: WireWriter, e: Employment): void {
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

export function writeAuthorization(w: WireWriter, a: Authorization): void {
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

export function readEmployment(r: WireReader, end: number): Employment {
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

export function readAuthorization(r: WireReader, end: number): Authorization {
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
