import type { DecodedCard } from "@acs/wiegand";
import type { AccessIndex } from "../access-index/access-index.js";
import type { LocalTime } from "../schedule/local-time.js";
import type { DoorMode } from "../state/model.js";
import { type DenyReason, reasonText } from "./reasons.js";

export type Credential =
  | { readonly kind: "card"; readonly card: DecodedCard }
  /** A read whose format, length or parity failed: `code` is the Wiegand error code. */
  | { readonly kind: "unreadable"; readonly code: string; readonly bits: string };

export type FingerprintOutcome =
  | { readonly kind: "match"; readonly score: number }
  | { readonly kind: "timeout" };

export type AntiPassbackRule =
  /** The same person may not use this door again within `seconds`. */
  | { readonly kind: "timed"; readonly seconds: number; readonly mode: "soft" | "hard" }
  /** Entry only when outside the door's area, exit only when inside. */
  | { readonly kind: "area"; readonly mode: "soft" | "hard" };

/** What the door controller knows of where people are; read only by decide(). */
export interface PassbackView {
  lastUse(personId: number, doorId: string): number | undefined;
  /** True inside, false outside, undefined when unknown (never denied for it). */
  inside(personId: number, areaId: number): boolean | undefined;
}

export interface DoorContext {
  readonly id: string;
  /** The area behind the door: the one an authorization must be for. */
  readonly areaId: number;
  readonly direction: "entry" | "exit";
  /** The mode in force now (site config, central's door policy, or a command such as lockdown). */
  readonly mode: DoorMode;
  /** The door's own config asks for a fingerprint after the card. */
  readonly fingerprint: boolean;
  readonly antiPassback?: AntiPassbackRule;
}

export interface DecisionRequest {
  readonly door: DoorContext;
  readonly credential: Credential;
  /** Second step at fingerprint doors: the terminal's answer. */
  readonly fingerprint?: FingerprintOutcome;
  readonly passback?: PassbackView;
}

export interface Now {
  readonly ms: number;
  /** `ms` in the site's local time, for schedules. */
  readonly local: LocalTime;
}

interface Subject {
  readonly cardId: number;
  readonly personId: number;
}

export interface Grant extends Subject {
  readonly outcome: "grant";
  readonly employmentId: number;
  readonly authorizationId: number;
  /** A soft anti-passback violation: let in, but recorded. */
  readonly antiPassbackViolation: boolean;
}

/** The card passed every rule; the door waits for a matching finger. */
export interface NeedsFingerprint extends Subject {
  readonly outcome: "fingerprint";
  readonly employmentId: number;
  readonly authorizationId: number;
  readonly threshold: number;
}

export interface Deny {
  readonly outcome: "deny";
  readonly reason: DenyReason;
  readonly message: string;
  readonly cardId: number | undefined;
  readonly personId: number | undefined;
}

export type Decision = Grant | NeedsFingerprint | Deny;

const CARD_DENIAL: readonly (DenyReason | undefined)[] = [
  undefined,
  "CARD_NOT_ACTIVATED",
  "CARD_LOST",
  "CARD_STOLEN",
  "CARD_DEFECTIVE",
  "CARD_REPLACED",
  "CARD_EXPIRED",
  "CARD_INACTIVE",
];

function deny(
  reason: DenyReason,
  cardId?: number,
  personId?: number,
  details?: Readonly<Record<string, string>>,
): Deny {
  return { outcome: "deny", reason, message: reasonText(reason, details), cardId, personId };
}

/** The card slot a credential belongs to, or -1. */
export function findCard(index: AccessIndex, card: DecodedCard): number {
  const formatId = index.formatIds.get(card.format);
  if (formatId !== undefined) {
    const slot = index.credentials.get(
      formatId,
      card.fields.facility ?? -1,
      card.fields.card ?? -1,
    );
    if (slot >= 0) return slot;
  }
  return index.rawCredentials.get(card.bits) ?? -1;
}

/**
 * Grant or deny, with the first rule that fails, in the order of the edge decision:
 * credential readable, card known, card active, employment active, authorization for the
 * door's area (valid now, inside its schedule), certificates, door mode, anti-passback,
 * fingerprint. Pure: everything it reads is in its arguments.
 */
export function decide(request: DecisionRequest, index: AccessIndex, now: Now): Decision {
  const { credential } = request;
  if (credential.kind === "unreadable")
    return deny("UNREADABLE_CREDENTIAL", undefined, undefined, { detail: credential.code });
  const slot = findCard(index, credential.card);
  if (slot < 0) return deny("UNKNOWN_CARD");
  return decideForCard(slot, request, index, now);
}

/** decide() from the card on: for a card already found in the index (also used by explain). */
export function decideForCard(
  slot: number,
  request: Omit<DecisionRequest, "credential">,
  index: AccessIndex,
  now: Now,
): Decision {
  const { door } = request;
  const cardId = index.cardId[slot] as number;
  const personSlot = index.cardPerson[slot] as number;
  const personId = personSlot >= 0 ? (index.personId[personSlot] as number) : undefined;

  // A delta applied since the index was built speaks over it (access-index/overlay.ts).
  const patch = index.overlay?.cards.get(cardId);
  const cardDenial = CARD_DENIAL[patch ? patch.status : (index.cardStatus[slot] as number)];
  if (cardDenial) return deny(cardDenial, cardId, personId);
  if (now.ms >= (patch ? patch.until : (index.cardUntil[slot] as number)))
    return deny("CARD_EXPIRED", cardId, personId);
  if (now.ms < (patch ? patch.from : (index.cardFrom[slot] as number)))
    return deny("CARD_NOT_YET_VALID", cardId, personId);
  if (personSlot < 0 || personId === undefined) return deny("NO_EMPLOYMENT", cardId, personId);

  const found = findAuthorization(index, personSlot, door.areaId, now);
  if (typeof found === "string") {
    return deny(found, cardId, personId, { area: areaName(index, door.areaId) });
  }
  const certificate = checkCertificates(index, personSlot, door.areaId, now.ms);
  if (certificate) {
    return deny(certificate.reason, cardId, personId, {
      area: areaName(index, door.areaId),
      certificate: certificate.type,
    });
  }

  if (door.mode === "lockdown") return deny("DOOR_LOCKED_DOWN", cardId, personId);
  if (door.mode === "locked") return deny("DOOR_LOCKED", cardId, personId);

  const violation = door.antiPassback
    ? passbackViolation(door, personId, now.ms, request.passback)
    : false;
  if (violation && door.antiPassback?.mode === "hard")
    return deny("ANTI_PASSBACK", cardId, personId);

  const employmentId = index.employmentId[found.employment] as number;
  const authorizationId = index.authorizationId[found.authorization] as number;
  const needsFinger =
    index.sitePolicy.fingerprintRequired ||
    door.fingerprint ||
    door.mode === "card-and-fingerprint";
  if (needsFinger) {
    if (index.enrolledPersons.get(personId) < 0)
      return deny("FINGERPRINT_NOT_ENROLLED", cardId, personId);
    if (index.enrolledCards.get(cardId) < 0)
      return deny("FINGERPRINT_NOT_ENROLLED_FOR_CARD", cardId, personId);
    const finger = request.fingerprint;
    if (!finger) {
      return {
        outcome: "fingerprint",
        cardId,
        personId,
        employmentId,
        authorizationId,
        threshold: index.sitePolicy.fingerprintThreshold,
      };
    }
    if (finger.kind === "timeout") return deny("FINGERPRINT_TIMEOUT", cardId, personId);
    if (finger.score < index.sitePolicy.fingerprintThreshold)
      return deny("FINGERPRINT_NO_MATCH", cardId, personId);
  }
  return {
    outcome: "grant",
    cardId,
    personId,
    employmentId,
    authorizationId,
    antiPassbackViolation: violation,
  };
}

type AuthorizationFailure = Extract<
  DenyReason,
  | "NO_EMPLOYMENT"
  | "EMPLOYMENT_NOT_STARTED"
  | "EMPLOYMENT_ENDED"
  | "NO_AUTHORIZATION"
  | "AUTHORIZATION_NOT_YET_VALID"
  | "AUTHORIZATION_EXPIRED"
  | "OUTSIDE_SCHEDULE"
>;

/** The first authorization for `areaId` through an employment active now, or why there is none. */
export function findAuthorization(
  index: AccessIndex,
  personSlot: number,
  areaId: number,
  now: Now,
): { employment: number; authorization: number } | AuthorizationFailure {
  const areaSlot = index.areaIds.get(areaId);
  const ms = now.ms;
  const overlay = index.overlay;
  let activeEmployment = false;
  let notStarted = false;
  let ended = false;
  let notYetValid = false;
  let expired = false;
  let outsideSchedule = false;
  const empEnd = index.personEmploymentStart[personSlot + 1] as number;
  for (let e = index.personEmploymentStart[personSlot] as number; e < empEnd; e++) {
    const changed = overlay?.employments.get(index.employmentId[e] as number);
    if (ms < (changed ? changed.from : (index.employmentStart[e] as number))) {
      notStarted = true;
      continue;
    }
    if (ms >= (changed ? changed.until : (index.employmentEnd[e] as number))) {
      ended = true;
      continue;
    }
    activeEmployment = true;
    if (areaSlot < 0) continue;
    const authEnd = index.employmentAuthorizationStart[e + 1] as number;
    for (let a = index.employmentAuthorizationStart[e] as number; a < authEnd; a++) {
      if (index.authorizationArea[a] !== areaSlot) continue;
      const patch = overlay?.authorizations.get(index.authorizationId[a] as number);
      if (patch && index.areaIds.get(patch.areaId) !== areaSlot) continue;
      if (ms < (patch ? patch.from : (index.authorizationFrom[a] as number))) {
        notYetValid = true;
        continue;
      }
      if (ms >= (patch ? patch.until : (index.authorizationUntil[a] as number))) {
        expired = true;
        continue;
      }
      const schedule = index.authorizationSchedule[a] as number;
      if (schedule === -2 || (schedule >= 0 && !index.schedules[schedule]?.isOpen(now.local))) {
        outsideSchedule = true;
        continue;
      }
      return { employment: e, authorization: a };
    }
  }
  if (!activeEmployment) {
    if (notStarted) return "EMPLOYMENT_NOT_STARTED";
    return ended ? "EMPLOYMENT_ENDED" : "NO_EMPLOYMENT";
  }
  if (outsideSchedule) return "OUTSIDE_SCHEDULE";
  if (expired) return "AUTHORIZATION_EXPIRED";
  if (notYetValid) return "AUTHORIZATION_NOT_YET_VALID";
  return "NO_AUTHORIZATION";
}

/** The first certificate the area needs that the person lacks now, or undefined. */
export function checkCertificates(
  index: AccessIndex,
  personSlot: number,
  areaId: number,
  ms: number,
): { reason: "CERTIFICATE_MISSING" | "CERTIFICATE_LAPSED"; type: string } | undefined {
  const area = index.areas[index.areaIds.get(areaId)];
  if (!area || area.requiredCertificates.length === 0) return undefined;
  const first = index.personCertificateStart[personSlot] as number;
  const last = index.personCertificateStart[personSlot + 1] as number;
  const overlay = index.overlay;
  for (const type of area.requiredCertificates) {
    let lapsed = false;
    let valid = false;
    for (let c = first; c < last && !valid; c++) {
      if (index.certificateType[c] !== type) continue;
      const patch = overlay?.certificates.get(index.certificateId[c] as number);
      if (patch && patch.type !== index.certificateTypes[type]) continue;
      if (ms >= (patch ? patch.until : (index.certificateUntil[c] as number))) lapsed = true;
      else if (ms >= (patch ? patch.from : (index.certificateFrom[c] as number))) valid = true;
    }
    if (!valid) {
      return {
        reason: lapsed ? "CERTIFICATE_LAPSED" : "CERTIFICATE_MISSING",
        type: index.certificateTypes[type] ?? "?",
      };
    }
  }
  return undefined;
}

function passbackViolation(
  door: DoorContext,
  personId: number,
  ms: number,
  view: PassbackView | undefined,
): boolean {
  const rule = door.antiPassback;
  if (!rule || !view) return false;
  if (rule.kind === "timed") {
    const last = view.lastUse(personId, door.id);
    return last !== undefined && ms - last < rule.seconds * 1000;
  }
  const inside = view.inside(personId, door.areaId);
  if (inside === undefined) return false;
  return door.direction === "entry" ? inside : !inside;
}

function areaName(index: AccessIndex, areaId: number): string {
  return index.areas[index.areaIds.get(areaId)]?.name ?? String(areaId);
}
