import { accountDb } from "../accounts/db.js";
import { type Actor, requireRole, SYSTEM_ACTOR } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { endAuthorization } from "../effects.js";
import { iamNotFound } from "../errors.js";
import { enqueueNotification } from "../notifications/outbox.js";
import { visiblePerson } from "../scope.js";
import { type DueTimer, scheduleTimer, type TimerHandler } from "../timers/timers.js";
import { type Certificate, certificateOf, requiredTypes, validCertificateTypes } from "./model.js";
import { certificateRecipients } from "./recipients.js";
import { DEFAULT_CERTIFICATE_TYPES, validateCertificate } from "./validation.js";

const DAY_MS = 86_400_000;

export const CERTIFICATE_TIMERS = {
  warning: "certificate.warning",
  lapse: "certificate.lapse",
} as const;

const READERS = [
  "wholesale-admin",
  "manager",
  "helpdesk",
  "auditor",
  "partner-contact",
  "training-institute",
] as const;

export interface CertificateServiceOptions {
  /** The types an institute may register; DEFAULT_CERTIFICATE_TYPES when absent. */
  readonly types?: readonly string[];
}

/**
 * Certificates (source chapter 8): registered by the training institute only, each with its
 * state row (the doors of areas that require the type refuse once it lapses). Ahead of the
 * end the holder and the contact persons are warned; at the end every authorization that
 * needs the type is ended, unless another certificate of that type (a renewal) covers it.
 */
export class CertificateService {
  readonly types: readonly string[];

  constructor(
    private readonly ctx: IamContext,
    options: CertificateServiceOptions = {},
  ) {
    this.types = options.types ?? DEFAULT_CERTIFICATE_TYPES;
  }

  /** Registers a certificate {personId, type, validFrom, validUntil} (local dates). */
  async register(actor: Actor, input: unknown): Promise<Certificate> {
    requireRole(actor, ["training-institute"], "register certificates");
    const { ctx } = this;
    const at = ctx.clock.now();
    const data = validateCertificate(this.types, ctx.workingDays.localDate(at), input);
    const validFrom = ctx.workingDays.startOfDay(data.validFrom);
    const validUntil = ctx.workingDays.startOfDay(data.validUntil);
    const created = await inTransaction(ctx.db, async (trx) => {
      const person = await trx
        .selectFrom("iam_person")
        .select(["id", "state_person_id"])
        .where("id", "=", data.personId)
        .executeTakeFirst();
      if (person === undefined) throw iamNotFound("person", data.personId);
      const { certificateId } = ctx.commands.addCertificate({
        personId: person.state_person_id,
        type: data.type,
        validFrom,
        validUntil,
      });
      const row = await trx
        .insertInto("iam_certificate")
        .values({
          person_id: person.id,
          type: data.type,
          valid_from: validFrom,
          valid_until: validUntil,
          state_certificate_id: certificateId,
          registered_by: actor.accountId,
          registered_at: at,
          withdrawn_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const warnAt = Math.max(at, validUntil - ctx.config.certificateExpiryWarningDays * DAY_MS);
      await scheduleTimer(trx, at, {
        kind: CERTIFICATE_TIMERS.warning,
        subject: row.id,
        dueAt: warnAt,
      });
      await scheduleTimer(trx, at, {
        kind: CERTIFICATE_TIMERS.lapse,
        subject: row.id,
        dueAt: validUntil,
      });
      const certificate = certificateOf(row, at);
      await appendAudit(trx, {
        actor,
        at,
        action: "certificate.registered",
        entity: "certificate",
        entityId: row.id,
        before: null,
        after: certificate,
      });
      return certificate;
    });
    ctx.committed();
    ctx.log?.info(
      { actor: actor.accountId, certificateId: created.id, type: created.type },
      "certificate registered",
    );
    return created;
  }

  /** One certificate; a partner contact sees those of persons its company employs only. */
  async get(actor: Actor, certificateId: number): Promise<Certificate> {
    requireRole(actor, READERS, "read certificates");
    const row = await this.ctx.db
      .selectFrom("iam_certificate")
      .selectAll()
      .where("id", "=", certificateId)
      .executeTakeFirst();
    if (row === undefined) throw iamNotFound("certificate", certificateId);
    await visiblePerson(this.ctx.db, actor, row.person_id).catch(() => {
      throw iamNotFound("certificate", certificateId);
    });
    return certificateOf(row, this.ctx.clock.now());
  }

  /** A person's certificates, newest end first, then by id. */
  async listForPerson(actor: Actor, personId: number): Promise<Certificate[]> {
    requireRole(actor, READERS, "read certificates");
    await visiblePerson(this.ctx.db, actor, personId);
    const rows = await this.ctx.db
      .selectFrom("iam_certificate")
      .selectAll()
      .where("person_id", "=", personId)
      .orderBy("id")
      .execute();
    const now = this.ctx.clock.now();
    return rows.map((r) => certificateOf(r, now));
  }

  timerHandlers(): Record<string, TimerHandler> {
    return {
      [CERTIFICATE_TIMERS.warning]: (trx, timer) => this.warn(trx, timer),
      [CERTIFICATE_TIMERS.lapse]: (trx, timer) => this.lapse(trx, timer),
    };
  }

  // --- timers ---

  private async warn(trx: IamDb, timer: DueTimer): Promise<void> {
    const row = await this.certificateRow(trx, timer);
    const at = this.ctx.clock.now();
    if (row === undefined || row.withdrawn_at !== null || row.valid_until <= at) return;
    // A renewal that already covers the end makes the warning moot.
    if (await this.renewed(trx, row, row.valid_until)) return;
    const params = {
      certificateId: String(row.id),
      type: row.type,
      validUntil: this.ctx.workingDays.localDate(row.valid_until),
    };
    for (const to of await certificateRecipients(trx, row.person_id)) {
      await enqueueNotification(accountDb(trx), at, "certificate-expiry-warning", to, params);
    }
  }

  private async lapse(trx: IamDb, timer: DueTimer): Promise<void> {
    const row = await this.certificateRow(trx, timer);
    if (row === undefined) return;
    const at = this.ctx.clock.now();
    if ((await validCertificateTypes(trx, row.person_id, at)).has(row.type)) return;
    const live = await trx
      .selectFrom("iam_authorization")
      .innerJoin("iam_employment", "iam_employment.id", "iam_authorization.employment_id")
      .innerJoin("iam_catalogue_entry", "iam_catalogue_entry.id", "iam_authorization.entry_id")
      .select([
        "iam_authorization.id",
        "iam_catalogue_entry.code",
        "iam_catalogue_entry.required_certificates",
      ])
      .where("iam_employment.person_id", "=", row.person_id)
      .where("iam_authorization.status", "=", "active")
      .orderBy("iam_authorization.id")
      .execute();
    const needing = live.filter((a) => requiredTypes(a.required_certificates).includes(row.type));
    const ended: string[] = [];
    for (const authorization of needing) {
      const done = await endAuthorization(
        this.ctx,
        trx,
        SYSTEM_ACTOR,
        authorization.id,
        "lapsed",
        `certificate ${row.type} lapsed`,
      );
      if (done) ended.push(authorization.code);
    }
    await appendAudit(trx, {
      actor: SYSTEM_ACTOR,
      at,
      action: "certificate.lapsed",
      entity: "certificate",
      entityId: row.id,
      before: null,
      after: { type: row.type, endedAuthorizations: needing.map((a) => a.id) },
    });
    if (ended.length === 0) return;
    const params = { certificateId: String(row.id), type: row.type, entries: ended.join(", ") };
    for (const to of await certificateRecipients(trx, row.person_id)) {
      await enqueueNotification(accountDb(trx), at, "access-lapsed", to, params);
    }
    this.ctx.log?.info(
      { certificateId: row.id, authorizations: needing.map((a) => a.id) },
      "certificate lapsed",
    );
  }

  private certificateRow(trx: IamDb, timer: DueTimer) {
    return trx
      .selectFrom("iam_certificate")
      .selectAll()
      .where("id", "=", Number(timer.subject))
      .executeTakeFirst();
  }

  /** Whether another certificate of the type, not withdrawn, is valid at `at`. */
  private async renewed(
    trx: IamDb,
    row: { id: number; person_id: number; type: string },
    at: number,
  ): Promise<boolean> {
    const other = await trx
      .selectFrom("iam_certificate")
      .select("id")
      .where("person_id", "=", row.person_id)
      .where("type", "=", row.type)
      .where("id", "<>", row.id)
      .where("valid_from", "<=", at)
      .where("valid_until", ">", at)
      .where("withdrawn_at", "is", null)
      .executeTakeFirst();
    return other !== undefined;
  }
}
