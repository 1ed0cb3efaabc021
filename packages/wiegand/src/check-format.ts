import { checkFields } from "./check-fields.js";
import { checkKeys, describe, intIn, isRecord, type Problems } from "./check-helpers.js";
import { checkParity } from "./check-parity.js";
import type { FormatProblem } from "./errors.js";
import { type FixedFormat, type Format, MAX_BITS, type RawFormat } from "./format.js";

const FIXED_KEYS: ReadonlySet<string> = new Set([
  "kind",
  "name",
  "description",
  "bitLength",
  "fields",
  "parity",
]);
const RAW_KEYS: ReadonlySet<string> = new Set([
  "kind",
  "name",
  "description",
  "minBits",
  "maxBits",
]);

export type CheckResult =
  | { readonly format: Format; readonly problems?: undefined }
  | { readonly problems: readonly FormatProblem[]; readonly name: string | undefined };

/**
 * Checks a format definition by hand (this package has no dependencies) and returns a
 * normalized copy (`mask` turned into `covers`, covers ascending) or every problem.
 */
export function checkFormat(spec: unknown): CheckResult {
  if (!isRecord(spec)) {
    return {
      problems: [{ path: "", message: `must be an object, got ${describe(spec)}` }],
      name: undefined,
    };
  }
  const problems: Problems = [];
  const name = typeof spec.name === "string" && spec.name.length > 0 ? spec.name : undefined;
  if (name === undefined) {
    problems.push({
      path: "name",
      message: `must be a non-empty string, got ${describe(spec.name)}`,
    });
  }
  const description = spec.description;
  if (description !== undefined && typeof description !== "string") {
    problems.push({
      path: "description",
      message: `must be a string, got ${describe(description)}`,
    });
  }
  const head = {
    name: name ?? "",
    ...(typeof description === "string" ? { description } : {}),
  };
  let body: Omit<FixedFormat, "name"> | Omit<RawFormat, "name"> | undefined;
  if (spec.kind === "raw") {
    checkKeys(spec, RAW_KEYS, "", problems);
    body = checkRaw(spec, problems);
  } else if (spec.kind === undefined || spec.kind === "fixed") {
    checkKeys(spec, FIXED_KEYS, "", problems);
    body = checkFixed(spec, problems);
  } else {
    problems.push({
      path: "kind",
      message: `must be "fixed" or "raw", got ${describe(spec.kind)}`,
    });
  }
  if (problems.length > 0 || body === undefined) return { problems, name };
  return { format: { ...head, ...body } as Format };
}

function checkFixed(spec: Record<string, unknown>, problems: Problems): Omit<FixedFormat, "name"> {
  const bitLength = intIn(spec.bitLength, 1, MAX_BITS, "bitLength", problems);
  const fields = checkFields(spec.fields, bitLength, problems);
  const parity = checkParity(spec.parity, bitLength, fields, problems);
  return { bitLength: bitLength ?? 0, fields, parity };
}

function checkRaw(spec: Record<string, unknown>, problems: Problems): Omit<RawFormat, "name"> {
  const minBits = intIn(spec.minBits, 1, MAX_BITS, "minBits", problems);
  const maxBits = intIn(spec.maxBits, 1, MAX_BITS, "maxBits", problems);
  if (minBits !== undefined && maxBits !== undefined && minBits > maxBits) {
    problems.push({
      path: "maxBits",
      message: `must be at least minBits (${minBits}), got ${maxBits}`,
    });
  }
  return { kind: "raw", minBits: minBits ?? 0, maxBits: maxBits ?? 0 };
}
