import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { canonicalJson } from "./idempotency.js";
import { HttpProblem, PROBLEM_TYPES } from "./problem.js";

/** The entity tag of a resource at `version`: a strong tag, `"<version>"`. */
export function etag(version: number | string): string {
  return `"${String(version)}"`;
}

/** The tags of an If-Match / If-None-Match header; ["*"] for `*`. Weak prefixes dropped. */
export function parseEtags(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(",") : header;
  if (text.trim() === "*") return ["*"];
  return (text.match(/(?:W\/)?"[^"]*"/g) ?? []).map((t) => t.replace(/^W\//, ""));
}

/**
 * The If-None-Match check of a GET: true when the client's copy is current (answer 304).
 * Weak comparison, as RFC 9110 wants for If-None-Match.
 */
export function notModified(request: FastifyRequest, current: string): boolean {
  const tags = parseEtags(request.headers["if-none-match"]);
  return tags.includes("*") || tags.includes(current);
}

/**
 * The If-Match check of an update: throws a 428 problem when the header is required and
 * missing, a 412 when it names another version than `currentVersion`.
 */
export function checkIfMatch(
  request: FastifyRequest,
  currentVersion: number | string,
  options: { required?: boolean } = {},
): void {
  const header = request.headers["if-match"];
  if (header === undefined || header === "") {
    if (options.required ?? true) {
      throw new HttpProblem(428, {
        type: PROBLEM_TYPES.preconditionRequired,
        title: "Precondition Required",
        detail: "this update needs an If-Match header with the resource's ETag",
      });
    }
    return;
  }
  const tags = parseEtags(header);
  const current = etag(currentVersion);
  // Strong comparison for If-Match: a weak tag the client sent never matches.
  const strong = (Array.isArray(header) ? header.join(",") : header).match(/(?:W\/)?"[^"]*"/g);
  const matches =
    tags.includes("*") || (strong ?? []).some((t) => !t.startsWith("W/") && t === current);
  if (!matches) {
    throw new HttpProblem(412, {
      type: PROBLEM_TYPES.preconditionFailed,
      title: "Precondition Failed",
      detail: `the resource changed: its current ETag is ${current}`,
    });
  }
}

/**
 * The version of a representation: the records carry no version column, so the version is
 * a digest of what is sent (for a company, its contact persons included: approving a
 * company decides its pending contact persons too, so If-Match covers them). Every change
 * (a decision, a new contact person) changes it.
 */
export function representationVersion(view: unknown): string {
  return createHash("sha256").update(canonicalJson(view)).digest("base64url").slice(0, 27);
}
