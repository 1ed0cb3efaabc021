import { span } from "./check-fields.js";
import { checkKeys, describe, intIn, isRecord, type Problems } from "./check-helpers.js";
import { type FieldSpec, MAX_BITS, type ParitySpec } from "./format.js";
import { parseMask } from "./parse-mask.js";

const PARITY_KEYS: ReadonlySet<string> = new Set(["bit", "kind", "covers", "mask"]);

/** The valid parity bits of a fixed format; every problem recorded. */
export function checkParity(
  value: unknown,
  bitLength: number | undefined,
  fields: readonly FieldSpec[],
  problems: Problems,
): ParitySpec[] {
  if (!Array.isArray(value)) {
    problems.push({ path: "parity", message: `must be an array, got ${describe(value)}` });
    return [];
  }
  const parity: (ParitySpec | undefined)[] = value.map((entry: unknown, i) =>
    checkEntry(entry, `parity[${i}]`, bitLength, problems),
  );
  parity.forEach((p, i) => {
    if (p === undefined) return;
    const field = fields.find((f) => p.bit >= f.start && p.bit < f.start + f.length);
    if (field !== undefined) {
      problems.push({
        path: `parity[${i}].bit`,
        message: `bit ${p.bit} is inside field "${field.name}" (bits ${span(field)})`,
      });
    }
    const twin = parity.findIndex((q) => q?.bit === p.bit);
    if (twin < i) {
      problems.push({ path: `parity[${i}].bit`, message: `bit ${p.bit} is parity[${twin}] too` });
    }
    checkOrder(p, i, parity, value[i], problems);
  });
  return parity.filter((p) => p !== undefined);
}

// Encode computes parity bits in the listed order, so a bit covering another parity
// bit must come after it (Corporate 1000 lists its overall parity bit last).
function checkOrder(
  p: ParitySpec,
  i: number,
  parity: readonly (ParitySpec | undefined)[],
  entry: unknown,
  problems: Problems,
): void {
  const key = isRecord(entry) && entry.covers === undefined ? "mask" : "covers";
  parity.forEach((later, j) => {
    if (j > i && later !== undefined && p.covers.includes(later.bit)) {
      problems.push({
        path: `parity[${i}].${key}`,
        message: `covers parity bit ${later.bit} (parity[${j}]), which is computed later; list parity[${j}] first`,
      });
    }
  });
}

function checkEntry(
  entry: unknown,
  path: string,
  bitLength: number | undefined,
  problems: Problems,
): ParitySpec | undefined {
  if (!isRecord(entry)) {
    problems.push({ path, message: `must be an object, got ${describe(entry)}` });
    return undefined;
  }
  checkKeys(entry, PARITY_KEYS, path, problems);
  const bit = intIn(entry.bit, 0, (bitLength ?? MAX_BITS) - 1, `${path}.bit`, problems);
  const kind = entry.kind;
  if (kind !== "even" && kind !== "odd") {
    problems.push({
      path: `${path}.kind`,
      message: `must be "even" or "odd", got ${describe(kind)}`,
    });
  }
  const covers = checkCoverage(entry, path, bitLength, problems);
  if (bit === undefined || covers === undefined || (kind !== "even" && kind !== "odd")) {
    return undefined;
  }
  const key = entry.covers === undefined ? "mask" : "covers";
  if (covers.includes(bit)) {
    problems.push({ path: `${path}.${key}`, message: `includes the parity bit itself (${bit})` });
    return undefined;
  }
  if (covers.length === 0) {
    problems.push({ path: `${path}.${key}`, message: "covers no bits" });
    return undefined;
  }
  return { bit, kind, covers };
}

/** Positions from `covers` or `mask` (exactly one of them), ascending. */
function checkCoverage(
  entry: Record<string, unknown>,
  path: string,
  bitLength: number | undefined,
  problems: Problems,
): number[] | undefined {
  const { covers, mask } = entry;
  if ((covers === undefined) === (mask === undefined)) {
    problems.push({ path, message: "needs exactly one of covers (positions) or mask" });
    return undefined;
  }
  if (mask !== undefined) {
    if (typeof mask !== "string") {
      problems.push({ path: `${path}.mask`, message: `must be a string, got ${describe(mask)}` });
      return undefined;
    }
    if (bitLength === undefined) return undefined; // reported at bitLength
    const parsed = parseMask(mask, bitLength);
    if ("error" in parsed) problems.push({ path: `${path}.mask`, message: parsed.error });
    return "error" in parsed ? undefined : parsed.covers;
  }
  return checkCovers(covers, `${path}.covers`, bitLength, problems);
}

function checkCovers(
  covers: unknown,
  path: string,
  bitLength: number | undefined,
  problems: Problems,
): number[] | undefined {
  if (!Array.isArray(covers)) {
    problems.push({ path, message: `must be an array of bit positions, got ${describe(covers)}` });
    return undefined;
  }
  const before = problems.length;
  const seen = new Set<number>();
  covers.forEach((c: unknown, j) => {
    const position = intIn(c, 0, (bitLength ?? MAX_BITS) - 1, `${path}[${j}]`, problems);
    if (position === undefined) return;
    if (seen.has(position))
      problems.push({ path: `${path}[${j}]`, message: `${position} is listed twice` });
    seen.add(position);
  });
  return problems.length === before ? [...seen].sort((a, b) => a - b) : undefined;
}
