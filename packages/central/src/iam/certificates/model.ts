import type { Selectable } from "kysely";
import type { IamDb } from "../db.js";
import type { IamCertificateTable } from "./schema.js";

/** Where a certificate stands at a moment. */
export type CertificateState = "future" | "valid" | "lapsed" | "withdrawn";

/** A certificate as the services return it; instants in epoch ms, dates local (Amsterdam). */
export interface Certificate {
  readonly id: number;
  readonly personId: number;
  readonly type: string;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly registeredBy: string;
  readonly registeredAt: number;
  readonly withdrawnAt: number | null;
  readonly state: CertificateState;
}

export function certificateOf(row: Selectable<IamCertificateTable>, now: number): Certificate {
  return {
    id: row.id,
    personId: row.person_id,
    type: row.type,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    registeredBy: row.registered_by,
    registeredAt: row.registered_at,
    withdrawnAt: row.withdrawn_at,
    state: stateAt(row, now),
  };
}

function stateAt(row: Selectable<IamCertificateTable>, at: number): CertificateState {
  if (row.withdrawn_at !== null && row.withdrawn_at <= at) return "withdrawn";
  if (at < row.valid_from) return "future";
  return at < row.valid_until ? "valid" : "lapsed";
}

/**
 * The certificate types a person holds valid at `at` (not withdrawn by then). For other
 * modules too: a request for an entry that requires a type checks it here.
 */
export async function validCertificateTypes(
  db: IamDb,
  personId: number,
  at: number,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom("iam_certificate")
    .select("type")
    .where("person_id", "=", personId)
    .where("valid_from", "<=", at)
    .where("valid_until", ">", at)
    .where((eb) => eb.or([eb("withdrawn_at", "is", null), eb("withdrawn_at", ">", at)]))
    .execute();
  return new Set(rows.map((r) => r.type));
}

/** The certificate types a catalogue entry requires (its JSON column; malformed: none). */
export function requiredTypes(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
