import type { Database, Statement } from "better-sqlite3";
import type {
  Area,
  Authorization,
  Card,
  Certificate,
  DoorPolicy,
  Employment,
  HolidayCalendar,
  Person,
  Schedule,
  SitePolicy,
} from "../state/model.js";
import { selectSql, TABLES, type TableSpec } from "./tables.js";

/** A prepared query mapped to model records. */
class Query<T, P extends unknown[]> {
  private readonly statement: Statement<P>;
  private readonly spec: TableSpec<T, number | string>;

  constructor(db: Database, spec: TableSpec<T, number | string>, where: string) {
    this.spec = spec;
    this.statement = db.prepare<P>(`${selectSql(spec)} ${where}`);
  }

  one(...params: P): T | undefined {
    const row = this.statement.get(...params);
    return row === undefined ? undefined : this.spec.fromRow(row);
  }

  all(...params: P): T[] {
    return this.statement.all(...params).map((row) => this.spec.fromRow(row));
  }
}

/**
 * Lookups for tools and the support desk (`why was card X denied`), not for the decision
 * hot path, which reads the in-memory index. Absent records are `undefined`.
 */
export class StateReader {
  private readonly cardByCredential: Query<Card, [string, number | null, number]>;
  private readonly cardByRawBits: Query<Card, [string]>;
  private readonly card: Query<Card, [number]>;
  private readonly person: Query<Person, [number]>;
  private readonly employments: Query<Employment, [number]>;
  private readonly authorizations: Query<Authorization, [number]>;
  private readonly certificates: Query<Certificate, [number]>;
  private readonly area: Query<Area, [number]>;
  private readonly schedule: Query<Schedule, [number]>;
  private readonly calendar: Query<HolidayCalendar, [number]>;
  private readonly doors: Query<DoorPolicy, []>;
  private readonly policy: Statement<[], { required: number; threshold: number }>;

  constructor(db: Database) {
    // Several cards may carry one credential (an old lost one and its reissue): the
    // active one wins, then the newest.
    const preferActive = "ORDER BY status = 'active' DESC, id DESC LIMIT 1";
    this.cardByCredential = new Query(
      db,
      TABLES.cards,
      `WHERE format = ? AND facility IS ? AND number = ? ${preferActive}`,
    );
    this.cardByRawBits = new Query(db, TABLES.cards, `WHERE raw_bits = ? ${preferActive}`);
    this.card = new Query(db, TABLES.cards, "WHERE id = ?");
    this.person = new Query(db, TABLES.persons, "WHERE id = ?");
    this.employments = new Query(db, TABLES.employments, "WHERE person_id = ? ORDER BY start, id");
    this.authorizations = new Query(
      db,
      TABLES.authorizations,
      "WHERE employment_id = ? ORDER BY id",
    );
    this.certificates = new Query(db, TABLES.certificates, "WHERE person_id = ? ORDER BY type, id");
    this.area = new Query(db, TABLES.areas, "WHERE id = ?");
    this.schedule = new Query(db, TABLES.schedules, "WHERE id = ?");
    this.calendar = new Query(db, TABLES.holidayCalendars, "WHERE id = ?");
    this.doors = new Query(db, TABLES.doorPolicies, "ORDER BY door_id");
    this.policy = db.prepare(
      "SELECT fingerprint_required AS required, fingerprint_threshold AS threshold FROM site_policy WHERE id = 1",
    );
  }

  /** The card with this credential; `facility` null for formats without one. */
  getCardByCredential(format: string, facility: number | null, number: number): Card | undefined {
    return this.cardByCredential.one(format, facility, number);
  }

  getCardByRawBits(bits: string): Card | undefined {
    return this.cardByRawBits.one(bits);
  }

  getCard(id: number): Card | undefined {
    return this.card.one(id);
  }

  getPerson(id: number): Person | undefined {
    return this.person.one(id);
  }

  employmentsOfPerson(personId: number): Employment[] {
    return this.employments.all(personId);
  }

  authorizationsOfEmployment(employmentId: number): Authorization[] {
    return this.authorizations.all(employmentId);
  }

  certificatesOfPerson(personId: number): Certificate[] {
    return this.certificates.all(personId);
  }

  getArea(id: number): Area | undefined {
    return this.area.one(id);
  }

  getSchedule(id: number): Schedule | undefined {
    return this.schedule.one(id);
  }

  getHolidayCalendar(id: number): HolidayCalendar | undefined {
    return this.calendar.one(id);
  }

  /** The site policy; `undefined` while the store holds no state. */
  sitePolicy(): SitePolicy | undefined {
    const row = this.policy.get();
    if (row === undefined) return undefined;
    return { fingerprintRequired: row.required === 1, fingerprintThreshold: row.threshold };
  }

  doorPolicies(): DoorPolicy[] {
    return this.doors.all();
  }
}
