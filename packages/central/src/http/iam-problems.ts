import { STATUS_CODES } from "node:http";
import { z } from "zod";
import { IamError, IamValidationError } from "../iam/errors.js";
import {
  type FieldError,
  HttpProblem,
  PROBLEM_MEDIA_TYPE,
  PROBLEM_TYPES,
  type Problem,
  ProblemSchema,
} from "./problem.js";

/**
 * Problem details of the IAM routes: RFC 9457 with two extension members, `rule` (the
 * stable name of the refusing rule, e.g. `NOT_PENDING`, `OWN_REQUEST`, `DUPLICATE_KVK`) and
 * `existing` (what a 409 duplicate collides with: a company, an employment, an item …).
 */
export const IamProblemSchema = ProblemSchema.extend({
  rule: z.string().optional().describe("Stable name of the rule that refused the request"),
  existing: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      "What the request collides with: the company holding a KvK number ({id, kvkName, status}), the employment of a person at that company ({employmentId, employmentNumber}), the authorization held or the item pending, …",
    ),
}).meta({ id: "IamProblem" });
export type IamProblem = z.infer<typeof IamProblemSchema>;

/** An HttpProblem carrying the IAM extension members. */
export class IamHttpProblem extends HttpProblem {
  readonly rule: string | undefined;
  readonly existing: IamProblem["existing"];

  constructor(
    status: number,
    options: ConstructorParameters<typeof HttpProblem>[1] & {
      rule?: string;
      existing?: IamProblem["existing"];
    },
  ) {
    super(status, options);
    this.rule = options.rule;
    this.existing = options.existing;
  }

  override toProblem(instance: string): Problem {
    const problem: IamProblem = {
      ...super.toProblem(instance),
      ...(this.rule === undefined ? {} : { rule: this.rule }),
      ...(this.existing === undefined ? {} : { existing: this.existing }),
    };
    return problem;
  }
}

/** A service path (`contactPersons.0.email`, `(input)`) as a JSON Pointer (`/contactPersons/0/email`). */
export function toJsonPointer(path: string): string {
  if (path === "" || path === "(input)") return "";
  return path
    .split(".")
    .map((p) => `/${p.replaceAll("~", "~0").replaceAll("/", "~1")}`)
    .join("");
}

function existingOf(details: IamError["details"]): IamProblem["existing"] {
  const e = details?.existing;
  return typeof e === "object" && e !== null && !Array.isArray(e)
    ? (e as Record<string, unknown>)
    : undefined;
}

/**
 * An IAM refusal as problem details:
 * - INVALID (IamValidationError) → 422 `validation`, every field in `errors` (JSON Pointers
 *   into the body); a body of the wrong shape never gets here: that is the route schema's 400;
 * - NOT_FOUND → 404; CONFLICT → 409 `conflict` with `rule` and `existing`;
 * - FORBIDDEN → 403 `forbidden` with `rule` (`ROLE`, or `OWN_REQUEST` for the four-eyes rule);
 * - RULE → 409 `rule` with `rule`: the request is well-formed but conflicts with the current
 *   state of the resource (e.g. `NOT_PENDING`, `COMPANY_NOT_APPROVED`); retrying it unchanged
 *   cannot succeed until that state changes, which is what 409 means (RFC 9110 §15.5.10).
 */
export function iamProblem(error: IamError): HttpProblem {
  const rule = error.rule ?? undefined;
  switch (error.code) {
    case "INVALID": {
      const problems = error instanceof IamValidationError ? error.problems : [];
      const errors: FieldError[] = problems.map((p) => ({
        path: toJsonPointer(p.path),
        in: "body",
        message: p.message,
      }));
      return new IamHttpProblem(422, {
        type: PROBLEM_TYPES.validation,
        title: "Unprocessable Content",
        detail: `${errors.length} invalid field(s)`,
        errors,
      });
    }
    case "NOT_FOUND":
      return new IamHttpProblem(404, {
        type: PROBLEM_TYPES.notFound,
        title: "Not Found",
        detail: error.message,
      });
    case "CONFLICT": {
      const existing = existingOf(error.details);
      return new IamHttpProblem(409, {
        type: PROBLEM_TYPES.conflict,
        title: "Conflict",
        detail: error.message,
        ...(rule === undefined ? {} : { rule }),
        ...(existing === undefined ? {} : { existing }),
      });
    }
    case "FORBIDDEN":
      return new IamHttpProblem(403, {
        type: PROBLEM_TYPES.forbidden,
        title: "Forbidden",
        detail: error.message,
        ...(rule === undefined ? {} : { rule }),
      });
    case "RULE":
      return new IamHttpProblem(409, {
        type: PROBLEM_TYPES.rule,
        title: "Refused by a business rule",
        detail: error.message,
        ...(rule === undefined ? {} : { rule }),
      });
  }
}

/** Runs an IAM service call, turning its refusals into problem details. */
export async function iamCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof IamError) throw iamProblem(error);
    throw error;
  }
}

/** OpenAPI response entries for IAM problem statuses, documented with IamProblemSchema. */
export function iamProblemResponses<const S extends number>(
  ...statuses: S[]
): Record<
  S,
  { description: string; content: Record<string, { schema: typeof IamProblemSchema }> }
> {
  const entries = statuses.map((s) => [
    s,
    {
      description: STATUS_CODES[s] ?? "Problem",
      content: { [PROBLEM_MEDIA_TYPE]: { schema: IamProblemSchema } },
    },
  ]);
  return Object.fromEntries(entries) as Record<
    S,
    { description: string; content: Record<string, { schema: typeof IamProblemSchema }> }
  >;
}
