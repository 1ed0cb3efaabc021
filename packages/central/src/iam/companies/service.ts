import type { CentralCommands } from "../../state/commands.js";
import { type Actor, requireRole, seesCompany } from "../actor.js";
import { appendAudit, maskSensitive } from "../audit.js";
import { DEFAULT_IAM_CONFIG, type IamConfig } from "../config.js";
import { type IamDb, inTransaction } from "../db.js";
import { forbidden, IamError, iamNotFound, ruleRefused } from "../errors.js";
import type { Company, CompanyDetails, ContactPerson, DecisionStatus } from "./model.js";
import {
  companyRepository as companies,
  contactPersonRepository as contacts,
} from "./repository.js";
import { validateComment, validateContactPerson, validateRegistration } from "./validation.js";

/** The part of a logger the service uses (a pino logger is one); it only gets masked data. */
export interface IamLog {
  info(details: object, message: string): void;
}

export interface CompanyServiceOptions {
  readonly db: IamDb;
  readonly clock: { now(): number };
  /** Role addresses and free-mail domains refused as e-mail; the defaults when absent. */
  readonly config?: Partial<IamConfig>;
  readonly log?: IamLog;
  /** Given: an approved company gets its state row (what employments at the doors carry). */
  readonly commands?: CentralCommands;
}

const READERS = ["wholesale-admin", "manager", "helpdesk", "auditor", "partner-contact"] as const;

/**
 * Companies (wholesale partners) and their contact persons. Registrations and new contact
 * persons are pending until a manager other than the submitter approves or rejects them.
 * Every command is one transaction holding its change and its audit records.
 */
export class CompanyService {
  private readonly db: IamDb;
  private readonly clock: { now(): number };
  private readonly config: IamConfig;
  private readonly log: IamLog | undefined;
  private readonly commands: CentralCommands | undefined;

  constructor(options: CompanyServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.config = { ...DEFAULT_IAM_CONFIG, ...options.config };
    this.log = options.log;
    this.commands = options.commands;
  }

  /**
   * Registers a company with at least one contact person, all pending. Refuses
   * IamValidationError (every problem with its path) and CONFLICT `DUPLICATE_KVK` when a
   * pending or approved company has the KvK number (`details.existing` names it).
   */
  async register(actor: Actor, input: unknown): Promise<CompanyDetails> {
    requireRole(actor, ["wholesale-admin", "manager"], "register a company");
    const at = this.clock.now();
    const data = validateRegistration(this.config, at, input);
    const result = await inTransaction(this.db, async (trx) => {
      const existing = await companies.findLiveByKvk(trx, data.kvkNumber);
      if (existing !== undefined) {
        throw new IamError(
          "CONFLICT",
          `KvK number ${data.kvkNumber} is already registered: company ${existing.id} "${existing.kvkName}" (${existing.status})`,
          "DUPLICATE_KVK",
          { existing: { id: existing.id, kvkName: existing.kvkName, status: existing.status } },
        );
      }
      const by = { requestedBy: actor.accountId, requestedAt: at };
      const company = await companies.insert(trx, data, by);
      await this.audit(trx, actor, at, "company.registered", "company", company.id, null, company);
      const persons: ContactPerson[] = [];
      for (const person of data.contactPersons) {
        const created = await contacts.insert(trx, company.id, person, by);
        await this.audit(
          trx,
          actor,
          at,
          "contact-person.registered",
          "contact-person",
          created.id,
          null,
          created,
        );
        persons.push(created);
      }
      return { ...company, contactPersons: persons };
    });
    this.log?.info(
      { actor: actor.accountId, company: maskSensitive(result) },
      "company registered",
    );
    return result;
  }

  /** Approves a pending registration, with the contact persons registered with it. */
  approve(actor: Actor, companyId: number, comment?: string): Promise<CompanyDetails> {
    return this.decideCompany(actor, companyId, "approved", comment);
  }

  /** Rejects a pending registration (comment required), with its pending contact persons. */
  reject(actor: Actor, companyId: number, comment: string): Promise<CompanyDetails> {
    return this.decideCompany(actor, companyId, "rejected", comment);
  }

  /** One company with its contact persons; a partner contact's foreign company: NOT_FOUND. */
  async get(actor: Actor, companyId: number): Promise<CompanyDetails> {
    requireRole(actor, READERS, "read companies");
    const company = await companies.find(this.db, companyId);
    if (company === undefined || !seesCompany(actor, companyId)) {
      throw iamNotFound("company", companyId);
    }
    return { ...company, contactPersons: await contacts.ofCompany(this.db, companyId) };
  }

  /** Companies, by id; a partner contact sees its own only. */
  async list(actor: Actor, filter: { status?: DecisionStatus } = {}): Promise<Company[]> {
    requireRole(actor, READERS, "read companies");
    if (actor.role === "partner-contact") {
      if (actor.companyId === undefined) return [];
      return companies.list(this.db, { ...filter, id: actor.companyId });
    }
    return companies.list(this.db, filter);
  }

  /**
   * Adds a contact person (pending approval) to an approved company. Partner contacts add to
   * their own company only. Refuses RULE `COMPANY_NOT_APPROVED` for a pending or rejected one.
   */
  async addContactPerson(actor: Actor, companyId: number, input: unknown): Promise<ContactPerson> {
    requireRole(actor, ["wholesale-admin", "manager", "partner-contact"], "add contact persons");
    const at = this.clock.now();
    const data = validateContactPerson(this.config, at, input);
    const created = await inTransaction(this.db, async (trx) => {
      const company = await companies.find(trx, companyId);
      if (company === undefined || !seesCompany(actor, companyId)) {
        throw iamNotFound("company", companyId);
      }
      if (company.status !== "approved") {
        throw ruleRefused(
          "COMPANY_NOT_APPROVED",
          `company ${companyId} is ${company.status}: contact persons are added to approved companies`,
        );
      }
      const person = await contacts.insert(trx, companyId, data, {
        requestedBy: actor.accountId,
        requestedAt: at,
      });
      await this.audit(
        trx,
        actor,
        at,
        "contact-person.requested",
        "contact-person",
        person.id,
        null,
        person,
      );
      return person;
    });
    this.log?.info(
      { actor: actor.accountId, contactPerson: maskSensitive(created) },
      "contact person requested",
    );
    return created;
  }

  /** Approves a pending contact person. */
  approveContactPerson(
    actor: Actor,
    contactPersonId: number,
    comment?: string,
  ): Promise<ContactPerson> {
    return this.decideContact(actor, contactPersonId, "approved", comment);
  }

  /** Rejects a pending contact person (comment required). */
  rejectContactPerson(
    actor: Actor,
    contactPersonId: number,
    comment: string,
  ): Promise<ContactPerson> {
    return this.decideContact(actor, contactPersonId, "rejected", comment);
  }

  // --- internals ---

  private async decideCompany(
    actor: Actor,
    companyId: number,
    status: "approved" | "rejected",
    comment: unknown,
  ): Promise<CompanyDetails> {
    requireRole(
      actor,
      ["manager"],
      `${status === "approved" ? "approve" : "reject"} registrations`,
    );
    const text = validateComment(comment, status === "rejected");
    const at = this.clock.now();
    const result = await inTransaction(this.db, async (trx) => {
      const before = await companies.find(trx, companyId);
      if (before === undefined) throw iamNotFound("company", companyId);
      checkDecidable(actor, "company", companyId, before);
      const decision = { status, decidedBy: actor.accountId, decidedAt: at, comment: text };
      const after = await companies.decide(trx, companyId, decision);
      if (after === undefined) throw notPending("company", companyId, before.status);
      if (status === "approved" && this.commands !== undefined) {
        const { companyId: stateCompanyId } = this.commands.upsertCompany({
          name: after.kvkName.slice(0, 100),
        });
        await trx
          .updateTable("iam_company")
          .set({ state_company_id: stateCompanyId })
          .where("id", "=", companyId)
          .execute();
      }
      await this.audit(trx, actor, at, `company.${status}`, "company", companyId, before, after);
      const persons: ContactPerson[] = [];
      for (const person of await contacts.ofCompany(trx, companyId)) {
        const decided =
          person.status === "pending" ? await contacts.decide(trx, person.id, decision) : undefined;
        if (decided === undefined) {
          persons.push(person);
          continue;
        }
        await this.audit(
          trx,
          actor,
          at,
          `contact-person.${status}`,
          "contact-person",
          person.id,
          person,
          decided,
        );
        persons.push(decided);
      }
      return { ...after, contactPersons: persons };
    });
    this.log?.info({ actor: actor.accountId, companyId, status }, `company ${status}`);
    return result;
  }

  private async decideContact(
    actor: Actor,
    contactPersonId: number,
    status: "approved" | "rejected",
    comment: unknown,
  ): Promise<ContactPerson> {
    requireRole(
      actor,
      ["manager"],
      `${status === "approved" ? "approve" : "reject"} contact persons`,
    );
    const text = validateComment(comment, status === "rejected");
    const at = this.clock.now();
    const result = await inTransaction(this.db, async (trx) => {
      const before = await contacts.find(trx, contactPersonId);
      if (before === undefined) throw iamNotFound("contact person", contactPersonId);
      checkDecidable(actor, "contact person", contactPersonId, before);
      const after = await contacts.decide(trx, contactPersonId, {
        status,
        decidedBy: actor.accountId,
        decidedAt: at,
        comment: text,
      });
      if (after === undefined) throw notPending("contact person", contactPersonId, before.status);
      await this.audit(
        trx,
        actor,
        at,
        `contact-person.${status}`,
        "contact-person",
        contactPersonId,
        before,
        after,
      );
      return after;
    });
    this.log?.info({ actor: actor.accountId, contactPersonId, status }, `contact person ${status}`);
    return result;
  }

  private audit(
    trx: IamDb,
    actor: Actor,
    at: number,
    action: string,
    entity: "company" | "contact-person",
    entityId: number,
    before: object | null,
    after: object | null,
  ): Promise<void> {
    return appendAudit(trx, { actor, at, action, entity, entityId, before, after });
  }
}

function notPending(what: string, id: number, status: DecisionStatus): IamError {
  return ruleRefused(
    "NOT_PENDING",
    `${what} ${id} is already ${status}: only a pending one is decided`,
  );
}

/** Four eyes: nobody decides what they submitted; and only a pending one is decided. */
function checkDecidable(
  actor: Actor,
  what: string,
  id: number,
  subject: { status: DecisionStatus; requestedBy: string },
): void {
  if (subject.status !== "pending") throw notPending(what, id, subject.status);
  if (subject.requestedBy === actor.accountId) {
    throw forbidden(
      `${what} ${id} was submitted by ${actor.accountId}, who cannot decide it`,
      "OWN_REQUEST",
    );
  }
}
