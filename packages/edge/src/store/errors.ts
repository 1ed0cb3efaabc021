/** Stable codes of everything the edge store refuses. */
export type StoreErrorCode =
  | "SITE_MISMATCH"
  | "VERSION_NOT_NEXT"
  | "VERSION_NOT_NEWER"
  | "SCHEMA_TOO_NEW"
  | "INVALID_STATE"
  | "INVALID_STATE_FILE";

/** Base of every store error; `code` is stable. A refused change has changed nothing. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}

/** A state or delta for another site than the edge serves (or than the store holds). */
export class SiteMismatchError extends StoreError {
  readonly expected: string;
  readonly got: string;
  constructor(expected: string, got: string, what: string) {
    super("SITE_MISMATCH", `${what} is for site "${got}", this edge serves "${expected}"`);
    this.name = "SiteMismatchError";
    this.expected = expected;
    this.got = got;
  }
}

/** A delta that does not follow the stored version (a gap, a repeat, or an empty store). */
export class VersionNotNextError extends StoreError {
  /** The only version a delta may carry now; null when the store holds no state yet. */
  readonly expected: number | null;
  readonly got: number;
  constructor(expected: number | null, got: number) {
    super(
      "VERSION_NOT_NEXT",
      expected === null
        ? `delta version ${got} refused: the store holds no state yet, a full state is needed`
        : `delta version ${got} refused: expected version ${expected}`,
    );
    this.name = "VersionNotNextError";
    this.expected = expected;
    this.got = got;
  }
}

/** A full state that is not newer than the stored one. */
export class VersionNotNewerError extends StoreError {
  readonly current: number;
  readonly got: number;
  constructor(current: number, got: number) {
    super(
      "VERSION_NOT_NEWER",
      `full state version ${got} refused: the store already holds version ${current}`,
    );
    this.name = "VersionNotNewerError";
    this.current = current;
    this.got = got;
  }
}

/** The database file was written by newer code with a schema this code does not know. */
export class SchemaTooNewError extends StoreError {
  readonly databaseVersion: number;
  readonly knownVersion: number;
  constructor(path: string, databaseVersion: number, knownVersion: number) {
    super(
      "SCHEMA_TOO_NEW",
      `${path} has schema version ${databaseVersion}; this accessd knows up to ${knownVersion}`,
    );
    this.name = "SchemaTooNewError";
    this.databaseVersion = databaseVersion;
    this.knownVersion = knownVersion;
  }
}

/** A state or delta that cannot be stored as it is (bad version, duplicate id, wrong types). */
export class InvalidStateError extends StoreError {
  /** Where the problem is, e.g. `cards[12]`; empty for the state as a whole. */
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super("INVALID_STATE", path === "" ? message : `${path}: ${message}`, options);
    this.name = "InvalidStateError";
    this.path = path;
  }
}

/** One problem in a state file, with the JSON path of the bad field (`cards[12].status`). */
export interface StateFileProblem {
  /** Empty for the file as a whole (e.g. malformed JSON). */
  readonly path: string;
  readonly message: string;
}

/** A state file with problems; every one of them is listed, each with its path. */
export class StateFileError extends StoreError {
  readonly problems: readonly StateFileProblem[];
  constructor(problems: readonly StateFileProblem[]) {
    const lines = problems.map((p) => `  ${p.path === "" ? "(file)" : p.path}: ${p.message}`);
    super(
      "INVALID_STATE_FILE",
      `invalid state file, ${problems.length} problem(s):\n${lines.join("\n")}`,
    );
    this.name = "StateFileError";
    this.problems = problems;
  }
}
