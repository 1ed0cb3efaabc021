import type { Selectable } from "kysely";
import type {
  DelegationTable,
  KeyIssueStatus,
  KeyIssueTable,
  RequestAction,
  RequestItemStatus,
  RequestItemTable,
} from "./schema.js";

/** One item of a basket or a submission: an employment x a catalogue entry, to grant or revoke. */
export interface RequestItem {
  readonly id: number;
  readonly companyId: number;
  readonly basketOwner: string;
  readonly action: RequestAction;
  readonly employmentId: number;
  readonly entryId: number;
  readonly authorizationId: number | null;
  readonly motivation: string | null;
  readonly status: RequestItemStatus;
  /** A draft with its motivation: goes with the next submission. */
  readonly ready: boolean;
  readonly submissionId: number | null;
  readonly submittedBy: string | null;
  readonly submittedAt: number | null;
  readonly dueAt: number | null;
  readonly escalatedAt: number | null;
  readonly escalatedTo: string | null;
  readonly decidedBy: string | null;
  /** A deputy decided for this away manager. */
  readonly decidedFor: string | null;
  readonly decidedAt: number | null;
  readonly decisionComment: string | null;
  readonly expiresAt: number | null;
  readonly createdAt: number;
}

export function toRequestItem(r: Selectable<RequestItemTable>): RequestItem {
  return {
    id: r.id,
    companyId: r.company_id,
    basketOwner: r.basket_owner,
    action: r.action,
    employmentId: r.employment_id,
    entryId: r.entry_id,
    authorizationId: r.authorization_id,
    motivation: r.motivation,
    status: r.status,
    ready: r.status === "draft" && r.motivation !== null,
    submissionId: r.submission_id,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    dueAt: r.due_at,
    escalatedAt: r.escalated_at,
    escalatedTo: r.escalated_to,
    decidedBy: r.decided_by,
    decidedFor: r.decided_for,
    decidedAt: r.decided_at,
    decisionComment: r.decision_comment,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  };
}

/** What one submission sent; nothing when no item was ready. */
export interface SubmissionResult {
  readonly submissionIds: readonly number[];
  readonly items: readonly RequestItem[];
  /** Drafts left in the basket for want of a motivation. */
  readonly notReady: number;
}

export interface Delegation {
  readonly id: number;
  readonly managerAccountId: string;
  readonly deputyAccountId: string;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly createdAt: number;
  readonly withdrawnAt: number | null;
}

export function toDelegation(r: Selectable<DelegationTable>): Delegation {
  return {
    id: r.id,
    managerAccountId: r.manager_account_id,
    deputyAccountId: r.deputy_account_id,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    createdAt: r.created_at,
    withdrawnAt: r.withdrawn_at,
  };
}

export interface KeyIssue {
  readonly id: number;
  readonly authorizationId: number;
  readonly employmentId: number;
  readonly companyId: number;
  readonly keyType: string;
  readonly status: KeyIssueStatus;
  /** The address as confirmed (ShippingAddress of cards/request.ts). */
  readonly shippingAddress: Readonly<Record<string, string | null>>;
  readonly shippedAt: number | null;
  readonly issuedAt: number | null;
  readonly returnRequestedAt: number | null;
  readonly returnedAt: number | null;
}

export function toKeyIssue(
  r: Selectable<KeyIssueTable> & { employment_id: number; company_id: number },
): KeyIssue {
  return {
    id: r.id,
    authorizationId: r.authorization_id,
    employmentId: r.employment_id,
    companyId: r.company_id,
    keyType: r.key_type,
    status: r.status,
    shippingAddress: JSON.parse(r.shipping_address) as Record<string, string | null>,
    shippedAt: r.shipped_at,
    issuedAt: r.issued_at,
    returnRequestedAt: r.return_requested_at,
    returnedAt: r.returned_at,
  };
}

/** One refused employment of an all-or-nothing basket addition. */
export interface Refusal {
  /** `employmentIds.<i>`: the position in the request. */
  readonly path: string;
  readonly employmentId: number;
  readonly code: "RULE" | "CONFLICT";
  readonly rule: string;
  readonly message: string;
  /** The thing it conflicts with (ALREADY_HELD: the authorization, ALREADY_REQUESTED: the item). */
  readonly existing?: { readonly kind: "authorization" | "request-item"; readonly id: number };
}
