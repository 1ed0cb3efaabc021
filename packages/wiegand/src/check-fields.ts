import { checkKeys, describe, intIn, isRecord, type Problems } from "./check-helpers.js";
import { type FieldSpec, MAX_BITS, MAX_FIELD_BITS } from "./format.js";

const FIELD_KEYS: ReadonlySet<string> = new Set(["name", "start", "length"]);

// Field names become object keys of every decoded card; an identifier keeps out
// "__proto__" and names no config language can write unquoted.
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The valid fields of a fixed format; every problem recorded. */
export function checkFields(
  value: unknown,
  bitLength: number | undefined,
  problems: Problems,
): FieldSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ path: "fields", message: `must be a non-empty array, got ${describe(value)}` });
    return [];
  }
  const fields: FieldSpec[] = [];
  value.forEach((entry: unknown, i) => {
    const field = checkField(entry, `fields[${i}]`, bitLength, problems);
    if (field === undefined) return;
    const clash = fields.find((f) => f.name === field.name);
    if (clash !== undefined) {
      problems.push({ path: `fields[${i}].name`, message: `"${field.name}" is used twice` });
    }
    const overlap = fields.find(
      (f) => f.start < field.start + field.length && field.start < f.start + f.length,
    );
    if (overlap !== undefined) {
      problems.push({
        path: `fields[${i}]`,
        message: `bits ${span(field)} overlap field "${overlap.name}" (bits ${span(overlap)})`,
      });
    }
    if (clash === undefined && overlap === undefined) fields.push(field);
  });
  return fields;
}

function checkField(
  entry: unknown,
  path: string,
  bitLength: number | undefined,
  problems: Problems,
): FieldSpec | undefined {
  if (!isRecord(entry)) {
    problems.push({ path, message: `must be an object, got ${describe(entry)}` });
    return undefined;
  }
  checkKeys(entry, FIELD_KEYS, path, problems);
  const name = entry.name;
  const nameOk = typeof name === "string" && FIELD_NAME.test(name);
  if (!nameOk) {
    problems.push({
      path: `${path}.name`,
      message: `must be an identifier (letter, then letters, digits, _), got ${describe(name)}`,
    });
  }
  const last = (bitLength ?? MAX_BITS) - 1;
  const start = intIn(entry.start, 0, last, `${path}.start`, problems);
  const length = intIn(entry.length, 1, MAX_FIELD_BITS, `${path}.length`, problems);
  if (start === undefined || length === undefined || !nameOk) return undefined;
  if (start + length - 1 > last) {
    problems.push({
      path: `${path}.length`,
      message: `bits ${start}..${start + length - 1} run past the last bit (${last})`,
    });
    return undefined;
  }
  return { name, start, length };
}

export function span(field: FieldSpec): string {
  return `${field.start}..${field.start + field.length - 1}`;
}
