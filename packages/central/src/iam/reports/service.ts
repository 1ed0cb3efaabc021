import { z } from "zod";
import type { EventStore } from "../../service/event-store.js";
import { type Actor, requireRole, seesCompany } from "../actor.js";
import type { IamContext } from "../context.js";
import { iamNotFound, ruleRefused } from "../errors.js";
import { visiblePerson } from "../scope.js";
import { parse } from "../validation-common.js";
import { type EmployeeKey, type EmployeeRow, searchEmployees } from "./employees.js";
import {
  type PendingApproval,
  pendingApprovals,
  type ReturnItem,
  returnsToCollect,
} from "./lists.js";

export type { EmployeeRow } from "./employees.js";
export type { PendingApproval, ReturnItem } from "./lists.js";

/** A page: its items and the key to continue after (null: the last page). */
export interface ReportPage<T> {
  readonly items: T[];
  readonly after: readonly (string | number)[] | null;
}

export interface PageRequest {
  readonly limit?: number;
  readonly after?: readonly (string | number)[];
}

/** Granted visits of a person at a site, per local day and door. */
export interface VisitDay {
  readonly date: string;
  readonly doorId: string;
  readonly doorName: string | null;
  readonly visits: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

const READERS = ["wholesale-admin", "manager", "helpdesk", "auditor", "partner-contact"] as const;
export const DEFAULT_REPORT_LIMIT = 50;
const MAX_VISIT_DAYS = 366;

const employeeQuery = z.strictObject({
  companyId: z.number().int().positive().optional(),
  q: z
    .string()
    .trim()
    .min(1, "give a name, an employment or card number, or % for everyone")
    .max(100, "at most 100 characters"),
});

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date: YYYY-MM-DD");
const visitQuery = z
  .strictObject({
    personId: z.number().int().positive(),
    siteId: z.string().min(1).max(64),
    from: localDate,
    until: localDate,
  })
  .refine((v) => v.from < v.until, { path: ["until"], message: "until must be after from" });

/**
 * The reports (source chapter 13, tab "Rapportage"): employees of a company, pending
 * approvals, keys and cards to return, visits. A partner contact sees its own company only.
 */
export class ReportService {
  constructor(
    private readonly ctx: IamContext,
    private readonly options: { events?: EventStore } = {},
  ) {}

  /**
   * Employees found by surname prefix (case-insensitive), employment number or card number;
   * "%" lists everyone. Partners search their own company (another company: NOT_FOUND).
   */
  async employees(
    actor: Actor,
    input: unknown,
    page: PageRequest = {},
  ): Promise<ReportPage<EmployeeRow>> {
    requireRole(actor, READERS, "search employees");
    const data = parse(employeeQuery, input);
    const companyId = this.companyScope(actor, data.companyId);
    const limit = page.limit ?? DEFAULT_REPORT_LIMIT;
    const { rows, keyOf } = await searchEmployees(this.ctx.db, {
      q: data.q,
      companyId,
      limit,
      after: page.after as EmployeeKey | undefined,
    });
    return pageOfRows(rows, keyOf, limit);
  }

  /** Request items waiting for a decision, oldest first, with their due date and overdue flag. */
  async pendingApprovals(
    actor: Actor,
    filter: { companyId?: number } = {},
    page: PageRequest = {},
  ): Promise<ReportPage<PendingApproval>> {
    requireRole(actor, READERS, "read pending approvals");
    const limit = page.limit ?? DEFAULT_REPORT_LIMIT;
    const after = typeof page.after?.[0] === "number" ? page.after[0] : 0;
    const rows = await pendingApprovals(this.ctx.db, {
      companyId: this.companyScope(actor, filter.companyId),
      after,
      limit: limit + 1,
      now: this.ctx.clock.now(),
    });
    return pageOfRows(rows, (r) => [r.itemId], limit);
  }

  /** Keys and cards expected back (cards first, then keys, each by id). */
  async returns(
    actor: Actor,
    filter: { companyId?: number } = {},
    page: PageRequest = {},
  ): Promise<ReportPage<ReturnItem>> {
    requireRole(actor, READERS, "read returns");
    const limit = page.limit ?? DEFAULT_REPORT_LIMIT;
    const rows = await returnsToCollect(this.ctx.db, {
      companyId: this.companyScope(actor, filter.companyId),
      after: page.after,
      limit: limit + 1,
    });
    return pageOfRows(rows, (r) => [r.kind, r.id], limit);
  }

  /** A person's granted entries at a site in [from, until) (local dates), per day and door. */
  async visits(actor: Actor, input: unknown): Promise<VisitDay[]> {
    requireRole(actor, READERS, "read visits");
    const data = parse(visitQuery, input);
    const person = await visiblePerson(this.ctx.db, actor, data.personId);
    const events = this.options.events;
    if (events === undefined) {
      throw ruleRefused("EVENTS_UNAVAILABLE", "central keeps no events here");
    }
    const days = this.ctx.workingDays;
    const from = days.startOfDay(data.from);
    const until = days.startOfDay(data.until);
    if (until - from > MAX_VISIT_DAYS * 86_400_000) {
      throw ruleRefused("PERIOD_TOO_LONG", `a period of at most ${MAX_VISIT_DAYS} days`);
    }
    const doors = new Map(
      (
        await this.ctx.db
          .selectFrom("iam_door")
          .select(["door_id", "name"])
          .where("site_id", "=", data.siteId)
          .execute()
      ).map((d) => [d.door_id, d.name]),
    );
    const groups = new Map<string, VisitDay>();
    for (const e of events.grantsOfPerson(data.siteId, person.state_person_id, from, until)) {
      const date = days.localDate(e.at);
      const doorId = e.doorId ?? "";
      const key = `${date}\u0000${doorId}`;
      const seen = groups.get(key);
      groups.set(key, {
        date,
        doorId,
        doorName: doors.get(doorId) ?? null,
        visits: (seen?.visits ?? 0) + 1,
        firstAt: seen?.firstAt ?? e.at,
        lastAt: e.at,
      });
    }
    return [...groups.values()].sort((a, b) =>
      a.date === b.date ? (a.doorId < b.doorId ? -1 : 1) : a.date < b.date ? -1 : 1,
    );
  }

  /** The company a report covers: a partner its own (another one answers NOT_FOUND). */
  private companyScope(actor: Actor, companyId: number | undefined): number | undefined {
    if (actor.role !== "partner-contact") return companyId;
    if (companyId !== undefined && !seesCompany(actor, companyId)) {
      throw iamNotFound("company", companyId);
    }
    return actor.companyId ?? -1;
  }
}

function pageOfRows<T>(
  rows: readonly T[],
  keyOf: (row: T) => readonly (string | number)[],
  limit: number,
): ReportPage<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, after: rows.length > limit && last !== undefined ? keyOf(last) : null };
}
