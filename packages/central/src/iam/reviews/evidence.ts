import { createHash } from "node:crypto";
import type { ReviewDetails } from "./model.js";
import type { ReviewStatus } from "./schema.js";

/** What an auditor gets of a review: its content and the SHA-256 of that content. */
export interface ReviewEvidence {
  readonly review: {
    readonly id: number;
    readonly companyId: number;
    readonly companyName: string;
    readonly period: string;
    readonly openedAt: string;
    readonly deadlineAt: string;
    readonly status: ReviewStatus;
    readonly finishedAt: string | null;
    readonly finishedBy: string | null;
  };
  readonly lines: readonly EvidenceLine[];
  /** Hex SHA-256 of the canonical JSON of `{review, lines}` (keys sorted, no spaces). */
  readonly sha256: string;
}

export interface EvidenceLine {
  readonly lineId: number;
  readonly employmentNumber: string;
  readonly personName: string;
  readonly authorizationId: number | null;
  readonly entryCode: string | null;
  readonly entryName: string | null;
  readonly decision: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly comment: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** JSON with object keys sorted at every depth: the same content, the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function reviewEvidence(details: ReviewDetails, companyName: string): ReviewEvidence {
  const review = {
    id: details.id,
    companyId: details.companyId,
    companyName,
    period: details.period,
    openedAt: new Date(details.openedAt).toISOString(),
    deadlineAt: new Date(details.deadlineAt).toISOString(),
    status: details.status,
    finishedAt: iso(details.finishedAt),
    finishedBy: details.finishedBy,
  };
  const lines = details.lines.map((l) => ({
    lineId: l.id,
    employmentNumber: l.employmentNumber,
    personName: l.personName,
    authorizationId: l.authorizationId,
    entryCode: l.entryCode,
    entryName: l.entryName,
    decision: l.decision,
    decidedBy: l.decidedBy,
    decidedAt: iso(l.decidedAt),
    comment: l.comment,
  }));
  const sha256 = createHash("sha256").update(canonicalJson({ review, lines })).digest("hex");
  return { review, lines, sha256 };
}

const CSV_COLUMNS = [
  "reviewId",
  "companyId",
  "period",
  "lineId",
  "employmentNumber",
  "personName",
  "authorizationId",
  "entryCode",
  "entryName",
  "decision",
  "decidedBy",
  "decidedAt",
  "comment",
] as const;

/**
 * A cell per RFC 4180; text that a spreadsheet would run as a formula (=, +, -, @, tab, CR
 * first) is prefixed with an apostrophe, since comments are typed by partners.
 */
function cell(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The evidence as CSV: a header and a row per line (the digest travels beside it). */
export function evidenceCsv(evidence: ReviewEvidence): string {
  const rows = evidence.lines.map((l) =>
    [
      evidence.review.id,
      evidence.review.companyId,
      evidence.review.period,
      l.lineId,
      l.employmentNumber,
      l.personName,
      l.authorizationId,
      l.entryCode,
      l.entryName,
      l.decision,
      l.decidedBy,
      l.decidedAt,
      l.comment,
    ]
      .map(cell)
      .join(","),
  );
  return `${[CSV_COLUMNS.join(","), ...rows].join("\r\n")}\r\n`;
}
