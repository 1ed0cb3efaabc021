import { CARD_STATUSES, type Card, type Person } from "../model.js";
import {
  checkId,
  checkNonEmpty,
  checkRawBits,
  enumCode,
  enumCodes,
  enumValue,
} from "../validate.js";
import type { WireReader, WireWriter } from "../wire.js";

/**
 * SiteState and SiteDelta records on the wire: cards, persons. Writers write the message
 * body (without tag and length); readers read from the reader's position to `end`.
 */

const CARD_STATUS_CODES = enumCodes(CARD_STATUSES);

export function writeCard(w: WireWriter, c: Card): void {
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

export function writePerson(w: WireWriter, p: Person): void {
  w.byte(0x08);
  w.id(p.id, "Person.id");
  checkNonEmpty(p.displayName, "Person.displayName");
  w.byte(0x12);
  w.string(p.displayName);
}

export function readCard(r: WireReader, end: number): Card {
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

export function readPerson(r: WireReader, end: number): Person {
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
