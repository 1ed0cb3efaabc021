import type { FormatProblem } from "./errors.js";

/** Problems found so far in one format definition; checks append, none throws. */
export type Problems = FormatProblem[];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The integer in `min..max`, or undefined after recording why not. */
export function intIn(
  value: unknown,
  min: number,
  max: number,
  path: string,
  problems: Problems,
): number | undefined {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    problems.push({ path, message: `must be an integer, got ${describe(value)}` });
    return undefined;
  }
  if (value < min || value > max) {
    problems.push({ path, message: `must be ${min}..${max}, got ${value}` });
    return undefined;
  }
  return value;
}

/** Typos in a site config ("cover" for "covers") should not pass silently. */
export function checkKeys(
  record: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  prefix: string,
  problems: Problems,
): void {
  for (const key of Object.keys(record)) {
    if (!allowed.has(key)) {
      problems.push({ path: join(prefix, key), message: "is not a known property" });
    }
  }
}

export function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}
