import type { CardStatus } from "@acs/protocol";
import type { Clock } from "../clock.js";
import * as authorizations from "./authorization-commands.js";
import * as cards from "./card-commands.js";
import { CommandContext } from "./command-context.js";
import type {
  AddCertificateInput,
  CreateAreaInput,
  CreateEmploymentInput,
  CreateHolidayCalendarInput,
  CreatePersonInput,
  CreateScheduleInput,
  CreateSiteInput,
  GrantOptions,
  IssueCardInput,
  Outcome,
  SetDoorPolicyInput,
  SetSitePolicyInput,
  UpsertCompanyInput,
} from "./command-inputs.js";
import * as employments from "./employment-commands.js";
import * as sites from "./site-commands.js";
import type { CentralStore } from "./store.js";

export type {
  AddCertificateInput,
  CreateAreaInput,
  CreateEmploymentInput,
  CreateHolidayCalendarInput,
  CreatePersonInput,
  CreateScheduleInput,
  CreateSiteInput,
  GrantOptions,
  IssueCardInput,
  Outcome,
  ScheduleWindowInput,
  SetDoorPolicyInput,
  SetSitePolicyInput,
  UpsertCompanyInput,
} from "./command-inputs.js";

/**
 * The state-changing commands. Each validates its input, refuses with a CentralError
 * (NOT_FOUND, INVALID, CONFLICT, naming the field), and otherwise makes its change and
 * compiles its site deltas in ONE transaction: a refused or failed command changes nothing
 * and announces nothing. Time comes from the injected clock only.
 *
 * The commands themselves live by area (site-, employment-, card- and
 * authorization-commands.ts); their inputs and schemas in command-inputs.ts.
 */
export class CentralCommands {
  readonly store: CentralStore;
  private readonly context: CommandContext;

  constructor(store: CentralStore, clock: Clock = store.clock) {
    this.store = store;
    this.context = new CommandContext(store, clock);
  }

  // --- sites ---

  createSite(input: CreateSiteInput): Outcome<{ siteId: string }> {
    return sites.createSite(this.context, input);
  }

  /** The fingerprint rules of a whole site; a field left out keeps its value. */
  setSitePolicy(input: SetSitePolicyInput): Outcome {
    return sites.setSitePolicy(this.context, input);
  }

  /** A door's mode and unlock schedule (a schedule of the same site). */
  setDoorPolicy(input: SetDoorPolicyInput): Outcome<{ doorPolicyId: number }> {
    return sites.setDoorPolicy(this.context, input);
  }

  createArea(input: CreateAreaInput): Outcome<{ areaId: number }> {
    return sites.createArea(this.context, input);
  }

  createHolidayCalendar(input: CreateHolidayCalendarInput): Outcome<{ holidayCalendarId: number }> {
    return sites.createHolidayCalendar(this.context, input);
  }

  createSchedule(input: CreateScheduleInput): Outcome<{ scheduleId: number }> {
    return sites.createSchedule(this.context, input);
  }

  // --- companies, persons, employments ---

  upsertCompany(input: UpsertCompanyInput): Outcome<{ companyId: number; created: boolean }> {
    return employments.upsertCompany(this.context, input);
  }

  createPerson(input: CreatePersonInput): Outcome<{ personId: number }> {
    return employments.createPerson(this.context, input);
  }

  /** Links a person to a company; the same pair never gets two employments (CONFLICT). */
  createEmployment(input: CreateEmploymentInput): Outcome<{ employmentId: number }> {
    return employments.createEmployment(this.context, input);
  }

  /**
   * "Uit dienst": from `at` (now by default) the employment grants nothing, anywhere. The
   * end travels to every site with an authorization through it. Refused (CONFLICT) when
   * the employment has already ended; `at` may move a future end.
   */
  endEmployment(employmentId: number, at?: number): Outcome<{ end: number }> {
    return employments.endEmployment(this.context, employmentId, at);
  }

  // --- cards and certificates ---

  /**
   * Issues a card to a person. One card per credential (CONFLICT `number` / `rawBits`); a
   * person has at most one active card (CONFLICT `status`).
   */
  issueCard(input: IssueCardInput): Outcome<{ cardId: number }> {
    return cards.issueCard(this.context, input);
  }

  /**
   * Sets a card's status (lost, stolen, defective, ... take effect at every site of its
   * holder with the next delta). Activating records `activatedAt` and needs the holder to
   * have no other active card.
   */
  setCardStatus(cardId: number, status: CardStatus, reason?: string): Outcome {
    return cards.setCardStatus(this.context, cardId, status, reason);
  }

  addCertificate(input: AddCertificateInput): Outcome<{ certificateId: number }> {
    return cards.addCertificate(this.context, input);
  }

  // --- authorizations ---

  /**
   * Authorizes an employment for an area (at the area's site), optionally within
   * [validFrom, validUntil) and a schedule of that site. Refused (CONFLICT) for an
   * employment that has ended.
   */
  grant(
    employmentId: number,
    areaId: number,
    options: GrantOptions = {},
  ): Outcome<{ authorizationId: number }> {
    return authorizations.grant(this.context, employmentId, areaId, options);
  }

  /** Revokes an authorization: it travels nowhere any more (kept, marked, for the record). */
  revoke(authorizationId: number): Outcome {
    return authorizations.revoke(this.context, authorizationId);
  }
}
