import { type Actor, requireRole, SYSTEM_ACTOR, seesCompany } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { IamError, iamNotFound, ruleRefused } from "../errors.js";
import { visibleEmployment, visiblePerson } from "../scope.js";
import { cancelTimer, scheduleTimer, type TimerHandler } from "../timers/timers.js";
import { EMPLOYMENT_END_TIMER, finishEnd } from "./ending.js";
import { approvedCompany, cardStep, personFor } from "./registration.js";
import {
  type EmploymentRow,
  employmentRepository as employments,
  type PersonRow,
  personRepository as persons,
} from "./repository.js";
import {
  invalidField,
  validateEmployment,
  validateEmploymentPatch,
  validateEnd,
  validateLookUp,
} from "./validation.js";
import {
  displayName,
  type Employment,
  type EmploymentCreated,
  type EmploymentEnd,
  employmentOf,
  type LookUpMatch,
  type Person,
  personName,
} from "./views.js";

const WRITERS = ["wholesale-admin", "manager", "partner-contact"] as const;
const READERS = ["wholesale-admin", "manager", "helpdesk", "auditor", "partner-contact"] as const;

/**
 * Persons and their employments (source chapter 5) and the end of an employment (chapters
 * 13, 14). A person is looked up first, so that nobody gets a second person record (nor a
 * second card); the same person-company pair never gets a second employment. Partner
 * contacts work on their own company's employments only.
 */
export class PersonService {
  constructor(private readonly ctx: IamContext) {}

  /** The persons with exactly this surname (prefix apart), initials and birth date. */
  async lookUp(actor: Actor, input: unknown): Promise<LookUpMatch[]> {
    requireRole(actor, [...WRITERS, "helpdesk"], "look up persons");
    const facts = validateLookUp(this.today(), input);
    const found = await persons.matching(this.ctx.db, facts);
    const partner = actor.role === "partner-contact";
    const matches: LookUpMatch[] = [];
    for (const p of found) {
      const rows = await employments.ofPerson(
        this.ctx.db,
        p.id,
        partner ? (actor.companyId ?? -1) : undefined,
      );
      const list = rows.map((e) => ({
        id: e.id,
        companyId: e.company_id,
        employmentNumber: e.employment_number,
        status: e.status,
      }));
      matches.push({
        ...personName(p),
        ...(partner ? {} : { birthDate: p.birth_date }),
        employments: list,
      });
    }
    return matches;
  }

  /**
   * Adds an employment to the person found by the look-up (`personId`), or to a new person
   * (`person`), and starts a card request unless the person has an access card (active, or
   * already on its way). Refuses CONFLICT `PERSON_EXISTS` (a new person who exists),
   * `DUPLICATE_EMPLOYMENT` (the pair exists), RULE `COMPANY_NOT_APPROVED`.
   */
  async createEmployment(actor: Actor, input: unknown): Promise<EmploymentCreated> {
    requireRole(actor, WRITERS, "register employments");
    const data = validateEmployment(this.today(), input);
    const at = this.ctx.clock.now();
    const result = await inTransaction(this.ctx.db, async (trx) => {
      const stateCompanyId = await approvedCompany(trx, actor, data.companyId);
      const { person, created } = await personFor(this.ctx, trx, actor, data, at);
      if (!created) {
        const existing = await employments.ofPair(trx, person.id, data.companyId);
        if (existing !== undefined) {
          throw new IamError(
            "CONFLICT",
            `${displayName(person)} already has employment ${existing.employment_number} (id ${existing.id}) with company ${data.companyId}`,
            "DUPLICATE_EMPLOYMENT",
            {
              existing: {
                employmentId: existing.id,
                employmentNumber: existing.employment_number,
              },
            },
          );
        }
      }
      const days = this.ctx.workingDays;
      const { employmentId: stateEmploymentId } = this.ctx.commands.createEmployment({
        personId: person.state_person_id,
        companyId: stateCompanyId,
        start: days.startOfDay(data.startDate),
        end: data.endDate === null ? null : days.startOfDay(data.endDate),
      });
      const row = await employments.insert(
        trx,
        data,
        { personId: person.id, stateEmploymentId },
        { createdBy: actor.accountId, createdAt: at },
      );
      if (data.endDate !== null) await this.scheduleEnd(trx, row.id, data.endDate, null);
      const employment = employmentOf(row, person);
      await this.audit(trx, actor, "employment.created", row.id, null, employment);
      const card = await cardStep(this.ctx, trx, actor, row, data.requestCard);
      return { employment, personCreated: created, ...card };
    });
    this.ctx.committed();
    this.ctx.log?.info(
      { actor: actor.accountId, employmentId: result.employment.id },
      "employment created",
    );
    return result;
  }

  async getEmployment(actor: Actor, employmentId: number): Promise<Employment> {
    requireRole(actor, READERS, "read employments");
    const row = await visibleEmployment(this.ctx.db, actor, employmentId);
    return this.view(this.ctx.db, row);
  }

  /** A company's employments by id, `limit` after id `after` (partner: own company only). */
  async listEmployments(
    actor: Actor,
    companyId: number,
    page: { after?: number; limit: number },
  ): Promise<Employment[]> {
    requireRole(actor, READERS, "read employments");
    const company = await this.ctx.db
      .selectFrom("iam_company")
      .select("id")
      .where("id", "=", companyId)
      .executeTakeFirst();
    if (company === undefined || !seesCompany(actor, companyId)) {
      throw iamNotFound("company", companyId);
    }
    return employments.ofCompany(this.ctx.db, companyId, page);
  }

  /** A person with the employments the actor sees (a partner: its own company's). */
  async getPerson(actor: Actor, personId: number): Promise<Person> {
    requireRole(actor, READERS, "read persons");
    const person = await visiblePerson(this.ctx.db, actor, personId);
    const rows = await employments.ofPerson(
      this.ctx.db,
      personId,
      actor.role === "partner-contact" ? (actor.companyId ?? -1) : undefined,
    );
    return {
      ...personName(person),
      birthDate: person.birth_date,
      employments: rows.map((e) => employmentOf(e, person)),
    };
  }

  /** Changes an employment's contact data, address or postal choice (e.g. after a move). */
  async updateEmployment(actor: Actor, employmentId: number, input: unknown): Promise<Employment> {
    requireRole(actor, WRITERS, "change employments");
    const patch = validateEmploymentPatch(input);
    const result = await inTransaction(this.ctx.db, async (trx) => {
      const before = await this.view(trx, await visibleEmployment(trx, actor, employmentId));
      if (before.status === "ended") {
        throw ruleRefused("ALREADY_ENDED", `employment ${employmentId} has ended`);
      }
      const after = await this.view(trx, await employments.update(trx, employmentId, patch));
      await this.audit(trx, actor, "employment.changed", employmentId, before, after);
      return after;
    });
    this.ctx.committed();
    return result;
  }

  /**
   * "Uit dienst": at once (no date, or today or earlier) or at the start of a future date,
   * which the doors learn now; a new date moves a scheduled end. Refuses RULE
   * `ALREADY_ENDED`; a date before the start is an invalid field.
   */
  async endEmployment(actor: Actor, employmentId: number, input: unknown): Promise<EmploymentEnd> {
    requireRole(actor, WRITERS, "end employments");
    const data = validateEnd(input);
    const today = this.today();
    const result = await inTransaction(this.ctx.db, async (trx) => {
      const row = await visibleEmployment(trx, actor, employmentId);
      // A dated end already past is at the doors; its timer is about to do the rest.
      const past =
        row.end_date !== null &&
        this.ctx.workingDays.startOfDay(row.end_date) <= this.ctx.clock.now();
      if (row.status === "ended" || past) {
        throw ruleRefused(
          "ALREADY_ENDED",
          `employment ${row.employment_number} ended on ${row.end_date ?? "an earlier date"}`,
        );
      }
      if (data.date !== undefined && data.date < row.start_date) {
        throw invalidField("date", `on or after the employment's start ${row.start_date}`);
      }
      const person = await this.person(trx, row.person_id);
      if (data.date === undefined || data.date <= today) {
        await cancelTimer(trx, EMPLOYMENT_END_TIMER, employmentId);
        const end = await finishEnd(this.ctx, trx, actor, row, data.date ?? today, data.reason);
        return {
          employment: employmentOf(end.row, person),
          ended: true,
          endsAt: end.row.ended_at ?? this.ctx.clock.now(),
          endedAuthorizationIds: end.endedAuthorizationIds,
          cardsToReturn: end.cardsToReturn,
          keysToReturn: end.keysToReturn,
          keptCardId: end.keptCardId,
        };
      }
      const endsAt = this.ctx.workingDays.startOfDay(data.date);
      this.ctx.commands.endEmployment(row.state_employment_id, endsAt);
      const after = await employments.setEnd(trx, employmentId, {
        endDate: data.date,
        reason: data.reason,
        endedAt: null,
      });
      await this.scheduleEnd(trx, employmentId, data.date, data.reason);
      await this.audit(
        trx,
        actor,
        "employment.end-scheduled",
        employmentId,
        { endDate: row.end_date },
        { endDate: data.date, reason: data.reason },
      );
      return {
        employment: employmentOf(after, person),
        ended: false,
        endsAt,
        endedAuthorizationIds: [],
        cardsToReturn: [],
        keysToReturn: [],
        keptCardId: null,
      };
    });
    this.ctx.committed();
    return result;
  }

  /** The dated end falling due: does the rest of the end (moot if ended or moved). */
  timerHandlers(): Record<string, TimerHandler> {
    return {
      [EMPLOYMENT_END_TIMER]: async (trx, timer) => {
        const row = await employments.find(trx, Number(timer.subject));
        if (row === undefined || row.status !== "active" || row.end_date === null) return;
        if (this.ctx.workingDays.startOfDay(row.end_date) > this.ctx.clock.now()) return;
        await finishEnd(this.ctx, trx, SYSTEM_ACTOR, row, row.end_date, row.end_reason);
      },
    };
  }

  // --- internals ---

  private today(): string {
    return this.ctx.workingDays.localDate(this.ctx.clock.now());
  }

  private scheduleEnd(trx: IamDb, id: number, date: string, reason: string | null) {
    const dueAt = this.ctx.workingDays.startOfDay(date);
    return scheduleTimer(trx, this.ctx.clock.now(), {
      kind: EMPLOYMENT_END_TIMER,
      subject: id,
      dueAt,
      payload: { employmentId: id, reason },
    });
  }

  private async person(db: IamDb, personId: number): Promise<PersonRow> {
    const person = await persons.find(db, personId);
    if (person === undefined) throw iamNotFound("person", personId);
    return person;
  }

  private async view(db: IamDb, row: EmploymentRow): Promise<Employment> {
    return employmentOf(row, await this.person(db, row.person_id));
  }

  private audit(
    trx: IamDb,
    actor: Actor,
    action: string,
    entityId: number,
    before: object | null,
    after: object | null,
  ): Promise<void> {
    const entity = action.startsWith("person.") ? "person" : "employment";
    const at = this.ctx.clock.now();
    return appendAudit(trx, { actor, at, action, entity, entityId, before, after });
  }
}
