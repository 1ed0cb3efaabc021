import type { Database as SqliteDatabase } from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Generated,
  Kysely,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";
import type { CardTables } from "./cards/schema.js";
import type { CatalogueTables } from "./catalogue/schema.js";
import type { CertificateTables } from "./certificates/schema.js";
import type { HelpdeskTables } from "./helpdesk/schema.js";
import type { PersonTables } from "./persons/schema.js";
import type { RequestTables } from "./requests/schema.js";
import type { ReviewTables } from "./reviews/schema.js";
import type { TimerTables } from "./timers/schema.js";

/**
 * The IAM tables (migration 2, src/state/migrations.ts) as Kysely sees them. Instants are
 * epoch ms, dates `YYYY-MM-DD` text, JSON columns text: the same shapes on SQLite and
 * PostgreSQL, so the repositories carry no dialect-specific SQL.
 */
export interface IamDatabase
  extends PersonTables,
    CardTables,
    CatalogueTables,
    RequestTables,
    CertificateTables,
    ReviewTables,
    HelpdeskTables,
    TimerTables {
  iam_company: CompanyTable;
  iam_contact_person: ContactPersonTable;
  iam_audit: AuditTable;
}

export type DecisionStatus = "pending" | "approved" | "rejected";

interface AddressColumns {
  street: string;
  house_number: string;
  house_number_addition: string | null;
  address_line2: string | null;
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
}

interface DecisionColumns {
  status: DecisionStatus;
  /** The account that submitted the registration / request. */
  requested_by: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  decision_comment: string | null;
}

export interface CompanyTable extends AddressColumns, DecisionColumns {
  id: Generated<number>;
  customer_name: string;
  kvk_name: string;
  kvk_number: string;
  /** The state `company` row (employments at the doors carry it); set at approval. */
  state_company_id: Generated<number | null>;
  /** 1: a colocation customer (catalogue entries may exclude them). */
  colocation: Generated<number>;
}

export interface ContactPersonTable extends AddressColumns, DecisionColumns {
  id: Generated<number>;
  company_id: number;
  initials: string;
  surname_prefix: string | null;
  surname: string;
  mobile: string;
  email: string;
  birth_date: string;
  id_type: string;
  id_number: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor_account_id: string;
  actor_role: string;
  action: string;
  entity: string;
  entity_id: string;
  /** JSON, masked (never full ID numbers or birth dates); null for a creation. */
  before_json: string | null;
  after_json: string | null;
}

/** What the repositories and services run on: a Kysely instance or a transaction of one. */
export type IamDb = Kysely<IamDatabase>;

/**
 * Runs `fn` in one transaction: everything it wrote (change and audit) commits together or
 * not at all. Works for every dialect; on SQLite the transaction is BEGIN IMMEDIATE (below).
 */
export function inTransaction<T>(db: IamDb, fn: (trx: IamDb) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

// --- dialect-specific: the only place that knows the engine ---

/**
 * SQLite driver over central's own better-sqlite3 connection (the store's file): write
 * transactions take the write lock at BEGIN (IMMEDIATE, so a read-then-write command never
 * fails with SQLITE_BUSY halfway), and destroying Kysely leaves the connection to the store
 * that owns it.
 */
class StoreSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  override async destroy(): Promise<void> {
    // The store closes its connection.
  }
}

class StoreSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new StoreSqliteDriver(this.#config);
  }
}

/**
 * The IAM database over the central store's SQLite connection (`store.db`); the tables come
 * from the store's migrations. Keep no other I/O (network, timers) inside a transaction: the
 * connection is shared with the store's synchronous commands. For PostgreSQL, build a
 * `Kysely<IamDatabase>` with its PostgresDialect instead; nothing else changes.
 */
export function openIamDb(database: SqliteDatabase): IamDb {
  return new Kysely<IamDatabase>({
    dialect: new StoreSqliteDialect({ database: withStatementCache(database) }),
  });
}

/** Distinct SQL texts kept prepared; past this the cache starts over (ad-hoc queries). */
const STATEMENT_CACHE_SIZE = 2000;

/**
 * The connection as Kysely's driver sees it, with `prepare` cached by SQL text: the driver
 * prepares every query anew, which costs as much as running a small one. A prepared
 * statement is reusable with new parameters, and SQLite re-prepares it after a schema change.
 */
function withStatementCache(database: SqliteDatabase): SqliteDatabase {
  const cache = new Map<string, ReturnType<SqliteDatabase["prepare"]>>();
  const prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = database.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      cache.set(sql, statement);
    }
    return statement;
  };
  return new Proxy(database, {
    get(target, property) {
      if (property === "prepare") return prepare;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
