import { type Certificate, DOOR_MODES, type DoorPolicy, type SitePolicy } from "../model.js";
import { checkId, checkNonEmpty, enumCode, enumCodes, enumValue } from "../validate.js";
import { malformed, type WireReader, type WireWriter } from "../wire.js";

/**
 * SiteState and SiteDelta records on the wire: certificates, policies. Writers write the
 * message body (without tag and length); readers read from the reader's position to `end`.
 */

const DOOR_MODE_CODES = enumCodes(DOOR_MODES);

export function writeCertificate(w: WireWriter, c: Certificate): void {
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

export function writeSitePolicy(w: WireWriter, p: SitePolicy): void {
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

export function writeDoorPolicy(w: WireWriter, d: DoorPolicy): void {
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

export function readCertificate(r: WireReader, end: number): Certificate {
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
export function readSitePolicy(
  r: WireReader,
  end: number,
  prev: SitePolicy | undefined,
): SitePolicy {
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

export function readDoorPolicy(r: WireReader, end: number): DoorPolicy {
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
