import type { Actor } from "../actor.js";
import { requireRole } from "../actor.js";
import type { IamContext } from "../context.js";
import type { TimerHandler } from "../timers/timers.js";
import { addItems } from "./add-items.js";
import { basket, pendingItems, removeItem, setMotivation, submit, visibleItem } from "./basket.js";
import { decide } from "./decision.js";
import {
  delegate,
  delegations,
  escalationDeputy,
  setEscalationDeputy,
  withdrawDelegation,
} from "./delegation.js";
import { requestTimerHandlers } from "./handlers.js";
import {
  type Delegation,
  type RequestItem,
  type SubmissionResult,
  toRequestItem,
} from "./model.js";

/**
 * Requests (source chapters 6, 7, 11, 12): baskets per contact-person account, submitted
 * together once, decided item by item under four eyes, with delegation, escalation and
 * expiry run by durable timers. The rules live in the files next to this one.
 */
export class RequestService {
  constructor(private readonly ctx: IamContext) {}

  /** Adds items for many employments at once, all or nothing (RequestRefusedError). */
  addItems(actor: Actor, input: unknown): Promise<RequestItem[]> {
    return addItems(this.ctx, actor, input);
  }

  /** Sets a draft's motivation: it is then ready for submission. */
  setMotivation(actor: Actor, itemId: number, text: unknown): Promise<RequestItem> {
    return setMotivation(this.ctx, actor, itemId, text);
  }

  removeItem(actor: Actor, itemId: number): Promise<RequestItem> {
    return removeItem(this.ctx, actor, itemId);
  }

  basket(actor: Actor): Promise<RequestItem[]> {
    return basket(this.ctx, actor);
  }

  /** Sends the basket's ready items together; nothing ready: nothing sent. */
  submit(actor: Actor): Promise<SubmissionResult> {
    return submit(this.ctx, actor);
  }

  async get(actor: Actor, itemId: number): Promise<RequestItem> {
    requireRole(
      actor,
      ["manager", "wholesale-admin", "helpdesk", "auditor", "partner-contact"],
      "read requests",
    );
    return toRequestItem(await visibleItem(this.ctx.db, actor, itemId));
  }

  pending(actor: Actor): Promise<RequestItem[]> {
    return pendingItems(this.ctx, actor, false);
  }

  /** Pending items past their lead time. */
  overdue(actor: Actor): Promise<RequestItem[]> {
    return pendingItems(this.ctx, actor, true);
  }

  decide(actor: Actor, itemId: number, input: unknown): Promise<RequestItem> {
    return decide(this.ctx, actor, itemId, input);
  }

  delegate(actor: Actor, input: unknown): Promise<Delegation> {
    return delegate(this.ctx, actor, input);
  }

  delegations(actor: Actor): Promise<Delegation[]> {
    return delegations(this.ctx, actor);
  }

  withdrawDelegation(actor: Actor, delegationId: number): Promise<Delegation> {
    return withdrawDelegation(this.ctx, actor, delegationId);
  }

  setEscalationDeputy(actor: Actor, accountId: unknown): Promise<string> {
    return setEscalationDeputy(this.ctx, actor, accountId);
  }

  async escalationDeputy(actor: Actor): Promise<string | null> {
    requireRole(actor, ["wholesale-admin", "manager", "auditor"], "read settings");
    return (await escalationDeputy(this.ctx.db)) ?? null;
  }

  timerHandlers(): Record<string, TimerHandler> {
    return requestTimerHandlers(this.ctx);
  }
}
