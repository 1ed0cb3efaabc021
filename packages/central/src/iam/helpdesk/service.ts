import type { EventStore } from "../../service/event-store.js";
import { type Actor, requireRole } from "../actor.js";
import { activeAccessCard } from "../cards/request.js";
import type { IamContext } from "../context.js";
import { iamNotFound } from "../errors.js";
import { visiblePerson } from "../scope.js";
import { parse } from "../validation-common.js";
import { findDoor } from "./doors.js";
import { type ExplainCheck, type ExplainSubject, runChecks } from "./explain.js";
import { type RemoteOpener, type RemoteOpening, remoteOpen } from "./remote-open.js";
import { areaRow, siteRow, stateReader } from "./state.js";
import { explainInput } from "./validation.js";

export type { RemoteOpener, RemoteOpening } from "./remote-open.js";

/** One access decision of the card at the door, as the edge reported it. */
export interface DoorEvent {
  readonly seq: number;
  readonly at: number;
  readonly outcome: string | null;
  readonly reason: string | null;
}

export interface Explanation {
  readonly siteId: string;
  readonly doorId: string;
  readonly areaId: number;
  readonly personId: number;
  readonly card: { readonly id: number; readonly number: string | null } | null;
  readonly checks: readonly ExplainCheck[];
  /** The first failing check, or null: everything holds, so look at the reader. */
  readonly failed: ExplainCheck | null;
  readonly verdict: string;
  readonly lastEvents: readonly DoorEvent[];
}

/** Per site: the card the fingerprint is bound to against the person's current card. */
export interface EnrollmentStatus {
  readonly siteId: string;
  readonly fingerprintRequired: boolean;
  readonly enrolledCardId: number | null;
  readonly enrolledCardNumber: string | null;
  readonly enrolledAt: number | null;
  readonly currentCardId: number | null;
  readonly currentCardNumber: string | null;
  /** "new card, needs a new fingerprint": required, enrolled, but for another card. */
  readonly needsNewFingerprint: boolean;
}

export const DEFAULT_EXPLAIN_EVENTS = 10;

/**
 * The helpdesk (FAQ 1): why an engineer cannot get in at a door, which card each site's
 * fingerprint is bound to, and opening a door remotely with a reason.
 */
export class HelpdeskService {
  constructor(
    private readonly ctx: IamContext,
    private readonly options: { events?: EventStore; opener?: RemoteOpener } = {},
  ) {}

  /**
   * Answers "why can't this engineer get in at this door": every check in the document's
   * order, the first failing one as the verdict, and the card's last decisions at the door.
   */
  async explain(actor: Actor, input: unknown): Promise<Explanation> {
    requireRole(actor, ["helpdesk", "wholesale-admin", "manager"], "explain access");
    const data = parse(explainInput, input);
    const db = this.ctx.db;
    const door = await findDoor(db, data.siteId, data.doorId);
    if (door === undefined) throw iamNotFound("door", `${data.siteId}/${data.doorId}`);
    const site = await siteRow(db, door.siteId);
    const area = await areaRow(db, door.areaId);
    if (site === undefined || area === undefined) {
      throw iamNotFound("door", `${data.siteId}/${data.doorId}`);
    }
    const subject =
      data.personId !== undefined
        ? await this.subjectOfPerson(data.personId)
        : await this.subjectOfCard(data.cardNumber ?? "");
    const checks = await runChecks(
      db,
      subject,
      {
        siteId: door.siteId,
        doorId: door.doorId,
        areaId: area.id,
        areaName: area.name,
        requiredCertificates: JSON.parse(area.required_certificates) as string[],
        fingerprintRequired: site.fingerprint_required === 1,
      },
      this.ctx.clock.now(),
    );
    const failed = checks.find((c) => !c.ok) ?? null;
    return {
      siteId: door.siteId,
      doorId: door.doorId,
      areaId: door.areaId,
      personId: subject.personId,
      card: subject.card === null ? null : { id: subject.card.id, number: subject.card.number },
      checks,
      failed,
      verdict:
        failed === null
          ? "should get in: check the reader (call the helpdesk on site)"
          : `${failed.check}: ${failed.detail}`,
      lastEvents: this.lastEvents(door.siteId, door.doorId, subject, data.limit),
    };
  }

  /** Per site (where a fingerprint is required or one is enrolled): bound card vs current card. */
  async enrollments(actor: Actor, personId: number): Promise<EnrollmentStatus[]> {
    requireRole(
      actor,
      ["helpdesk", "wholesale-admin", "manager", "auditor", "partner-contact"],
      "read enrollments",
    );
    const db = this.ctx.db;
    const person = await visiblePerson(db, actor, personId);
    const current = await activeAccessCard(db, personId);
    const currentNumber =
      current === undefined ? null : await this.cardNumberOf(current.stateCardId);
    const enrolled = await db
      .selectFrom("iam_enrollment")
      .selectAll()
      .where("state_person_id", "=", person.state_person_id)
      .execute();
    const sites = await stateReader(db)
      .selectFrom("site")
      .select(["id", "fingerprint_required"])
      .orderBy("id")
      .execute();
    const result: EnrollmentStatus[] = [];
    for (const site of sites) {
      const enrollment = enrolled.find((e) => e.site_id === site.id);
      const required = site.fingerprint_required === 1;
      if (!required && enrollment === undefined) continue;
      const currentCardId = current?.stateCardId ?? null;
      result.push({
        siteId: site.id,
        fingerprintRequired: required,
        enrolledCardId: enrollment?.state_card_id ?? null,
        enrolledCardNumber:
          enrollment === undefined ? null : await this.cardNumberOf(enrollment.state_card_id),
        enrolledAt: enrollment?.enrolled_at ?? null,
        currentCardId,
        currentCardNumber: currentNumber,
        needsNewFingerprint:
          required &&
          enrollment !== undefined &&
          currentCardId !== null &&
          enrollment.state_card_id !== currentCardId,
      });
    }
    return result;
  }

  /** Opens a door remotely (helpdesk), recorded with its reason before and after sending. */
  async remoteOpen(actor: Actor, input: unknown): Promise<RemoteOpening> {
    requireRole(actor, ["helpdesk"], "open doors remotely");
    return remoteOpen(this.ctx, this.options.opener, actor, input);
  }

  private async subjectOfPerson(personId: number): Promise<ExplainSubject> {
    const person = await this.ctx.db
      .selectFrom("iam_person")
      .select(["id", "state_person_id"])
      .where("id", "=", personId)
      .executeTakeFirst();
    if (person === undefined) throw iamNotFound("person", personId);
    // The active access card, else the newest: "card not active" names the card in question.
    const card = await this.ctx.db
      .selectFrom("iam_card")
      .select(["id", "state_card_id", "card_number", "status"])
      .where("person_id", "=", personId)
      .where("kind", "=", "access")
      .where("state_card_id", "is not", null)
      .orderBy((eb) => eb.case().when("status", "=", "active").then(0).else(1).end())
      .orderBy("id", "desc")
      .executeTakeFirst();
    return {
      personId: person.id,
      statePersonId: person.state_person_id,
      card:
        card === undefined
          ? null
          : {
              id: card.id,
              stateCardId: card.state_card_id,
              number: card.card_number,
              status: card.status,
            },
    };
  }

  private async subjectOfCard(cardNumber: string): Promise<ExplainSubject> {
    const card = await this.ctx.db
      .selectFrom("iam_card")
      .innerJoin("iam_person", "iam_person.id", "iam_card.person_id")
      .select([
        "iam_card.id",
        "iam_card.state_card_id",
        "iam_card.card_number",
        "iam_card.status",
        "iam_person.id as person_id",
        "iam_person.state_person_id",
      ])
      .where("iam_card.kind", "=", "access")
      .where("iam_card.card_number", "=", cardNumber)
      .executeTakeFirst();
    if (card === undefined) throw iamNotFound("card", cardNumber);
    return {
      personId: card.person_id,
      statePersonId: card.state_person_id,
      card: {
        id: card.id,
        stateCardId: card.state_card_id,
        number: card.card_number,
        status: card.status,
      },
    };
  }

  private lastEvents(
    siteId: string,
    doorId: string,
    subject: ExplainSubject,
    limit = DEFAULT_EXPLAIN_EVENTS,
  ): DoorEvent[] {
    const cardId = subject.card?.stateCardId ?? null;
    if (this.options.events === undefined || cardId === null) return [];
    return this.options.events.decisionsOfCard(siteId, doorId, cardId, limit).map((e) => {
      const p = JSON.parse(e.payloadJson) as { outcome?: unknown; reason?: unknown };
      return {
        seq: e.seq,
        at: e.at,
        outcome: typeof p.outcome === "string" ? p.outcome : null,
        reason: typeof p.reason === "string" ? p.reason : null,
      };
    });
  }

  private async cardNumberOf(stateCardId: number | null): Promise<string | null> {
    if (stateCardId === null) return null;
    const row = await this.ctx.db
      .selectFrom("iam_card")
      .select("card_number")
      .where("state_card_id", "=", stateCardId)
      .executeTakeFirst();
    return row?.card_number ?? null;
  }
}
