import type { AccessIndex } from "../access-index/access-index.js";
import type { LocalTime } from "../schedule/local-time.js";
import { CARD_STATUSES } from "../state/model.js";
import {
  checkCertificates,
  type Decision,
  type DoorContext,
  decideForCard,
  findAuthorization,
} from "./decide.js";

export interface ExplainStep {
  /** The support desk's order: authorizations, active card, active employment, fingerprint. */
  readonly check: "authorization" | "certificates" | "card" | "employment" | "fingerprint" | "door";
  readonly ok: boolean;
  readonly text: string;
}

export interface Explanation {
  readonly decision: Decision;
  readonly steps: readonly ExplainStep[];
}

/**
 * Answers "why can't this engineer get in at this door" in the order a support desk checks
 * (authorizations, active card, active employment, fingerprint for the current card), and
 * the decision the door would take now. Every check is shown, not only the first failing one.
 */
export function explain(
  index: AccessIndex,
  cardSlot: number,
  door: DoorContext,
  now: { ms: number; local: LocalTime },
): Explanation {
  const steps: ExplainStep[] = [];
  const personSlot = index.cardPerson[cardSlot] as number;
  const personId = personSlot >= 0 ? (index.personId[personSlot] as number) : undefined;
  const cardId = index.cardId[cardSlot] as number;
  const areaName = index.areas[index.areaIds.get(door.areaId)]?.name ?? String(door.areaId);

  if (personSlot < 0) {
    steps.push({
      check: "authorization",
      ok: false,
      text: `card ${cardId} belongs to no known person`,
    });
  } else {
    const found = findAuthorization(index, personSlot, door.areaId, now);
    steps.push(
      typeof found === "string"
        ? {
            check: "authorization",
            ok: false,
            text: `${found}: no usable authorization for area ${areaName}`,
          }
        : {
            check: "authorization",
            ok: true,
            text: `authorization ${index.authorizationId[found.authorization]} for area ${areaName} through employment ${index.employmentId[found.employment]}`,
          },
    );
    const certificate = checkCertificates(index, personSlot, door.areaId, now.ms);
    steps.push(
      certificate
        ? { check: "certificates", ok: false, text: `${certificate.reason}: ${certificate.type}` }
        : { check: "certificates", ok: true, text: "every certificate the area needs is valid" },
    );
  }

  const status = CARD_STATUSES[index.cardStatus[cardSlot] as number];
  const inTime =
    now.ms >= (index.cardFrom[cardSlot] as number) &&
    now.ms < (index.cardUntil[cardSlot] as number);
  steps.push({
    check: "card",
    ok: status === "active" && inTime,
    text: `card ${cardId} is ${status}${inTime ? "" : " but outside its validity period"}`,
  });

  if (personSlot >= 0) {
    const first = index.personEmploymentStart[personSlot] as number;
    const last = index.personEmploymentStart[personSlot + 1] as number;
    let active = 0;
    for (let e = first; e < last; e++) {
      if (
        now.ms >= (index.employmentStart[e] as number) &&
        now.ms < (index.employmentEnd[e] as number)
      )
        active++;
    }
    steps.push({
      check: "employment",
      ok: active > 0,
      text: `${active} of ${last - first} employment(s) active now`,
    });
  }

  const fingerprintNeeded =
    index.sitePolicy.fingerprintRequired ||
    door.fingerprint ||
    door.mode === "card-and-fingerprint";
  if (fingerprintNeeded && personId !== undefined) {
    const forCard = index.enrolledCards.get(cardId) >= 0;
    const any = index.enrolledPersons.get(personId) >= 0;
    steps.push({
      check: "fingerprint",
      ok: forCard,
      text: forCard
        ? "a fingerprint is enrolled for this card"
        : any
          ? "a fingerprint is enrolled, but with another card: a new card needs a new enrollment"
          : "no fingerprint enrolled",
    });
  } else {
    steps.push({ check: "fingerprint", ok: true, text: "no fingerprint needed at this door" });
  }
  steps.push({
    check: "door",
    ok: door.mode !== "lockdown" && door.mode !== "locked",
    text: `door mode ${door.mode}`,
  });

  const decision = decideForCard(cardSlot, { door }, index, now);
  return { decision, steps };
}
