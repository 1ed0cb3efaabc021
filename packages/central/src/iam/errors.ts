/** Stable codes of everything the IAM services refuse. */
export type IamErrorCode = "INVALID" | "NOT_FOUND" | "CONFLICT" | "FORBIDDEN" | "RULE";

/** One invalid input field: its path (`contactPersons.0.email`) and what is wrong. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** What an IAM command refuses; a refused command has changed nothing (nor audited). */
export class IamError extends Error {
  readonly code: IamErrorCode;
  /** The rule refused by (RULE, CONFLICT, FORBIDDEN): a stable name such as `NOT_PENDING`. */
  readonly rule: string | null;
  /** Facts about the refusal, e.g. the existing company of a duplicate KvK number. */
  readonly details: Readonly<Record<string, unknown>> | null;

  constructor(
    code: IamErrorCode,
    message: string,
    rule: string | null = null,
    details: Readonly<Record<string, unknown>> | null = null,
  ) {
    super(message);
    this.name = "IamError";
    this.code = code;
    this.rule = rule;
    this.details = details;
  }
}

/** Invalid input: every problem at once, each with its path. */
export class IamValidationError extends IamError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super("INVALID", `invalid input: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    this.name = "IamValidationError";
    this.problems = problems;
  }
}

export const iamNotFound = (what: string, id: number | string): IamError =>
  new IamError("NOT_FOUND", `no ${what} with id ${JSON.stringify(id)}`);

export const forbidden = (message: string, rule = "ROLE"): IamError =>
  new IamError("FORBIDDEN", message, rule);

export const ruleRefused = (rule: string, message: string): IamError =>
  new IamError("RULE", message, rule);
