import type { IamDb } from "../db.js";
import { type StateReader, stateReader, validAt } from "./state.js";

/** The checks of FAQ 1 ("our engineer cannot get in"), in the document's order. */
export const EXPLAIN_CHECKS = [
  "authorization",
  "card",
  "employment",
  "fingerprint",
  "certificates",
] as const;
export type ExplainCheckName = (typeof EXPLAIN_CHECKS)[number];

export interface ExplainCheck {
  readonly check: ExplainCheckName;
  readonly ok: boolean;
  readonly detail: string;
}

/** Who and what is being explained, resolved from a person id or a card number. */
export interface ExplainSubject {
  readonly personId: number;
  readonly statePersonId: number;
  /** The card in question: the one named, or the person's active (else newest) access card. */
  readonly card: {
    readonly id: number;
    readonly stateCardId: number | null;
    readonly number: string | null;
    readonly status: string;
  } | null;
}

export interface ExplainPlace {
  readonly siteId: string;
  readonly doorId: string;
  readonly areaId: number;
  readonly areaName: string;
  readonly requiredCertificates: readonly string[];
  readonly fingerprintRequired: boolean;
}

/** Runs every check at `now`; nothing is skipped, so the helpdesk sees the whole picture. */
export async function runChecks(
  db: IamDb,
  subject: ExplainSubject,
  place: ExplainPlace,
  now: number,
): Promise<ExplainCheck[]> {
  const state = stateReader(db);
  const authorization = await authorizationCheck(db, state, subject, place, now);
  return [
    authorization.check,
    await cardCheck(state, subject, now),
    await employmentCheck(db, state, subject, authorization.employmentId, now),
    await fingerprintCheck(db, subject, place),
    await certificatesCheck(state, subject, place, now),
  ];
}

async function authorizationCheck(
  db: IamDb,
  state: StateReader,
  subject: ExplainSubject,
  place: ExplainPlace,
  now: number,
): Promise<{ check: ExplainCheck; employmentId: number | null }> {
  const live = await db
    .selectFrom("iam_authorization")
    .innerJoin("iam_employment", "iam_employment.id", "iam_authorization.employment_id")
    .innerJoin("iam_catalogue_entry", "iam_catalogue_entry.id", "iam_authorization.entry_id")
    .select(["iam_authorization.id", "iam_authorization.employment_id", "iam_catalogue_entry.code"])
    .where("iam_employment.person_id", "=", subject.personId)
    .where("iam_catalogue_entry.area_id", "=", place.areaId)
    .where("iam_authorization.status", "=", "active")
    .orderBy("iam_authorization.id")
    .executeTakeFirst();
  if (live !== undefined) {
    return {
      check: {
        check: "authorization",
        ok: true,
        detail: `authorization ${live.id} (${live.code}) for area "${place.areaName}"`,
      },
      employmentId: live.employment_id,
    };
  }
  // Authorizations made outside the workflow (a migration, a bulk load) live in the state only.
  const rows = await state
    .selectFrom("access_authorization")
    .innerJoin("employment", "employment.id", "access_authorization.employment_id")
    .select([
      "access_authorization.id",
      "access_authorization.valid_from",
      "access_authorization.valid_until",
    ])
    .where("employment.person_id", "=", subject.statePersonId)
    .where("access_authorization.area_id", "=", place.areaId)
    .where("access_authorization.revoked_at", "is", null)
    .execute();
  const valid = rows.find((r) => validAt(now, r.valid_from, r.valid_until));
  if (valid !== undefined) {
    return {
      check: {
        check: "authorization",
        ok: true,
        detail: `authorization ${valid.id} for area "${place.areaName}" (registered at the doors only)`,
      },
      employmentId: null,
    };
  }
  return {
    check: {
      check: "authorization",
      ok: false,
      detail: `no active authorization for area "${place.areaName}": request it (chapter 6)`,
    },
    employmentId: null,
  };
}

async function cardCheck(
  state: StateReader,
  subject: ExplainSubject,
  now: number,
): Promise<ExplainCheck> {
  const card = subject.card;
  if (card === null) {
    return { check: "card", ok: false, detail: "no access card: request one (chapter 9)" };
  }
  const label = `card ${card.number ?? card.id}`;
  if (card.status !== "active") {
    return { check: "card", ok: false, detail: `${label} is ${card.status}, not active` };
  }
  const door =
    card.stateCardId === null
      ? undefined
      : await state
          .selectFrom("card")
          .selectAll()
          .where("id", "=", card.stateCardId)
          .executeTakeFirst();
  if (door === undefined) {
    return { check: "card", ok: false, detail: `${label} is unknown at the doors` };
  }
  if (door.status !== "active") {
    return { check: "card", ok: false, detail: `${label} is ${door.status} at the doors` };
  }
  if (!validAt(now, door.valid_from, door.valid_until)) {
    return { check: "card", ok: false, detail: `${label} is outside its validity` };
  }
  return { check: "card", ok: true, detail: `${label} is active` };
}

async function employmentCheck(
  db: IamDb,
  state: StateReader,
  subject: ExplainSubject,
  authorizedEmploymentId: number | null,
  now: number,
): Promise<ExplainCheck> {
  // The authorized employment is the one that must be active; else any of the person's.
  let query = db
    .selectFrom("iam_employment")
    .select(["id", "employment_number", "status", "state_employment_id", "end_date"])
    .where("person_id", "=", subject.personId);
  if (authorizedEmploymentId !== null) query = query.where("id", "=", authorizedEmploymentId);
  const employments = await query.orderBy("id").execute();
  if (employments.length === 0) {
    return { check: "employment", ok: false, detail: "no employment" };
  }
  let reason = "";
  for (const e of employments) {
    const row = await state
      .selectFrom("employment")
      .select(["start_at", "end_at"])
      .where("id", "=", e.state_employment_id)
      .executeTakeFirst();
    if (e.status !== "active") {
      reason = `employment ${e.employment_number} has ended`;
    } else if (row === undefined || !validAt(now, row.start_at, row.end_at)) {
      reason = `employment ${e.employment_number} is not in force at the doors`;
    } else {
      return {
        check: "employment",
        ok: true,
        detail: `employment ${e.employment_number} is active${e.end_date === null ? "" : ` until ${e.end_date}`}`,
      };
    }
  }
  return { check: "employment", ok: false, detail: reason };
}

async function fingerprintCheck(
  db: IamDb,
  subject: ExplainSubject,
  place: ExplainPlace,
): Promise<ExplainCheck> {
  if (!place.fingerprintRequired) {
    return { check: "fingerprint", ok: true, detail: `site ${place.siteId} needs no fingerprint` };
  }
  const enrollment = await db
    .selectFrom("iam_enrollment")
    .selectAll()
    .where("site_id", "=", place.siteId)
    .where("state_person_id", "=", subject.statePersonId)
    .executeTakeFirst();
  if (enrollment === undefined) {
    return {
      check: "fingerprint",
      ok: false,
      detail: `no fingerprint enrolled at site ${place.siteId}: enroll on site with a valid ID`,
    };
  }
  const cardId = subject.card?.stateCardId ?? null;
  if (cardId === null || enrollment.state_card_id !== cardId) {
    return {
      check: "fingerprint",
      ok: false,
      detail: `the fingerprint at site ${place.siteId} is bound to another card: a new card needs a new fingerprint`,
    };
  }
  return {
    check: "fingerprint",
    ok: true,
    detail: `fingerprint enrolled for this card at site ${place.siteId}`,
  };
}

async function certificatesCheck(
  state: StateReader,
  subject: ExplainSubject,
  place: ExplainPlace,
  now: number,
): Promise<ExplainCheck> {
  if (place.requiredCertificates.length === 0) {
    return { check: "certificates", ok: true, detail: "the area needs no certificate" };
  }
  const held = await state
    .selectFrom("certificate")
    .select(["type", "valid_from", "valid_until"])
    .where("person_id", "=", subject.statePersonId)
    .where("type", "in", [...place.requiredCertificates])
    .execute();
  const missing = place.requiredCertificates.filter(
    (type) => !held.some((c) => c.type === type && validAt(now, c.valid_from, c.valid_until)),
  );
  return missing.length === 0
    ? {
        check: "certificates",
        ok: true,
        detail: `valid: ${place.requiredCertificates.join(", ")}`,
      }
    : { check: "certificates", ok: false, detail: `not valid now: ${missing.join(", ")}` };
}
