import type { Database, Statement } from "better-sqlite3";
import type { FingerprintEnrollment } from "../state/model.js";

interface EnrollmentRow {
  person_id: number;
  card_id: number;
  enrolled_at: number;
  sealed_template: Buffer;
}

const COLUMNS = "person_id, card_id, enrolled_at, sealed_template";

function fromRow(row: EnrollmentRow): FingerprintEnrollment {
  return {
    personId: row.person_id,
    cardId: row.card_id,
    enrolledAt: row.enrolled_at,
    // A plain copy: callers get a Uint8Array, not a Buffer over SQLite's memory.
    sealedTemplate: new Uint8Array(row.sealed_template),
  };
}

/**
 * Fingerprints enrolled on this site, one per (person, card): a new card needs a new
 * enrollment. Local data: no full state or delta touches it.
 */
export class Enrollments {
  private readonly saveStatement: Statement<[number, number, number, Uint8Array]>;
  private readonly oneStatement: Statement<[number, number], EnrollmentRow>;
  private readonly ofPersonStatement: Statement<[number], EnrollmentRow>;
  private readonly deleteStatement: Statement<[number, number]>;

  constructor(db: Database) {
    this.saveStatement = db.prepare(
      `INSERT OR REPLACE INTO fingerprint_enrollment (${COLUMNS}) VALUES (?, ?, ?, ?)`,
    );
    this.oneStatement = db.prepare(
      `SELECT ${COLUMNS} FROM fingerprint_enrollment WHERE person_id = ? AND card_id = ?`,
    );
    this.ofPersonStatement = db.prepare(
      `SELECT ${COLUMNS} FROM fingerprint_enrollment WHERE person_id = ? ORDER BY enrolled_at, card_id`,
    );
    this.deleteStatement = db.prepare(
      "DELETE FROM fingerprint_enrollment WHERE person_id = ? AND card_id = ?",
    );
  }

  /** Stores the enrollment, replacing an earlier one of the same person and card. */
  save(e: FingerprintEnrollment): void {
    this.saveStatement.run(e.personId, e.cardId, e.enrolledAt, e.sealedTemplate);
  }

  get(personId: number, cardId: number): FingerprintEnrollment | undefined {
    const row = this.oneStatement.get(personId, cardId);
    return row === undefined ? undefined : fromRow(row);
  }

  ofPerson(personId: number): FingerprintEnrollment[] {
    return this.ofPersonStatement.all(personId).map(fromRow);
  }

  /** True when there was such an enrollment. */
  delete(personId: number, cardId: number): boolean {
    return this.deleteStatement.run(personId, cardId).changes > 0;
  }
}
