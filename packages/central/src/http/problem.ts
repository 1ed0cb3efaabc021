import { STATUS_CODES } from "node:http";
import { z } from "zod";

/** The media type of every error response (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** One invalid field: its JSON Pointer within the request part, and why. */
export const FieldErrorSchema = z.object({
  path: z.string().describe("JSON Pointer (RFC 6901) of the invalid field, e.g. /address/postcode"),
  in: z.enum(["body", "querystring", "params", "headers"]).optional(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldErrorSchema>;

/** RFC 9457 problem details, as every error of the API is sent. */
export const ProblemSchema = z.object({
  type: z.string().describe("URI reference identifying the problem type"),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional().describe("The request path this occurrence belongs to"),
  errors: z.array(FieldErrorSchema).optional().describe("Every invalid field, for 400s"),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** Problem types of this API; anything else is `about:blank` with the status's title. */
export const PROBLEM_TYPES = {
  validation: "urn:acs:problem:validation",
  notFound: "urn:acs:problem:not-found",
  preconditionFailed: "urn:acs:problem:precondition-failed",
  preconditionRequired: "urn:acs:problem:precondition-required",
  idempotencyConflict: "urn:acs:problem:idempotency-key-reused",
  idempotencyInFlight: "urn:acs:problem:idempotency-key-in-flight",
  bodyTooLarge: "urn:acs:problem:body-too-large",
  unauthorized: "urn:acs:problem:unauthorized",
  forbidden: "urn:acs:problem:forbidden",
  conflict: "urn:acs:problem:conflict",
  rule: "urn:acs:problem:rule",
} as const;

/** An error the API answers with as problem details (thrown from handlers and helpers). */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[] | undefined;

  constructor(
    status: number,
    options: {
      type?: string;
      title?: string;
      detail?: string;
      errors?: readonly FieldError[];
    } = {},
  ) {
    super(options.detail ?? options.title ?? STATUS_CODES[status] ?? "error");
    this.name = "HttpProblem";
    this.status = status;
    this.type = options.type ?? "about:blank";
    this.title = options.title ?? STATUS_CODES[status] ?? "Error";
    this.detail = options.detail;
    this.errors = options.errors;
  }

  /** The problem document for the request at `instance`. */
  toProblem(instance: string): Problem {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      instance,
      ...(this.errors === undefined ? {} : { errors: [...this.errors] }),
    };
  }
}

/** A 400 naming the invalid fields. */
export function validationProblem(errors: readonly FieldError[], detail?: string): HttpProblem {
  return new HttpProblem(400, {
    type: PROBLEM_TYPES.validation,
    title: "Request validation failed",
    detail: detail ?? `${errors.length} invalid field(s)`,
    errors,
  });
}

export function notFound(detail: string): HttpProblem {
  return new HttpProblem(404, { type: PROBLEM_TYPES.notFound, title: "Not Found", detail });
}

/**
 * The OpenAPI response entries for problem statuses, e.g. `problemResponses(400, 404)`:
 * documented as application/problem+json with ProblemSchema.
 */
export function problemResponses<const S extends number>(
  ...statuses: S[]
): Record<S, { description: string; content: Record<string, { schema: typeof ProblemSchema }> }> {
  const entries = statuses.map((s) => [
    s,
    {
      description: STATUS_CODES[s] ?? "Problem",
      content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } },
    },
  ]);
  return Object.fromEntries(entries) as Record<
    S,
    { description: string; content: Record<string, { schema: typeof ProblemSchema }> }
  >;
}
