import type { SiteDelta } from "../state/model.js";
import { type AccessIndex, CARD_STATUSES, OPEN_END, OPEN_START } from "./access-index.js";

/** A record's dates (and a card's status) as the latest delta says, over the index's arrays. */
export interface CardPatch {
  readonly status: number;
  readonly from: number;
  readonly until: number;
}
export interface Span {
  readonly from: number;
  readonly until: number;
}
/** An authorization's area travels with it: moved to another area, the old one grants nothing. */
export interface AuthorizationPatch extends Span {
  readonly areaId: number;
}
export interface CertificatePatch extends Span {
  readonly type: string;
}

/** An interval that is never open: a record deleted. */
const NEVER: Span = { from: OPEN_END, until: OPEN_START };
const INACTIVE = CARD_STATUSES.indexOf("inactive");

/**
 * Deltas applied since the index was built, for records the index already has: a card's
 * status or dates, an employment's start and end, an authorization's or certificate's
 * validity. decide() reads these over the arrays, so a revocation reaches the doors the
 * moment its delta is applied, without waiting for a rebuild of millions of records.
 * What a patch cannot express (a new card or authorization, a card's new number or owner,
 * schedules, areas, policies) waits for the rebuilt index that always follows; until
 * then such a changed record grants nothing (the overlay errs on the side of refusing).
 */
export class IndexOverlay {
  readonly cards = new Map<number, CardPatch>();
  /** By employment id: start and end. */
  readonly employments = new Map<number, Span>();
  readonly authorizations = new Map<number, AuthorizationPatch>();
  readonly certificates = new Map<number, CertificatePatch>();
  /** The delta versions folded in, oldest first. */
  readonly versions: number[] = [];

  get size(): number {
    return (
      this.cards.size + this.employments.size + this.authorizations.size + this.certificates.size
    );
  }

  /**
   * Folds a delta in. Returns whether the delta also holds what only a rebuild can take in
   * (new records, areas, schedules, policies, persons moved).
   */
  apply(delta: SiteDelta, index: AccessIndex): boolean {
    this.versions.push(delta.version);
    let rebuild = delta.sitePolicy !== undefined;
    const { upsert, delete: removed } = delta;
    for (const card of upsert.cards ?? []) {
      const slot = index.cardIds.get(card.id);
      const personSlot = slot >= 0 ? (index.cardPerson[slot] as number) : -1;
      const samePerson = personSlot >= 0 && index.personId[personSlot] === card.personId;
      // A card's number or owner changed, or a new card: only a rebuild can place it.
      if (slot < 0 || !samePerson) rebuild = true;
      this.cards.set(card.id, {
        status: slot >= 0 && samePerson ? CARD_STATUSES.indexOf(card.status) : INACTIVE,
        from: card.validFrom ?? OPEN_START,
        until: card.validUntil ?? OPEN_END,
      });
      if (slot >= 0 && samePerson) rebuild ||= credentialChanged(index, slot, card);
    }
    for (const id of removed.cards ?? []) {
      this.cards.set(id, { status: INACTIVE, from: OPEN_END, until: OPEN_START });
    }
    for (const employment of upsert.employments ?? []) {
      this.employments.set(employment.id, {
        from: employment.start,
        until: employment.end ?? OPEN_END,
      });
      rebuild ||= !hasEmployment(index, employment.personId, employment.id);
    }
    // A deleted employment grants nothing from now on, as one that ended.
    for (const id of removed.employments ?? [])
      this.employments.set(id, { from: OPEN_START, until: OPEN_START });
    // Whether an authorization or certificate is new cannot be told without a map of
    // millions of ids: those always ask for a rebuild, which is coalesced anyway.
    for (const authorization of upsert.authorizations ?? []) {
      this.authorizations.set(authorization.id, {
        from: authorization.validFrom ?? OPEN_START,
        until: authorization.validUntil ?? OPEN_END,
        areaId: authorization.areaId,
      });
      rebuild = true;
    }
    for (const id of removed.authorizations ?? [])
      this.authorizations.set(id, { ...NEVER, areaId: -1 });
    for (const certificate of upsert.certificates ?? []) {
      this.certificates.set(certificate.id, {
        from: certificate.validFrom ?? OPEN_START,
        until: certificate.validUntil ?? OPEN_END,
        type: certificate.type,
      });
      rebuild = true;
    }
    for (const id of removed.certificates ?? []) this.certificates.set(id, { ...NEVER, type: "" });
    for (const kind of [
      "persons",
      "areas",
      "schedules",
      "holidayCalendars",
      "doorPolicies",
    ] as const) {
      if ((upsert[kind]?.length ?? 0) > 0 || (removed[kind]?.length ?? 0) > 0) rebuild = true;
    }
    return rebuild;
  }
}

function hasEmployment(index: AccessIndex, personId: number, employmentId: number): boolean {
  const p = index.personIds.get(personId);
  if (p < 0) return false;
  const end = index.personEmploymentStart[p + 1] as number;
  for (let e = index.personEmploymentStart[p] as number; e < end; e++) {
    if (index.employmentId[e] === employmentId) return true;
  }
  return false;
}

function credentialChanged(
  index: AccessIndex,
  slot: number,
  card: { format: string; facility: number | null; number: number | null; rawBits: string | null },
): boolean {
  const formatId = index.formatIds.get(card.format);
  if (formatId === undefined) return true;
  if (card.rawBits !== null) return index.rawCredentials.get(card.rawBits) !== slot;
  return index.credentials.get(formatId, card.facility ?? -1, card.number ?? -1) !== slot;
}
